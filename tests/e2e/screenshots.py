"""The screenshots in docs/, taken from the running demo in both orientations: `make screenshots`.

Not collected by `make test` (the file name has no test_ prefix): it writes into docs/ and proves nothing.
"""

from __future__ import annotations

import re

from tests.e2e.conftest import open_app
from tests.e2e.driving import answer, click, see
from tests.e2e.steps import sign_in, start_case
from tests.e2e.test_consent import case_ready_for_consent
from tests.support import REPO_ROOT

DOCS = REPO_ROOT / "docs"
SIZES = {"landscape": (1280, 800), "portrait": (800, 1280)}


def test_take_the_screenshots_in_docs(demo, browser) -> None:  # noqa: ANN001
    for orientation, (width, height) in SIZES.items():
        page = open_app(browser, demo.app_url, width, height).page
        sign_in(page, demo.officer, demo.pin)
        start_case(page, f"Alex Example-{orientation.title()}", "14/05/1988", "Probation", "Theft from a shop")
        see(page, "Screening")
        page.wait_for_timeout(800)
        page.screenshot(path=str(DOCS / f"case-page-{orientation}.png"))
        if orientation == "landscape":
            page.screenshot(path=str(DOCS / "screenshot.png"))
        click(page, "Screening Not started")
        for question, value in (
            ("Do you have any difficulty with hearing, seeing, speaking or understanding that we should know about?",
             "No"), ("Do you find it difficult to read letters or forms?", "Yes")):
            answer(page, question, value)
        page.wait_for_timeout(800)
        page.screenshot(path=str(DOCS / f"screening-grid-{orientation}.png"))
        click(page, "Save and come back later")
        name = f"Bea Example-{orientation.title()}"
        case_ready_for_consent(demo, name, "English", ["ATR"])
        click(page, "Back to today's cases")
        click(page, re.compile(re.escape(name)))
        click(page, re.compile(r"^Consent"))
        see(page, "Hand the tablet to the defendant")
        page.wait_for_timeout(800)
        page.screenshot(path=str(DOCS / f"consent-setup-{orientation}.png"))
        page.context.close()
