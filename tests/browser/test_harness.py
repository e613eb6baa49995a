"""The journeys' safety net itself: a CSP violation must not go unnoticed
(Chromium has changed the wording of its console message before)."""

import pytest

pytestmark = pytest.mark.browser


def test_harness_notices_blocked_inline_style(journey):
    journey.goto("/", "home")
    journey.page.evaluate(
        """() => {
            const style = document.createElement("style");
            style.textContent = "body { color: red; }";
            document.head.appendChild(style);
        }"""
    )
    journey.page.wait_for_timeout(200)
    assert any("style-src" in violation for violation in journey.csp_violations), journey.console_errors
    journey.csp_violations.clear()
    journey.console_errors.clear()
