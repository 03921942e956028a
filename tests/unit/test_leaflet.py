"""The CSTR leaflet: the right London date and time, the provider's details, and nothing left on disk."""

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

import pytest
from pypdf import PdfReader

from app.i18n import fmt_date
from app.leaflet import LeafletData, render_leaflet

LONDON = ZoneInfo("Europe/London")

DATA = LeafletData(
    requirements=("ATR",),
    appointment_start=datetime(2026, 4, 7, 10, 0, tzinfo=LONDON),  # a Tuesday, BST
    appointment_minutes=60,
    provider_name="Open Road Drug & Alcohol Service",
    provider_address="7 Market Road, Chelmsford CM1 1XA",
    provider_phone="01245 000 200",
    see="a drug and alcohol worker",
    probation_contact="Chelmsford Probation Office, 01245 000 100",
    order_months=12,
)


def _read(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")
    return reader, " ".join(text.split())  # undo line wrapping so phrases can be matched


def test_leaflet_shows_the_appointment_and_provider() -> None:
    pdf = render_leaflet(DATA)
    assert pdf.startswith(b"%PDF")
    reader, text = _read(pdf)
    assert fmt_date(date(2026, 4, 7), "full") in text
    assert "Tuesday" in text and "7 April 2026" in text
    assert "10:00" in text
    for value in (DATA.provider_name, DATA.provider_address, DATA.provider_phone, DATA.see,
                  DATA.probation_contact):
        assert value in text
    assert "Alcohol treatment requirement" in text
    assert "12 months" in text
    assert "note from a doctor" in text
    assert len(reader.pages) == 1


def test_metadata_has_title_and_no_personal_data() -> None:
    reader, _text = _read(render_leaflet(DATA))
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "CSTR leaflet"
    assert not meta.author and not meta.subject
    joined = " ".join(str(v) for v in meta.values())
    for value in (DATA.provider_name, DATA.provider_address, DATA.provider_phone, DATA.probation_contact):
        assert value not in joined


def test_time_after_the_clock_change_prints_local_time() -> None:
    # Clocks went forward on 29 March 2026: 10:00 on 30 March is BST (09:00 UTC).
    start = datetime(2026, 3, 30, 10, 0, tzinfo=LONDON)
    assert start.utcoffset() is not None and start.utcoffset().total_seconds() == 3600
    _reader, text = _read(render_leaflet(replace(DATA, appointment_start=start)))
    assert fmt_date(date(2026, 3, 30), "full") in text
    assert "10:00" in text
    assert "09:00" not in text


def test_same_instant_given_in_utc_prints_london_time_and_date() -> None:
    start = datetime(2026, 3, 30, 9, 0, tzinfo=ZoneInfo("UTC"))
    _reader, text = _read(render_leaflet(replace(DATA, appointment_start=start)))
    assert "10:00" in text and "09:00" not in text
    late = datetime(2026, 4, 6, 23, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 on Tuesday 7 April in London
    _reader, text = _read(render_leaflet(replace(DATA, appointment_start=late)))
    assert fmt_date(date(2026, 4, 7), "full") in text


def test_combined_order_with_long_details_stays_on_one_page() -> None:
    data = replace(
        DATA,
        requirements=("DRR", "MHTR_SECONDARY"),
        provider_name="Mid and South Essex Community Mental Health Team and Partners",
        provider_address="Unit 12, The Long Business Park, Westway Industrial Estate, Chelmsford, Essex CM1 3AB",
        see="a community psychiatric nurse and a drug and alcohol worker",
        order_months=24,
    )
    reader, text = _read(render_leaflet(data))
    assert len(reader.pages) == 1
    assert "Drug rehabilitation requirement" in text and "drug tests" in text
    assert "Mental health treatment requirement" in text


def test_naive_time_and_unknown_requirement_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        render_leaflet(replace(DATA, appointment_start=datetime(2026, 4, 7, 10, 0)))
    with pytest.raises(ValueError, match="requirement"):
        render_leaflet(replace(DATA, requirements=("XYZ",)))


def test_pdf_is_produced_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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
    pdf = render_leaflet(DATA)
    after = (sorted(os.listdir(tempfile.gettempdir())), sorted(os.listdir(Path.cwd())))
    assert pdf.startswith(b"%PDF")
    assert before == after == ([], [])
    assert writes == []
