"""Providers, slots and appointments from the site configuration: by day, in London time, across the clock change."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.appointment import ManualAppointment, appointments_needed, slots_by_day
from app.case import Case, FieldErrors
from app.sentence import SentenceRecord
from app.site import ConfigError, Provider, demo_site_path, load_site, parse_site
from app.suitability import COMMUNITY_ORDER, Order

LONDON = ZoneInfo("Europe/London")
SITE = load_site(demo_site_path())


def provider(**kw: object) -> Provider:
    base: dict[str, object] = dict(id="p", name="P", requirements=("ATR",), address="A", phone="1", see="key_worker",
                                   weekdays=("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
                                   times=(time(10, 0),), days_ahead=7)
    base.update(kw)
    return Provider(**base)  # type: ignore[arg-type]


def test_the_demo_site_describes_each_provider() -> None:
    open_road = SITE.provider("open-road")
    assert open_road.phone == "01245 000 200" and open_road.email == "referrals@openroad.example"
    assert open_road.languages == ("en", "pl", "ro") and "hearing_loop" in open_road.accessibility
    assert dict(open_road.opening_hours)["wed"] == ((time(9), time(19)),)
    assert open_road.directions["en"].startswith("A 10-minute walk")
    assert SITE.provider("phoenix-futures").books_by_hand and not open_road.books_by_hand
    assert SITE.leaflet_shows_name is False and SITE.leaflet_paper == "a4"


def test_slots_come_by_day_in_time_order_and_skip_closed_days() -> None:
    days = slots_by_day(SITE.provider("open-road").slots(date(2026, 12, 21)))  # a Monday
    assert [d for d, _s in days][:4] == [date(2026, 12, 22), date(2026, 12, 23), date(2026, 12, 24),
                                         date(2026, 12, 29)]  # 25 and 28 December closed, weekend skipped
    assert [s.start.time() for s in days[0][1]] == [time(10), time(14)]


def test_a_slot_keeps_its_wall_clock_time_across_the_clock_change() -> None:
    slots = provider().slots(date(2026, 3, 27))  # from Saturday 28 March; clocks go forward on the 29th
    before, after = slots[0].start, slots[2].start
    assert (before.date(), after.date()) == (date(2026, 3, 28), date(2026, 3, 30))
    assert before.time() == after.time() == time(10, 0)
    assert before.utcoffset() == timedelta(0) and after.utcoffset() == timedelta(hours=1)
    autumn = provider().slots(date(2026, 10, 24))  # clocks go back on Sunday 25 October
    assert [s.start.utcoffset() for s in autumn[:2]] == [timedelta(hours=0), timedelta(hours=0)]
    assert autumn[0].start.date() == date(2026, 10, 25)


def test_a_time_that_does_not_exist_on_the_clock_change_day_is_not_offered() -> None:
    slots = provider(times=(time(1, 30), time(10, 0))).slots(date(2026, 3, 28))
    on_the_day = [s.start.time() for s in slots if s.start.date() == date(2026, 3, 29)]
    assert on_the_day == [time(10, 0)]  # 01:30 never happens that night


def test_an_appointment_entered_by_hand_is_checked_at_each_field() -> None:
    today = date(2026, 3, 20)
    start, minutes = ManualAppointment("30/03/2026", "9.15", "45").validate(today)
    assert start == datetime(2026, 3, 30, 9, 15, tzinfo=LONDON) and minutes == 45
    with pytest.raises(FieldErrors) as bad:
        ManualAppointment("31/02/2026", "25:00", "0").validate(today)
    assert set(bad.value.errors) == {"day", "at", "minutes"}
    with pytest.raises(FieldErrors, match="after today"):
        ManualAppointment("20/03/2026", "10:00", "60").validate(today)
    with pytest.raises(FieldErrors, match="clocks go forward"):
        ManualAppointment("29/03/2026", "01:30", "60").validate(today)


def sentenced(requirements: dict[str, int], **kw: object) -> Case:
    """A case as the log has it once the court imposed these requirements (months each)."""
    order = Order(COMMUNITY_ORDER, max(requirements.values()), requirements)
    record = SentenceRecord(outcome="probation_sentence", sentence_date=date(2026, 11, 23), sentenced_on_day=True,
                            order=order, short_form="custody", custody_length=12, custody_unit="weeks")
    return Case("c", consent={"decision": "agree"}, sentence=record.to_payload(), **kw)  # type: ignore[arg-type]


def test_a_combined_order_needs_one_appointment_per_provider() -> None:
    case = sentenced({"ATR": 12, "MHTR_PRIMARY": 12})
    needs = appointments_needed(case, SITE)
    assert [(n.provider.id, n.requirements) for n in needs] == [("open-road", ("ATR",)),
                                                                ("mind-primary", ("MHTR_PRIMARY",))]
    drr_and_atr = sentenced({"ATR": 12, "DRR": 12})
    assert [(n.provider.id, n.requirements) for n in appointments_needed(drr_and_atr, SITE)] == [
        ("open-road", ("ATR", "DRR"))]  # one provider sees both: one appointment
    by_hand = appointments_needed(drr_and_atr, SITE, {"DRR": "phoenix-futures"})
    assert [n.provider.id for n in by_hand] == ["open-road", "phoenix-futures"]


def test_the_provider_that_agreed_is_the_one_booked() -> None:
    case = sentenced({"DRR": 12}, providers={"DRR": {"outcome": "agreed", "provider_id": "phoenix-futures"}})
    (need,) = appointments_needed(case, SITE, {"DRR": "open-road"})
    assert need.provider.id == "phoenix-futures" and need.options == ()


SITE_TOML = '''[site]
id = "t"
name = "T"
screening_tool = "cdo_court_screen"

[[courts]]
id = "c"
name = "C"

[[officers]]
id = "o"
name = "O"

[[providers]]
id = "first"
name = "First"
requirements = ["ATR"]
address = "A"
phone = "1"

[[providers]]
id = "second"
name = "Second"
requirements = ["DRR"]
address = "B"
phone = "2"
accessibility = ["step_free"]
languages = ["en"]

[providers.opening_hours]
mon = "09:00-17:00"

[providers.slots]
weekdays = ["mon"]
times = ["10:00"]
'''


@pytest.mark.parametrize(("change", "line", "message"), [
    (('accessibility = ["step_free"]', 'accessibility = ["lift", "ramp"]'), 27, "unknown accessibility 'ramp'"),
    (('languages = ["en"]', 'languages = ["en", "klingon-xx"]'), 28, "'klingon-xx', which is not a language code"),
    (('mon = "09:00-17:00"', 'mon = "9-5"'), 31, "should look like 09:00-17:00"),
    (('mon = "09:00-17:00"', 'mon = "17:00-09:00"'), 31, "closes at 09:00 on mon, before it opens"),
    (('times = ["10:00"]', 'times = ["16:30"]'), 35, "slot at 16:30 on mon, outside its opening hours"),
    (('times = ["10:00"]', 'times = ["10:00"]\nminutes = 0'), 36, "minutes = 0"),
    (('weekdays = ["mon"]', 'weekdays = ["monday"]'), 34, "unknown weekday 'monday'"),
    (('id = "second"', 'id = "first"'), 21, "provider id 'first' is used twice"),
    (('phone = "2"', 'phone = ""'), 21, "'phone' is missing in [[providers]] number 2"),
])
def test_a_wrong_provider_is_reported_with_file_and_line(change: tuple[str, str], line: int, message: str) -> None:
    path = Path("sites/t.toml")
    assert parse_site(SITE_TOML, path).provider("second").times == (time(10),)
    with pytest.raises(ConfigError) as err:
        parse_site(SITE_TOML.replace(*change), path)
    assert str(err.value).startswith(f"{path}:{line}: ") and message in str(err.value), str(err.value)


def test_site_words_given_per_language_need_an_english_fallback() -> None:
    bad = SITE_TOML.replace('phone = "2"', 'phone = "2"\ndirections = {pl = "Autobus 42"}')
    with pytest.raises(ConfigError, match="no 'en' entry"):
        parse_site(bad, Path("t.toml"))
    good = parse_site(SITE_TOML.replace('phone = "2"', 'phone = "2"\nsee = {en = "a nurse", pl = "pielęgniarka"}'),
                      Path("t.toml"))
    assert good.provider("second").see_text == {"en": "a nurse", "pl": "pielęgniarka"}


def test_leaflet_options_are_checked() -> None:
    with pytest.raises(ConfigError, match="paper 'letter'"):
        parse_site(SITE_TOML + '\n[leaflet]\npaper = "letter"\n', Path("t.toml"))
    assert parse_site(SITE_TOML + "\n[leaflet]\nshow_name = true\n", Path("t.toml")).leaflet_shows_name
