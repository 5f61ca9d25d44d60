"""Report formats: their names, which file extension means which, and rendering by name.

``driftcheck scan --format NAME`` and ``--output FILE`` go through here: the
format is ``--format`` when given, else :func:`format_for_path` of the output
file. :func:`render` produces the file formats this package owns (``html``,
``md``, ``csv``); the scan command renders ``table``, ``text`` and ``json``
itself. :func:`write_report` renders and writes an ``--output`` file in one step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import UsageError

__all__ = ["EXTENSIONS", "FORMATS", "RENDERED_HERE", "format_for_path", "render", "write_report"]

#: Every report format and what it is, for ``--format`` help.
FORMATS: dict[str, str] = {
    "table": "terminal table (default on a terminal)",
    "text": "plain text (default when stdout is not a terminal, e.g. cron)",
    "json": "driftcheck.scan/1 JSON",
    "html": "one self-contained HTML page with charts",
    "md": "Markdown for a ticket or a chat",
    "csv": "one row per finding, safe to open in Excel",
}

#: The formats :func:`render` produces.
RENDERED_HERE = ("html", "md", "csv")

#: Output file extension -> format.
EXTENSIONS: dict[str, str] = {
    ".html": "html",
    ".htm": "html",
    ".md": "md",
    ".markdown": "md",
    ".csv": "csv",
    ".json": "json",
    ".txt": "text",
}


def format_for_path(path: str | Path) -> str | None:
    """The format an output file's extension implies, or None when it implies none.

    Example:
        >>> format_for_path("weekly/report.HTML")
        'html'
        >>> format_for_path("report.pdf") is None
        True
    """
    return EXTENSIONS.get(Path(path).suffix.lower())


def render(
    scan: Mapping[str, Any],
    fmt: str,
    *,
    history: Sequence[Mapping[str, Any]] | None = None,
    web: Mapping[str, Any] | None = None,
) -> str:
    """Render a ``driftcheck.scan/1`` dict in one of :data:`RENDERED_HERE`.

    Args:
        scan: the scan result.
        fmt: ``html``, ``md`` or ``csv``.
        history: past runs for the HTML trend chart. Defaults to None.
        web: validated ``[web]`` settings for vendor links (HTML and Markdown). Defaults to None.

    Returns:
        The report text. Write it as UTF-8 with ``newline=""`` (the CSV has its own line ends).

    Raises:
        UsageError: ``fmt`` is not a format rendered here.
    """
    if fmt == "html":
        from .html import render_html

        return render_html(scan, history=history, web=web)
    if fmt == "md":
        from .markdown import render_markdown

        return render_markdown(scan, web=web)
    if fmt == "csv":
        from .csvout import render_csv

        return render_csv(scan)
    if fmt in FORMATS:
        raise UsageError(f"format {fmt!r} is rendered by the scan command, not by driftcheck.report.registry.render")
    raise UsageError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")


def write_report(
    scan: Mapping[str, Any],
    path: str | Path,
    *,
    fmt: str | None = None,
    history: Sequence[Mapping[str, Any]] | None = None,
    web: Mapping[str, Any] | None = None,
) -> str:
    """Render ``scan`` and write it to ``path`` (UTF-8, line ends exactly as rendered).

    Args:
        scan: the scan result.
        path: the ``--output`` file.
        fmt: ``--format``; None infers it from the extension (:func:`format_for_path`).
        history: past runs for the HTML trend chart. Defaults to None.
        web: validated ``[web]`` settings for vendor links. Defaults to None.

    Returns:
        The format written.

    Raises:
        UsageError: no format given and the extension implies none, a format not
            rendered here, or the file cannot be written (missing folder, no permission).
    """
    target = Path(path)
    chosen = fmt or format_for_path(target)
    if chosen is None:
        known = ", ".join(sorted(EXTENSIONS))
        raise UsageError(f"cannot tell the format of {target} from its extension ({known}); add --format")
    text = render(scan, chosen, history=history, web=web)
    try:
        # newline="": the CSV carries its own line ends; text mode would double them on Windows
        with target.open("w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write the report to {target}: {exc.strerror or exc}") from exc
    return chosen
