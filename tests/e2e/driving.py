"""How the end-to-end tests drive the app: by the accessible names a screen reader would use.

One place for the few moves every test makes, written for Flutter web's quirks: the engine wires its text
input just after a field takes focus (keys typed before that are lost), and the semantics tree is rebuilt
after every update, so each move waits for what it needs rather than sleeping.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.support import bounded

T = 15_000  # ms: the longest any screen takes to answer under load on two cores


class Tally:
    """What a walk cost each person who held the tablet: every press (a button, an answer, a menu choice) and
    every field typed into, counted by the moves below for whoever `holder` says has the tablet."""

    def __init__(self) -> None:
        self.holder = "officer"
        self.taps: dict[str, int] = {"officer": 0, "defendant": 0}
        self.typed: dict[str, int] = {"officer": 0, "defendant": 0}

    def tap(self) -> None:
        self.taps[self.holder] += 1

    def type(self) -> None:
        self.typed[self.holder] += 1

    def now(self) -> tuple[int, int, int]:
        """(officer taps, officer typed fields, defendant taps) so far: subtract two to cost a stretch."""
        return self.taps["officer"], self.typed["officer"], self.taps["defendant"]


_tallies: dict[Page, Tally] = {}


def tally(page: Page) -> Tally:
    return _tallies.setdefault(page, Tally())


def click(page: Page, name: str | re.Pattern[str], role: str = "button") -> None:
    tally(page).tap()
    if page in _watched:
        _note_layout(page, name)
    page.get_by_role(role, name=name, exact=isinstance(name, str)).first.click()


def see(page: Page, text: str | re.Pattern[str]) -> None:
    expect(page.locator("flt-semantics-host").get_by_text(text).first).to_be_visible(timeout=T)


def type_into(page: Page, label: str, text: str) -> None:
    """Type into the field with this label and check it holds exactly the text (retyping if keys were lost)."""
    box = page.get_by_role("textbox", name=label)
    tally(page).type()
    for _attempt in range(5):
        box.click()
        if not _takes_focus(box):  # the click met a layout still moving (an error summary just arrived)
            page.wait_for_timeout(300)
            continue
        page.wait_for_timeout(200)  # the engine attaches its editing element just after focus
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
        if box.input_value() == text:  # read while the box still has focus, where it is reliable
            return
    expect(box).to_have_value(text)


def _takes_focus(box) -> bool:
    try:
        expect(box).to_be_focused(timeout=3_000)
    except AssertionError:
        return False
    return True


def next_until(page: Page, text: str, label: str = "Next") -> None:
    """Press the Next button (named in the page's language) page by page until the text appears."""
    target = page.locator("flt-semantics-host").get_by_text(text, exact=True)
    button = page.get_by_role("button", name=label, exact=True)
    for _ in bounded(60, f"pressing {label!r}: {text!r} never appeared"):
        # The next screen is drawn: either the text, or the button to go on (never a press into a screen still
        # changing, which would find no button on a page that has none, such as a question).
        expect(target.or_(button).first).to_be_visible(timeout=T)
        if target.count():
            return
        click(page, label)
        page.wait_for_timeout(150)


def scroll_up(page: Page) -> None:
    """Back to the top of a long page, as a finger would swipe (the semantics tree holds only what is in view)."""
    viewport = page.viewport_size or {"width": 800, "height": 800}
    page.mouse.move(viewport["width"] / 2, viewport["height"] / 2)
    page.mouse.wheel(0, -20_000)
    page.wait_for_timeout(300)


def answer(page: Page, question: str, value: str) -> None:
    """The answer inside the group named by its question (several questions share 'Yes' and 'No'): a radio, or
    one of the large checkable answers of a screening grid."""
    group = page.get_by_role("group", name=question, exact=True)
    tally(page).tap()
    if page in _watched:
        _note_layout(page, f"{value} ({question})")
    group.get_by_role("radio", name=value, exact=True).or_(
        group.get_by_role("checkbox", name=value, exact=True)).first.click()


# The layout rules every screen keeps, read from the semantics tree (what a screen reader meets): no Flutter error
# on screen. (48 px targets are the next rule: Flutter clips a node's box at the edge of each scrolling region, so
# a box alone cannot tell a small control from one half scrolled out of view.)
_FLUTTER_ERRORS = re.compile(r"must be provided|Failed assertion|RenderFlex overflowed|Another exception was thrown")


def layout_problems(page: Page, where: str) -> list[str]:
    """What breaks the layout rules on the screen shown now, each naming `where` it was seen."""
    found = _FLUTTER_ERRORS.search(page.locator("flt-semantics-host").inner_text())
    return [f"{where}: a Flutter error is on screen: {found.group(0)!r}"] if found else []


_watched: dict[Page, list[str]] = {}


def watch_layout(page: Page) -> list[str]:
    """From now on, before every click the screen is checked against the layout rules; the list returned fills
    with what broke them (once each), for the test to assert empty at its end."""
    return _watched.setdefault(page, [])


def _note_layout(page: Page, about_to_press: str | re.Pattern[str]) -> None:
    where = f"before pressing {about_to_press if isinstance(about_to_press, str) else about_to_press.pattern!r}"
    found = _watched[page]
    for problem in layout_problems(page, where):
        if problem.split(": ", 1)[1] not in {p.split(": ", 1)[1] for p in found}:
            found.append(problem)
