"""The CSTR leaflet in English: the right London date and time, the provider, what to do, and nothing left on disk."""

from __future__ import annotations

import builtins
import io
import os
import tempfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pdfplumber
import pytest
from pypdf import PdfReader

from app.leaflet import LeafletAppointment, LeafletData, UnknownLanguage, render_leaflet
from app.leaflet_layout import EASY_READ
from tests.leaflet_pdf import lines, page_sizes, shows

LONDON = ZoneInfo("Europe/London")
BOOKED = datetime(2026, 3, 20, 11, 5, tzinfo=LONDON)

OPEN_ROAD = LeafletAppointment(
    booking_id="0b6c1a52-35a2-4a8e-9a59-3f3f2d1f7a10",
    start=datetime(2026, 4, 7, 10, 0, tzinfo=LONDON),  # a Tuesday, BST
    minutes=60, provider_name="Open Road Drug & Alcohol Service", address="7 Market Road, Chelmsford CM1 1XA",
    phone="01245 000 200", booked_at=BOOKED, see="drug_alcohol_worker",
    directions={"en": "Buses 42 and 46 stop outside."}, languages=("en", "pl"), accessibility=("step_free",))
DATA = LeafletData(requirements=("ATR",), appointments=(OPEN_ROAD,),
                   probation_contact="Chelmsford Probation Office", probation_phone="01245 000 100",
                   probation_email="cstr@probation.example", order_months=12)


def text_of(pdf: bytes) -> str:
    return " ".join(lines(pdf))


def test_the_leaflet_gives_the_appointment_the_place_and_what_to_do() -> None:
    pdf = render_leaflet(DATA)
    text = text_of(pdf)
    assert "Tuesday, 7 April 2026" in text and "10:00" in text and "About 60 minutes" in text
    for value in ("Open Road Drug & Alcohol Service", "7 Market Road, Chelmsford CM1 1XA", "01245 000 200",
                  "a drug and alcohol worker", "Chelmsford Probation Office", "cstr@probation.example"):
        assert value in text
    assert "Alcohol treatment requirement" in text and "Your order lasts 12 months." in text
    assert "What to bring" in text and "How to get there" in text and "Buses 42 and 46 stop outside." in text
    assert "Staff there speak: Polish." in text and "Step-free entrance" in text
    assert "If you cannot go" in text and "note from a doctor" in text
    assert "tell your probation officer within 2 days" in text and "go back to court" in text
    assert page_sizes(pdf) == [(210, 297)]  # one A4 sheet


def test_the_pdf_can_also_be_read_by_other_tools() -> None:
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_leaflet(DATA))).pages)
    assert "Tuesday, 7 April 2026" in " ".join(text.split()) and "Open Road Drug & Alcohol Service" in text


def test_metadata_has_a_title_and_the_language_and_no_personal_data() -> None:
    reader = PdfReader(io.BytesIO(render_leaflet(DATA)))
    meta = reader.metadata
    assert meta is not None and meta.title == "CSTR leaflet"
    assert not meta.author and not meta.subject
    assert reader.trailer["/Root"]["/Lang"] == "en"
    joined = " ".join(str(v) for v in meta.values())
    for value in (OPEN_ROAD.provider_name, OPEN_ROAD.address, OPEN_ROAD.phone, DATA.probation_contact):
        assert value not in joined


def test_no_name_by_default_and_the_name_only_when_given() -> None:
    assert "For:" not in text_of(render_leaflet(DATA))
    assert "For: Sam Example" in text_of(render_leaflet(replace(DATA, person_name="Sam Example")))


def test_a_time_after_the_clock_change_prints_in_london_time() -> None:
    # Clocks went forward on 29 March 2026: 10:00 on 30 March is BST (09:00 UTC).
    start = datetime(2026, 3, 30, 10, 0, tzinfo=LONDON)
    assert start.utcoffset() is not None and start.utcoffset().total_seconds() == 3600
    text = text_of(render_leaflet(replace(DATA, appointments=(replace(OPEN_ROAD, start=start),))))
    assert "Monday, 30 March 2026" in text and "10:00" in text and "09:00" not in text


def test_the_same_instant_given_in_utc_prints_the_london_date_and_time() -> None:
    utc = ZoneInfo("UTC")
    text = text_of(render_leaflet(replace(DATA, appointments=(
        replace(OPEN_ROAD, start=datetime(2026, 3, 30, 9, 0, tzinfo=utc)),))))
    assert "10:00" in text and "09:00" not in text
    late = datetime(2026, 4, 6, 23, 30, tzinfo=utc)  # 00:30 on Tuesday 7 April in London
    assert "Tuesday, 7 April 2026" in text_of(render_leaflet(replace(DATA, appointments=(
        replace(OPEN_ROAD, start=late),))))


def test_a_combined_order_lists_both_appointments_and_both_requirements() -> None:
    therapy = LeafletAppointment(
        booking_id="6b1f1d0e-0c1d-4a6e-8f57-1f8c2a8d9b21", start=datetime(2026, 4, 9, 13, 30, tzinfo=LONDON),
        minutes=50, provider_name="Talking Therapies", address="Civic Centre, Duke Street, Chelmsford CM1 1JE",
        phone="01245 000 300", booked_at=BOOKED, see="psychologist")
    pdf = render_leaflet(replace(DATA, requirements=("ATR", "MHTR_PRIMARY"), appointments=(OPEN_ROAD, therapy)))
    text = text_of(pdf)
    assert "Your next appointments" in text
    assert "Tuesday, 7 April 2026" in text and "Thursday, 9 April 2026" in text and "13:30" in text
    assert "Talking Therapies" in text and "a psychologist" in text
    assert "Mental health treatment requirement" in text
    assert "Phone 01245 000 200, 01245 000 300 as soon as you can" in text


def test_easy_read_has_no_text_under_14_points_and_pictures_left_of_the_words() -> None:
    pdf = render_leaflet(DATA, easy_read=True)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        sizes = {round(c["size"]) for p in doc.pages for c in p.chars}
        first = doc.pages[0]
        picture_right = max(c["x1"] for c in first.curves + first.rects if c["width"] < 100)
        day = next(w for w in first.extract_words() if w["text"] == "Day")
    assert min(sizes) >= 14 and EASY_READ.body >= 14
    assert day["x0"] > picture_right - 60  # the words start right of the picture column


def test_a5_fold_prints_two_a5_panels_on_a4_landscape() -> None:
    pdf = render_leaflet(DATA, paper="a5-fold")
    assert set(page_sizes(pdf)) == {(297, 210)}
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        xs = [c["x0"] for p in doc.pages for c in p.chars]
    assert min(xs) < 841.89 / 2 < max(xs)  # text on both halves of the sheet
    assert shows(pdf, "Tuesday, 7 April 2026")


def test_bad_input_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="aware"):
        render_leaflet(replace(DATA, appointments=(replace(OPEN_ROAD, start=datetime(2026, 4, 7, 10, 0)),)))
    with pytest.raises(ValueError, match="requirement"):
        render_leaflet(replace(DATA, requirements=("XYZ",)))
    with pytest.raises(ValueError, match="appointment"):
        render_leaflet(replace(DATA, appointments=()))
    with pytest.raises(UnknownLanguage, match="'fr'"):
        render_leaflet(DATA, "fr")
    with pytest.raises(ValueError, match="paper"):
        render_leaflet(DATA, paper="letter")


def test_the_pdf_is_made_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A private temp dir and cwd keep the before/after listing free of other processes' files.
    tmp, cwd = tmp_path / "tmp", tmp_path / "cwd"
    tmp.mkdir()
    cwd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.chdir(cwd)
    real_open = builtins.open
    writes: list[str] = []

    def guarded_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(flag in mode for flag in "wax+"):
            writes.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    before = (sorted(os.listdir(tempfile.gettempdir())), sorted(os.listdir(Path.cwd())))
    pdf = render_leaflet(replace(DATA, person_name="Sam Example"), "ur", easy_read=True)
    after = (sorted(os.listdir(tempfile.gettempdir())), sorted(os.listdir(Path.cwd())))
    assert pdf.startswith(b"%PDF")
    assert before == after == ([], [])
    assert writes == []


def test_dates_are_not_wall_clock_dependent() -> None:
    """The leaflet prints the appointment it is given, whatever today is."""
    assert date(2026, 4, 7).weekday() == 1
    assert shows(render_leaflet(DATA), "Tuesday, 7 April 2026")
