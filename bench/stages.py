"""One in-process scan of a folder, timed stage by stage; prints one JSON object.

``python bench/stages.py DIR`` runs :func:`driftcheck.scan.run_scan` on ``DIR`` (its
``driftcheck.toml`` pins ``as_of``; no history) and renders the JSON report, timing:

* ``detect_read``: ``connectors.read_paths`` (detect formats, parse, conform records);
* ``normalise``: the rest of loading (concatenate sources, apply status maps);
* ``link``: join records into jobs;
* ``jobs``: fold linked records into the job table;
* ``rules``: evaluate the rule pack;
* ``summarise``: assemble the ``driftcheck.scan/1`` dict;
* ``render``: ``render_json`` of that dict;
* ``import``: importing pandas, pyarrow and driftcheck's scan modules in a fresh process
  (not in ``total``; the CLI's wall time includes it).

The stages are measured by wrapping the functions ``run_scan`` calls, so the scan itself is
exactly the library's. It runs in its own process (``bench/run.py`` starts it once per run) so
that every run starts cold and memory is not shared between runs.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _wrap(module: Any, name: str, into: dict[str, float], key: str) -> None:
    """Replace ``module.name`` with a wrapper adding its wall time to ``into[key]``."""
    inner: Callable[..., Any] = getattr(module, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            into[key] = into.get(key, 0.0) + time.perf_counter() - t

    setattr(module, name, timed)


def run(folder: Path) -> dict[str, Any]:
    """Scan ``folder`` once and return the stage timings (seconds) and the summary."""
    sys.path.insert(0, str(ROOT))
    t0 = time.perf_counter()
    import pandas  # noqa: F401 - the scan loads them on first use; timed here, not in detect_read
    import pyarrow  # noqa: F401

    import connectors
    import driftcheck.jobs
    import driftcheck.scan
    from driftcheck._memory import lean_arrow_pool
    from driftcheck.report.jsonout import render_json

    imported = time.perf_counter() - t0
    lean_arrow_pool()  # as the scan command does
    wrapped: dict[str, float] = {}
    _wrap(connectors, "read_paths", wrapped, "detect_read")
    _wrap(driftcheck.jobs, "build_job_table", wrapped, "jobs")
    _wrap(driftcheck.scan, "evaluate", wrapped, "rules")
    _wrap(driftcheck.scan, "build_scan_dict", wrapped, "summarise")

    t = time.perf_counter()
    outcome = driftcheck.scan.run_scan([folder], history_path=None)
    scanned = time.perf_counter() - t
    t = time.perf_counter()
    text = render_json(outcome.scan)
    rendered = time.perf_counter() - t

    own = outcome.timings  # the scan's own split: read (load), link, rules (jobs + evaluate)
    stages = {
        "detect_read": wrapped.get("detect_read", 0.0),
        "normalise": own.get("read", 0.0) - wrapped.get("detect_read", 0.0),
        "link": own.get("link", 0.0),
        "jobs": wrapped.get("jobs", 0.0),
        "rules": wrapped.get("rules", 0.0),
        "summarise": wrapped.get("summarise", 0.0),
        "render": rendered,
    }
    stages["other"] = max(scanned + rendered - sum(stages.values()), 0.0)
    summary = outcome.scan.get("summary", {})
    return {
        "import": imported,
        "stages": stages,
        "total": scanned + rendered,
        "report_bytes": len(text.encode()),
        "jobs": summary.get("jobs"),
        "findings": summary.get("findings"),
        "by_rule": summary.get("by_rule", {}),
    }


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python bench/stages.py DIR")
    print(json.dumps(run(Path(sys.argv[1]))))
