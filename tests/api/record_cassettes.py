"""Record one multi-page full pull per vendor from the fake server into tests/api/cassettes/.

Run from the repository root (overwrites the cassettes)::

    /work/venv/bin/python tests/api/record_cassettes.py

The keyring used is a throwaway plaintext one in a temporary folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE)]


def main() -> int:
    tmp = tempfile.mkdtemp()
    os.environ["XDG_DATA_HOME"] = tmp
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    from cassettes import CASSETTES, cassette_source, make_vcr
    from fakevendor import CLIENT, STATIC_TOKENS, FakeVendor
    from world import build_world

    from connectors.api import API_SYSTEMS, pull_source
    from driftcheck.secrets import set_secret

    fake = FakeVendor(build_world()).start()
    set_secret("hubspot", STATIC_TOKENS["hubspot"])
    set_secret("pipedrive", STATIC_TOKENS["pipedrive"])
    for system in ("quickbooks", "xero", "jobber"):
        set_secret(f"{system}.refresh", fake.refresh[system])
        set_secret(f"{system}.client_secret", CLIENT["client_secret"])
    CASSETTES.mkdir(exist_ok=True)
    try:
        for system in API_SYSTEMS:
            path = CASSETTES / f"{system}_full_pull.yaml"
            path.unlink(missing_ok=True)
            with make_vcr("all").use_cassette(path.name):
                res = pull_source(cassette_source(system, fake.url), name=f"{system}-src", cache_dir=Path(tmp) / "cache")
            if res.failure is not None:
                print(f"{system}: FAILED {res.failure}")
                return 1
            print(f"{system}: {len(res.frame)} records, {res.stats['requests']} requests -> {path.name}")
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
