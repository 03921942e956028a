"""Informed consent on the tablet, in Chromium: the officer hands over, the person reads in their language and
format, answers, decides and signs; the tablet stays locked to the consent screens until the officer's PIN.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from statistics import median

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from app import clock, screening
from app.consent import rerender
from app.tablet import OfficerSession, Tablet
from tests.e2e.conftest import Demo, open_app
from tests.e2e.driving import T, click, next_until, see, type_into
from tests.e2e.steps import sign_in
from tests.pathway import answers_pointing_to, details
from tests.plaintext import files_containing

pytestmark = pytest.mark.e2e


# --- helpers -------------------------------------------------------------------------------------------

def officer_session(demo: Demo) -> OfficerSession:
    """The demo tablet opened from the test, the way a second officer's app would: same store, same PIN."""
    tablet = Tablet(demo.home / "tablet")
    officer = next(o for o in tablet.site.officers if o.name == demo.officer)
    return tablet.unlock(officer.id, demo.pin)


def case_ready_for_consent(demo: Demo, name: str, language: str, requirements: list[str]) -> str:
    """A case heard today, screened and taken forward, so its consent task is open."""
    session = officer_session(demo)
    today = clock.today()  # the app lists today's cases by the real date
    case_id = session.open_case(details(name, hearing_date=today, language=language,
                                        interpreter_needed=language != "English"), today)
    tool = screening.load_tool(session.tablet.site.screening_tool)
    session.record_screening(case_id, tool, answers_pointing_to(tool, ("audit", "dast")))
    session.propose(case_id, requirements)
    return case_id








def sign_in_and_open_consent(page: Page, demo: Demo, name: str) -> None:
    sign_in(page, demo.officer, demo.pin)
    click(page, re.compile(re.escape(name)))
    click(page, re.compile(r"^Consent"))
    see(page, "Language and format")


def next_page(page: Page, label: str) -> None:
    click(page, label)
    page.wait_for_timeout(150)




def glyph_report(png: bytes) -> tuple[float, float | None, int]:
    """Ink, and how box-like the inked shapes are: (ink fraction, median border ratio, shapes counted).

    A missing glyph draws as an empty box, whose ink all lies on its own bounding box (ratio near 1); real
    letters put most of their ink inside it. Blank text, from a font that never arrived, has no ink at all.
    """
    img = Image.open(io.BytesIO(png)).convert("L")
    w, h = img.size
    px = img.load()
    dark = [[px[x, y] < 128 for x in range(w)] for y in range(h)]
    seen = [[False] * w for _ in range(h)]
    ratios = []
    for y in range(h):
        for x in range(w):
            if not dark[y][x] or seen[y][x]:
                continue
            seen[y][x] = True
            stack, pts = [(x, y)], []
            while stack:
                a, b = stack.pop()
                pts.append((a, b))
                for na in (a - 1, a, a + 1):
                    for nb in (b - 1, b, b + 1):
                        if 0 <= na < w and 0 <= nb < h and dark[nb][na] and not seen[nb][na]:
                            seen[nb][na] = True
                            stack.append((na, nb))
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
            if len(pts) < 12 or x1 - x0 < 4 or y1 - y0 < 4:
                continue
            on_edge = sum(1 for a, b in pts if min(a - x0, x1 - a, b - y0, y1 - b) <= 1)
            ratios.append(on_edge / len(pts))
    ink = sum(map(sum, dark)) / (w * h)
    return ink, (median(ratios) if ratios else None), len(ratios)


def painted(page: Page, tries: int = 12) -> bytes:
    """The defendant's screen below the officer's bar (which is the only Latin text on it), once its glyphs
    render, or the last of `tries` half a second apart. The window is cut by fixed coordinates, not by the
    paragraph's semantics node: on a busy machine the script font can arrive after the tree was laid out, and the
    node keeps the old, smaller box over blank canvas."""
    size = page.viewport_size or {"width": 1280, "height": 800}
    shot = b""
    for _ in range(tries):
        shot = page.screenshot(clip={"x": 0, "y": 160, "width": size["width"], "height": size["height"] - 160})
        if glyphs_render(shot):
            break
        page.wait_for_timeout(500)
    return shot


def glyphs_render(png: bytes) -> bool:
    ink, box_likeness, shapes = glyph_report(png)
    return ink > 0.01 and shapes >= 10 and box_likeness is not None and box_likeness < 0.75


def test_the_glyph_check_tells_letters_from_boxes_and_blanks() -> None:
    """The screenshot check can fail: empty boxes and blank space are both refused, shaped letters pass."""
    boxes = Image.new("L", (600, 200), 255)
    draw = ImageDraw.Draw(boxes)
    for row in range(3):
        for i in range(28):
            draw.rectangle((10 + i * 20, 20 + row * 60, 24 + i * 20, 60 + row * 60), outline=0, width=2)
    blank = Image.new("L", (600, 200), 255)
    letters = Image.new("L", (600, 200), 255)
    draw = ImageDraw.Draw(letters)
    for i in range(24):  # joined, curved strokes with dots: letter-like shapes, not boxes
        x = 10 + i * 24
        draw.arc((x, 40, x + 30, 90), 20, 300, fill=0, width=3)
        draw.line((x + 5, 95, x + 20, 120), fill=0, width=3)
        draw.ellipse((x + 10, 140, x + 15, 145), fill=0)

    def png(img: Image.Image) -> bytes:
        out = io.BytesIO()
        img.save(out, "PNG")
        return out.getvalue()
    assert not glyphs_render(png(boxes))
    assert not glyphs_render(png(blank))
    assert glyphs_render(png(letters))


# --- the proofs ----------------------------------------------------------------------------------------

def test_polish_easy_read_consent_with_a_drawn_signature(demo: Demo, browser: Browser) -> None:
    name = "Łukasz Wiśniewski-Quixote"
    case_id = case_ready_for_consent(demo, name, "Polish", ["DRR"])
    app = open_app(browser, demo.app_url)
    page = app.page
    sign_in_and_open_consent(page, demo, name)

    # The officer: Polish is preselected from the case details; the translation is unreviewed, so the
    # screen says so and an interpreter is recorded before the hand-over.
    see(page, re.compile("The Polish translation has not been checked by a qualified translator"))
    click(page, "Easy read: one idea a page, with pictures", role="radio")
    click(page, "Hand the tablet to the defendant")
    see(page, re.compile("Record the interpreter"))
    type_into(page, "Interpreter's name", "Anna Nowak")
    click(page, "By phone", role="radio")
    click(page, "Hand the tablet to the defendant")

    # Defendant mode: locked (no officer bar), large text, Polish throughout, one idea a page.
    see(page, "Sąd może poprosić, żebyś skorzystał z pomocy w sprawie narkotyków. Nazywamy to nakazem "
              "terapii uzależnienia od narkotyków. Terapia oznacza pomoc w zaprzestaniu brania narkotyków.")
    expect(page.get_by_role("button", name="Lock")).to_have_count(0)
    see(page, "Strona 1 z 15")
    click(page, "Większy tekst")  # the text-size control
    see(page, "Strona 1 z 15")
    next_until(page, "Teraz kilka pytań. Pomagają nam sprawdzić, czy dobrze wszystko wyjaśniliśmy.", "Dalej")

    # Check of understanding: a wrong answer leads back to the page it is about, then on.
    next_until(page, "Co się stanie, jeśli opuścisz wizytę?", "Dalej")
    click(page, "Nic się nie stanie.")
    see(page, "To nie całkiem tak. Spójrzmy na to jeszcze raz.")
    click(page, "Zobacz jeszcze raz")
    see(page, re.compile("Jeśli opuścisz wizytę, ośrodek leczenia powie o tym twojemu kuratorowi"))
    click(page, "Wróć do pytania")
    click(page, "Ośrodek leczenia powie o tym mojemu kuratorowi.")
    see(page, "Dobrze.")
    next_page(page, "Dalej")
    see(page, "Czy będziesz oddawać próbki do testów na narkotyki?")
    click(page, "Tak. Oddaję próbki do testów na narkotyki.")
    next_page(page, "Dalej")
    click(page, "Nie. Mogę odmówić.")
    next_page(page, "Dalej")

    # The decision, then the separate choice about sharing information.
    see(page, "Czy zgadzasz się na to leczenie?")
    click(page, "Tak, zgadzam się")
    see(page, "Udostępnianie twoich informacji")
    next_until(page, "Czy zgadzasz się, żebyśmy przekazali twoje informacje?", "Dalej")
    click(page, "Tak, możecie przekazać moje informacje")

    # The signature, drawn with the mouse as a finger would.
    see(page, "Podpisz się palcem w ramce.")
    signed = page.get_by_role("button", name="Podpisałem się")
    expect(signed).to_be_disabled()
    pad = page.locator('[flt-semantics-identifier="signature-pad"]')
    box = pad.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 40, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for i in range(1, 25):
        page.mouse.move(box["x"] + 40 + i * 18, box["y"] + box["height"] * (0.7 - 0.4 * (i % 2)), steps=3)
    page.mouse.up()
    expect(signed).to_be_enabled(timeout=T)
    signed.click()

    # The officer takes the tablet back with the PIN, checks and saves.
    see(page, "Dziękujemy. Oddaj tablet urzędnikowi.")
    type_into(page, "Officer PIN", demo.pin)
    click(page, "Check the answers")
    see(page, "Officer: check the answers")
    see(page, "looked again, then right")
    click(page, "I explained the requirement and the person gave this answer themselves", role="checkbox")
    click(page, "Save consent record")
    expect(page.get_by_role("button", name=re.compile("^Consent Completed"))).to_be_visible(timeout=T)
    expect(page.get_by_role("button", name="Lock")).to_be_visible()

    # The record: Polish easy read, the exact text by version and hash, answers, signature points, interpreter.
    case = officer_session(demo).case(case_id)
    consent = case.consent
    assert consent is not None
    assert (consent["decision"], consent["locale"], consent["format"]) == ("agree", "pl", "easy_read")
    assert consent["translation_reviewed"] is False
    assert consent["interpreter"] == {"name": "Anna Nowak", "language": "Polish", "mode": "phone"}
    assert consent["pages_seen"] == consent["pages_total"] == 15
    assert consent["text_scale"] > 1.0
    strokes = consent["signature"]["strokes"]
    assert len(strokes) == 1 and len(strokes[0]) >= 10
    assert consent["checks"][0] == {"question": "common.missed", "answers": ["nothing", "told"], "went_back": True,
                                    "first_correct": False, "last_correct": True}
    assert case.share_consent is not None and case.share_consent["decision"] == "agree"
    shown = rerender(consent)
    assert shown.content_hash == consent["text_hash"]
    assert shown.pages[0].text.startswith("Sąd może poprosić")

    # The summary PDF is stored encrypted in the case, and holds what was shown and answered.
    officer = officer_session(demo)
    officer.reauthenticate(demo.pin)  # the summary is an export
    pdf = officer.consent_summary(case_id)
    assert pdf is not None
    summary = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for expected in (name, "Polish (pl), easy read", "NOT reviewed by a qualified translator", "Anna Nowak",
                     consent["text_hash"], "Agrees to the treatment requirement"):
        assert expected in summary.replace("\n", " "), expected

    assert files_containing(demo.home.parent, name) == []  # nowhere on disk in plaintext
    assert app.failures == []


def test_urdu_consent_lays_out_right_to_left_and_its_glyphs_render(demo: Demo, browser: Browser,
                                                                     tmp_path: Path) -> None:
    name = "Imran Quixotic-Shah"
    case_ready_for_consent(demo, name, "Urdu", ["ATR"])
    first_words = re.compile("شراب کے علاج کی شرط کمیونٹی سزا کا حصہ ہے")

    def hand_over_in_urdu(page: Page) -> None:
        sign_in_and_open_consent(page, demo, name)
        see(page, re.compile("The Urdu translation has not been checked"))  # Urdu preselected from the case
        type_into(page, "Interpreter's name", "Ayesha Khan")
        click(page, "In the room", role="radio")
        click(page, "Hand the tablet to the defendant")
        see(page, first_words)
        page.wait_for_timeout(800)  # the semantics tree settles before the frame is painted

    app = open_app(browser, demo.app_url)
    page = app.page
    hand_over_in_urdu(page)

    # Right to left: the heading starts on the right half, and Next sits at the right edge.
    width = page.viewport_size["width"] if page.viewport_size else 1280
    title = page.locator("flt-semantics-host").get_by_text("شراب کے لیے مدد").first.bounding_box()
    following = page.get_by_role("button", name="آگے").bounding_box()
    assert title is not None and following is not None
    assert title["x"] > width / 2
    assert following["x"] + following["width"] > width * 0.9

    # The glyphs render (shaped letters, not boxes or blanks) ...
    shot = painted(page)
    (tmp_path / "urdu.png").write_bytes(shot)
    assert glyphs_render(shot), glyph_report(shot)
    assert app.failures == []  # every font came from the tablet itself: no 404

    # ... and the same screen without the bundled fonts fails the same check, so the check has teeth.
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    bare = context.new_page()
    bare.route(re.compile(r".*/fonts/.*"), lambda route: route.abort())
    bare.goto(demo.app_url)
    bare.wait_for_selector("flt-semantics", state="attached", timeout=30_000)
    see(bare, first_words)  # a second tab opens on the defendant's screens: the tablet is still handed over
    without_fonts = painted(bare)
    context.close()
    assert not glyphs_render(without_fonts), glyph_report(without_fonts)


def test_leaving_defendant_mode_without_the_officers_pin_fails(demo: Demo, browser: Browser) -> None:
    name = "Zebedee Quixotic-Marchbanks"
    case_ready_for_consent(demo, name, "English", ["ATR"])
    app = open_app(browser, demo.app_url)
    page = app.page
    sign_in_and_open_consent(page, demo, name)
    click(page, "Hand the tablet to the defendant")
    see(page, "Help with alcohol")

    # A wrong PIN keeps the tablet locked to the consent screens.
    click(page, "Officer: take the tablet back")
    expect(page.get_by_role("alertdialog")).to_be_visible()
    type_into(page, "Officer PIN", "0000")
    click(page, "Take the tablet back")
    see(page, "Wrong PIN. 4 tries left before you are locked out.")  # the words of every PIN refusal
    click(page, "Cancel")
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    see(page, "Help with alcohol")
    expect(page.get_by_role("button", name="Lock")).to_have_count(0)
    expect(page.get_by_role("button", name="Back to today's cases")).to_have_count(0)

    # Another tab does not get round it: the tablet, not the tab, is in the defendant's hands.
    other = open_app(browser, demo.app_url).page
    expect(other.locator("flt-semantics-host").get_by_text("Help with alcohol").first).to_be_visible(timeout=T)
    expect(other.get_by_role("button", name="Lock")).to_have_count(0)
    expect(other.get_by_role("button", name=demo.officer)).to_have_count(0)
    other.context.close()

    # Nor does reloading the page: it opens on the same locked consent screens.
    page.reload()
    page.wait_for_selector("flt-semantics", state="attached", timeout=30_000)  # turned on by the page itself
    see(page, "Help with alcohol")
    expect(page.get_by_role("button", name="Lock")).to_have_count(0)
    expect(page.locator("flt-semantics-host").get_by_text("Today's cases")).to_have_count(0)

    # The officer's PIN is the way out.
    click(page, "Officer: take the tablet back")
    type_into(page, "Officer PIN", demo.pin)
    click(page, "Take the tablet back")
    see(page, "Consent: not finished")
    expect(page.get_by_role("button", name="Lock")).to_be_visible()
    assert app.failures == []

