"""How the end-to-end tests drive the app: by the accessible names a screen reader would use.

One place for the few moves every test makes, written for Flutter web's quirks: the engine wires its text
input just after a field takes focus (keys typed before that are lost), and the semantics tree is rebuilt
after every update, so each move waits for what it needs rather than sleeping.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Locator, Page, expect

from tests.support import bounded

T = 15_000  # ms: the longest any screen takes to answer under load on two cores


class Tally:
    """What a walk cost each person who held the tablet: every press (a button, an answer, a menu choice) and
    every field typed into, counted by the moves below for whoever `holder` says has the tablet."""

    def __init__(self) -> None:
        self.holder = "officer"
        self.taps: dict[str, int] = {"officer": 0, "defendant": 0}
        self.typed: dict[str, int] = {"officer": 0, "defendant": 0}
        self.scrolls = 0  # swipes to reach something the screen did not show

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


def tallies() -> list[Tally]:
    """Every page's tally so far, oldest first (a benchmark reads the walk it ran)."""
    return list(_tallies.values())


# `make bench` times each press to the next screen: from the click to the moment the next control the walk needs
# is on screen (what the officer waits for). None in tests, which never time anything.
PRESS_TIMES: list[tuple[str, float]] | None = None
_pressed: dict[Page, tuple[str, float]] = {}


def _arrived(page: Page, target: Locator) -> None:
    """The screen a press led to is up (when timing): `target`, the next thing the walk needs, is visible."""
    if PRESS_TIMES is None or page not in _pressed:
        return
    name, started = _pressed.pop(page)
    target.wait_for(state="visible", timeout=T)
    PRESS_TIMES.append((name, (time.perf_counter() - started) * 1000))


def _still(page: Page, target: Locator) -> None:
    """Bring the control into the window as a finger would, and wait until it stops moving: a click aimed while
    Flutter is still scrolling (or laying out an error summary) lands on whatever has moved under the pointer.

    Flutter draws on a canvas and hit-tests its own layout; the semantics tree Playwright reads is a copy. Letting
    Playwright scroll that copy moves the copy and not always the drawing (a text field's box said 'here' over a
    checkbox), so the page is scrolled with the mouse wheel, which Flutter itself handles; each swipe is counted."""
    size = page.viewport_size or {"width": 800, "height": 800}
    box = target.bounding_box()
    for _ in range(12):
        if box is None or (box["height"] > 0 and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]):
            break
        tally(page).scrolls += 1
        page.mouse.move(size["width"] / 2, size["height"] / 2)
        page.mouse.wheel(0, box["y"] - size["height"] / 3)
        page.wait_for_timeout(250)
        moved = target.bounding_box()
        if moved == box:  # the page goes no further
            break
        box = moved
    for _ in range(40):  # up to 2 s; a control still moving after that is clicked where it is
        page.wait_for_timeout(50)
        now = target.bounding_box()
        if now == box:
            return
        box = now


def _press(page: Page, target: Locator, name: str | re.Pattern[str]) -> None:
    _arrived(page, target)
    _still(page, target)
    target.click()
    if PRESS_TIMES is not None:
        _pressed[page] = (name if isinstance(name, str) else name.pattern, time.perf_counter())


def click(page: Page, name: str | re.Pattern[str], role: str = "button") -> None:
    tally(page).tap()
    if page in _watched:
        _note_layout(page, name)
    _press(page, page.get_by_role(role, name=name, exact=isinstance(name, str)).first, name)


def see(page: Page, text: str | re.Pattern[str]) -> None:
    shown = page.locator("flt-semantics-host").get_by_text(text).first
    _arrived(page, shown)
    expect(shown).to_be_visible(timeout=T)


def type_into(page: Page, label: str, text: str) -> None:
    """Type into the field with this label and check it holds exactly the text (retyping if keys were lost)."""
    box = page.get_by_role("textbox", name=label)
    tally(page).type()
    _arrived(page, box)
    for _attempt in range(5):
        _still(page, box)
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
    tally(page).scrolls += 1
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
    _press(page, group.get_by_role("radio", name=value, exact=True).or_(
        group.get_by_role("checkbox", name=value, exact=True)).first, value)


# The layout rules every screen keeps, read from the semantics tree (what a screen reader meets): no Flutter error
# on screen; every control a finger can press at least 48 px each way; and the button that moves a step on in view
# without scrolling (a fixed action bar where the content is long).
_FLUTTER_ERRORS = re.compile(r"must be provided|Failed assertion|RenderFlex overflowed|Another exception was thrown")
MIN_TARGET = 48
# The buttons that move the pathway a step on, by name: the one press each screen exists for.
PRIMARY = re.compile(r"^(Unlock|Continue|Next|Dalej|Save.*|Complete screening|Hand the tablet to the defendant"
                     r"|Yes, I agree|I have signed|I cannot sign|Check the answers|Make the proposal"
                     r"|Book appointment|Leaflet given to the defendant|Open the leaflet to print)$")
# Flutter clips a node's box where a region that holds it ends (a scrolling region, the window, the space above a
# fixed action bar), so a control half scrolled out of view looks small. A box that meets an edge of a region
# holding it, or crosses the window's edge, is not measured; every other box is.
_SMALL_TARGETS = """(min) => {
  const pressable = new Set(["button", "checkbox", "radio", "link", "switch", "slider", "tab", "menuitem",
                             "combobox", "textbox"]);
  const near = (a, b) => Math.abs(a - b) < 1.5;
  const small = [];
  for (const el of document.querySelectorAll("flt-semantics")) {
    if (!pressable.has(el.getAttribute("role"))) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.width >= min && box.height >= min) continue;
    let cut = box.top < 0 || box.bottom > innerHeight || box.left < 0 || box.right > innerWidth;
    for (let a = el.parentElement; !cut && a && a.tagName === "FLT-SEMANTICS"; a = a.parentElement) {
      const r = a.getBoundingClientRect();
      cut = r.height > 2 * min && (near(box.top, r.top) || near(box.bottom, r.bottom)
                                   || (box.top < r.top) !== (box.bottom < r.top)
                                   || (box.top < r.bottom) !== (box.bottom <= r.bottom));
    }
    if (!cut) small.push(`${el.getAttribute("aria-label") || el.innerText.trim().slice(0, 40)}`
                         + ` (${el.getAttribute("role")}, ${Math.round(box.width)}x${Math.round(box.height)} px)`);
  }
  return small;
}"""


def layout_problems(page: Page, where: str) -> list[str]:
    """What breaks the layout rules on the screen shown now, each naming `where` it was seen."""
    problems = []
    found = _FLUTTER_ERRORS.search(page.locator("flt-semantics-host").inner_text())
    if found:
        problems.append(f"{where}: a Flutter error is on screen: {found.group(0)!r}")
    small = page.evaluate(_SMALL_TARGETS, MIN_TARGET)
    if small:  # measured again after a moment: a control still growing into place is not a small one
        page.wait_for_timeout(300)
        small = set(small) & set(page.evaluate(_SMALL_TARGETS, MIN_TARGET))
    problems += [f"{where}: smaller than {MIN_TARGET} px: {target}" for target in sorted(small)]
    return problems


def _in_view(page: Page, name: str) -> bool:
    """Whether the button is wholly inside the window as the screen stands, waiting a moment for it to be drawn."""
    button = page.get_by_role("button", name=name, exact=True).first
    size = page.viewport_size or {"width": 0, "height": 0}
    for _ in range(10):
        box = button.bounding_box() if button.count() else None
        if box and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] and box["x"] >= 0 \
                and box["x"] + box["width"] <= size["width"]:
            return True
        page.wait_for_timeout(200)
    return False


_watched: dict[Page, list[str]] = {}


def watch_layout(page: Page) -> list[str]:
    """From now on, before every click the screen is checked against the layout rules; the list returned fills
    with what broke them (once each), for the test to assert empty at its end."""
    return _watched.setdefault(page, [])


def _note_layout(page: Page, about_to_press: str | re.Pattern[str]) -> None:
    where = f"before pressing {about_to_press if isinstance(about_to_press, str) else about_to_press.pattern!r}"
    found = _watched[page]
    problems = layout_problems(page, where)
    if isinstance(about_to_press, str) and PRIMARY.match(about_to_press) and not _in_view(page, about_to_press):
        problems.append(f"{where}: the way on, {about_to_press!r}, is not in the window without scrolling")
    for problem in problems:
        if problem.split(": ", 1)[1] not in {p.split(": ", 1)[1] for p in found}:
            found.append(problem)
