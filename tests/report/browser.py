"""Headless Chromium for tests of the HTML reports.

Open a local page, and record what a reader's browser would do with it: every
console error and uncaught exception, every request it makes (anything that is
not ``file:``, ``data:``, ``blob:`` or ``about:`` is aborted and reported),
then query the DOM, click and type, and save a PNG screenshot into
``tests/_artifacts/``.

It drives Debian's ``chromium`` (``/usr/bin/chromium``, installed by
``.ci/run``) through Playwright for Python, which is pip-installed without any
browser download: ``executable_path`` points at the system browser. The launch
flags keep Chromium from calling home (see BRIEF.md).

Usage::

    with launch() as browser, browser.open(path) as run:
        run.page.select_option("#f-severity", "high")
        assert run.console_errors == [] and run.external_requests == []
        run.screenshot("report")
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ARTIFACTS", "CHROMIUM", "LAUNCH_ARGS", "Browser", "PageRun", "launch"]

#: Debian's chromium; its /usr/bin wrapper passes our flags through.
CHROMIUM = "/usr/bin/chromium"

#: Flags from BRIEF.md: root needs --no-sandbox; the rest stop background traffic.
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
)

#: Where screenshots go (ignored by git).
ARTIFACTS = Path(__file__).resolve().parents[1] / "_artifacts"

_LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


@dataclass
class PageRun:
    """One opened page and what happened while it was open."""

    page: Any  #: the Playwright ``Page``
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def external_requests(self) -> list[str]:
        """Requests that would have left the machine (all were aborted)."""
        return [u for u in self.requests if not u.startswith(_LOCAL_SCHEMES)]

    def count(self, selector: str) -> int:
        """How many elements match ``selector``."""
        return int(self.page.locator(selector).count())

    def visible_count(self, selector: str) -> int:
        """How many elements matching ``selector`` are rendered visibly."""
        return int(
            self.page.eval_on_selector_all(
                selector, "els => els.filter(e => e.getClientRects().length > 0).length"
            )
        )

    def visible_count_settled(self, selector: str, expected: int, *, timeout_ms: int = 5000) -> int:
        """:meth:`visible_count` once it equals ``expected``, or as it is after ``timeout_ms``.

        For what the page does on a timer: the report re-applies its filters after a form
        reset with ``setTimeout(apply, 0)`` (the fields are only cleared after the reset
        event), so a count read straight after the click can see the old filter.
        """
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        check = "([sel, n]) => [...document.querySelectorAll(sel)].filter(e => e.getClientRects().length > 0).length === n"
        with contextlib.suppress(PlaywrightTimeout):
            self.page.wait_for_function(check, arg=[selector, expected], timeout=timeout_ms)
        return self.visible_count(selector)

    def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        """Save a PNG of the page as ``tests/_artifacts/<name>.png`` and return its path."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


class Browser:
    """A running headless Chromium; open pages with :meth:`open`."""

    def __init__(self, browser: Any):
        self._browser = browser

    @property
    def version(self) -> str:
        return str(self._browser.version)

    @contextlib.contextmanager
    def open(
        self,
        path: str | Path,
        *,
        width: int = 1280,
        height: int = 900,
        javascript: bool = True,
        print_media: bool = False,
    ) -> Iterator[PageRun]:
        """Open a local file in a fresh browser context and record errors and requests.

        Args:
            path: the HTML file.
            width: viewport width in CSS pixels (390 is a phone). Defaults to 1280.
            height: viewport height. Defaults to 900.
            javascript: run the page's scripts. Defaults to True.
            print_media: emulate ``@media print``. Defaults to False.
        """
        context = self._browser.new_context(
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
            service_workers="block",
        )
        run = PageRun(page=None)

        def _route(route: Any) -> None:
            if route.request.url.startswith(_LOCAL_SCHEMES):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", _route)
        page = context.new_page()
        run.page = page
        page.on("request", lambda req: run.requests.append(req.url))
        page.on("console", lambda msg: run.console_errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: run.console_errors.append(f"uncaught: {exc}"))
        if print_media:
            page.emulate_media(media="print")
        try:
            page.goto(Path(path).resolve().as_uri(), wait_until="load")
            yield run
        finally:
            context.close()


@contextlib.contextmanager
def launch() -> Iterator[Browser]:
    """Start headless Chromium with a throw-away profile; stop it on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # Playwright gives a plain launch() its own fresh temporary --user-data-dir
        # (it refuses one in args), and every open() gets a fresh context on top.
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=list(LAUNCH_ARGS))
        try:
            yield Browser(browser)
        finally:
            browser.close()
