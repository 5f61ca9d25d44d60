"""Render the sample HTML report for the docs: docs/sample-report.html and docs/sample-report.png.

Runs the scan on ``sample_exports/`` through the library (``driftcheck.scan.run_scan``),
writes the self-contained HTML report, then opens it in headless Chromium (the
test harness in ``tests/report/browser.py``) to check it renders offline with no
console error and to save the screenshot the README shows.

Usage (from the repository root, with the ``test`` extra installed)::

    python tools/render_sample_report.py --as-of 2026-11-20

Rerun it whenever the report's look or the sample exports change, and commit
both files together.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the harness lives in tests/, not in the package


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # relative to the repository root, so the committed report names no machine's paths
    parser.add_argument("--exports", type=Path, default=Path("sample_exports"), help="folder of exports to scan")
    parser.add_argument("--as-of", help="audit date YYYY-MM-DD (fixed, so the committed report is reproducible)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "sample-report.html", help="HTML file to write")
    parser.add_argument("--width", type=int, default=1280, help="screenshot width in CSS pixels")
    parser.add_argument("--height", type=int, default=1800, help="screenshot height: the top of the report")
    args = parser.parse_args(argv)
    import os

    os.chdir(ROOT)

    from driftcheck.report.html import render_html
    from driftcheck.scan import run_scan  # provided by the scan pipeline
    from tests.report.browser import launch

    import datetime as dt

    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    scan = run_scan([args.exports], as_of=as_of, history_path=None).scan
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render_html(scan), encoding="utf-8")

    png = args.out.with_suffix(".png")
    with launch() as browser, browser.open(args.out, width=args.width, height=args.height) as run:
        if run.console_errors or run.external_requests:
            print(f"the report is not clean: errors {run.console_errors}, requests {run.external_requests}", file=sys.stderr)
            return 1
        run.page.screenshot(path=str(png), full_page=False)
    findings = scan["summary"]["findings"]
    print(f"wrote {args.out} ({findings} findings) and {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
