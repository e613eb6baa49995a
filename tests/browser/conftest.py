"""Playwright on Debian's Chromium, against pytest-django's live server.

Every journey gets a `journey` helper: it opens pages on the live server,
saves a numbered screenshot of each step under var/screenshots/<test>/ (for
people to look at) and fails the test on any Content Security Policy
violation or uncaught script error the browser reported.
"""

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Assertions wait as long as actions do: a loaded 2-core CI machine is slow to save.
from playwright.sync_api import expect, sync_playwright

from tests.conftest import CHROMIUM

expect.set_options(timeout=15_000)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# Chromium reports a CSP violation on the console: older versions say "Refused
# to apply inline style…", "Refused to load…"; newer ones "Applying inline
# style violates the following Content Security Policy directive…". The
# page's own securitypolicyviolation event is logged too, whatever the wording.
CSP_VIOLATION = re.compile(r"Refused to |Content Security Policy|^CSP violation:")
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture(scope="session")
def browser():
    # tests/conftest.py has already stopped the run if Chromium is missing
    # (or skipped these tests, with PQ_SKIP_BROWSER=1).
    # Playwright's sync API runs an event loop in this thread, so Django
    # thinks the test's own ORM calls come from async code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Journey:
    """One person's visit: a page, the screenshots taken so far and what the
    browser complained about."""

    page: object
    base_url: str
    folder: Path
    step: int = 0
    console_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def goto(self, path: str, step: str):
        response = self.page.goto(self.url(path))
        self.shot(step)
        return response

    @property
    def path(self) -> str:
        return "/" + self.page.url.removeprefix(self.base_url).lstrip("/")

    def shot(self, step: str) -> Path:
        """Save a screenshot of the current page as NN-step.png and check
        that the browser has reported no problem so far."""
        self.page.wait_for_load_state("load")
        self.step += 1
        path = self.folder / f"{self.step:02d}-{step}.png"
        self.page.screenshot(path=path, full_page=True)
        self.assert_clean(f"at step {self.step:02d}-{step} ({self.path})")
        return path

    def assert_clean(self, where: str = "") -> None:
        if self.csp_violations:
            pytest.fail(f"Content Security Policy violations {where}:\n" + "\n".join(self.csp_violations))
        if self.page_errors:
            pytest.fail(f"Uncaught script errors {where}:\n" + "\n".join(self.page_errors))


def _folder_name(nodeid_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", nodeid_name).strip("-")


@pytest.fixture
def journey(request, browser, live_server):
    folder = SCREENSHOTS / _folder_name(request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    context.set_default_timeout(15_000)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    journey = Journey(page=page, base_url=live_server.url, folder=folder)

    def on_console(message):
        if message.type == "error" or CSP_VIOLATION.search(message.text):
            text = f"[{message.type}] {message.text} ({page.url})"
            journey.console_errors.append(text)
            if CSP_VIOLATION.search(message.text):
                journey.csp_violations.append(text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: journey.page_errors.append(f"{error} ({page.url})"))
    yield journey
    context.close()
    if journey.console_errors:
        # Shown with -rA or on failure; the report of a passing run lists them too.
        print("Browser console errors:\n" + "\n".join(journey.console_errors))
    journey.assert_clean("by the end of the journey")
