"""Importing the connectors package stays light: the CLI's --help must not pay for pandas."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_connectors_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys, connectors\n"
        "from connectors import ReadOptions, detect_file, load_status_map, read_file, read_paths\n"
        "heavy = [m for m in ('pandas', 'pyarrow', 'numpy', 'openpyxl') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
