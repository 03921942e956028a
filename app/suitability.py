"""Suitability for ATR, DRR and MHTR (primary / secondary care): every criterion met, not met or unknown, with
its reason and source, and the checks on the order as a whole.

The rules are data (`app/rules.py`, `content/rules/`), picked by the date of conviction. This module turns a
case into the facts the rules test: the officer's view of the offence, the screening, what the provider
said (`provider_agreed`) and the consent record. A requirement is eligible only when every criterion is
met; one criterion not met makes it not eligible; otherwise it waits for whoever can settle the rest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from app.case import FieldErrors, age_on
from app.i18n import N_, _, fmt_date
from app.rules import MET, NOT_MET, SETTLED_BY, UNKNOWN, RuleBook, RulesError, RuleSet, evaluate, rule_book

ELIGIBLE = "eligible"
NOT_ELIGIBLE = "not_eligible"
NEEDS_PROVIDER = "needs_provider_assessment"
NEEDS_CONSENT = "needs_consent"
NEEDS_INFORMATION = "needs_information"
STATUSES = (ELIGIBLE, NOT_ELIGIBLE, NEEDS_PROVIDER, NEEDS_CONSENT, NEEDS_INFORMATION)
# Who settles an unknown criterion decides what the requirement is waiting for.
_WAITING_FOR = {"screening": NEEDS_PROVIDER, "provider": NEEDS_PROVIDER, "officer": NEEDS_INFORMATION,
                "consent": NEEDS_CONSENT}

COMMUNITY_ORDER, SUSPENDED_SENTENCE_ORDER = "community_order", "suspended_sentence_order"
ORDER_TYPES: dict[str, str] = {
    COMMUNITY_ORDER: N_("Community order"),
    SUSPENDED_SENTENCE_ORDER: N_("Suspended sentence order"),
}
CONTACT_METHODS: dict[str, str] = {
    "phone": N_("Phone"), "email": N_("Email"), "in_person": N_("In person at court"),
    "video": N_("Video call"), "secure_message": N_("Secure message"),
}
PROVIDER_OUTCOMES: dict[str, str] = {
    "agreed": N_("The provider assessed and agreed"),
    "declined": N_("The provider assessed and does not agree"),
    "pending": N_("The assessment is not finished yet"),
}
_CONTACTED = {"phone": N_("by phone"), "email": N_("by email"), "in_person": N_("in person at court"),
              "video": N_("by video call"), "secure_message": N_("by secure message")}
_SCORE_NAMES = {"audit": "AUDIT", "dast10": "DAST-10", "phq9": "PHQ-9", "gad7": "GAD-7"}
MAX_MONTHS = 60  # beyond any legal limit: a bigger number is a typing slip, refused before the rules run


@dataclass(frozen=True)
class Offence:
    """The officer's view of the offence, which the rules need: when convicted, imprisonable, how serious."""

    conviction_date: date | None
    imprisonable: bool | None = None
    seriousness: str | None = None

    def validate(self, rules: RuleBook, today: date) -> None:
        e: dict[str, str] = {}
        if self.conviction_date is None:
            e["conviction_date"] = _("Enter the date of conviction as day, month and year, for example 23/11/2026")
        elif self.conviction_date > today:
            e["conviction_date"] = _("The date of conviction cannot be in the future")
        if self.imprisonable is None:
            e["imprisonable"] = _("Say whether the offence is punishable with imprisonment")
        if self.seriousness not in {lv.id for lv in rules.levels}:
            e["seriousness"] = _("Choose how serious the offence is")
        if e:
            raise FieldErrors(e)

    def to_payload(self) -> dict[str, Any]:
        return {"conviction_date": self.conviction_date.isoformat() if self.conviction_date else None,
                "imprisonable": self.imprisonable, "seriousness": self.seriousness}

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> Offence:
        d = p.get("conviction_date")
        return cls(date.fromisoformat(d) if d else None, p.get("imprisonable"), p.get("seriousness"))


@dataclass(frozen=True)
class CaseFacts:
    """Everything the rules look at, as recorded: nothing here is guessed."""

    dob: date | None
    offence: Offence
    screening: Mapping[str, Any] | None = None  # the screening result: flags and totals
    providers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # provider_agreed, by requirement
    consent: Mapping[str, Any] | None = None  # the latest consent record

    @classmethod
    def from_case(cls, case: Any, offence: Offence | None = None) -> CaseFacts:
        """Facts from a case projection; `offence` previews values not yet saved."""
        details = case.details
        if offence is None:
            saved = (case.suitability or {}).get("offence")
            offence = Offence.from_payload(saved) if saved else Offence(details.hearing_date if details else None)
        return cls(dob=details.dob if details else None, offence=offence,
                   screening=case.screening["result"] if case.screening else None,
                   providers=dict(case.providers), consent=case.consent)


@dataclass(frozen=True)
class CriterionResult:
    id: str
    text: str
    result: str  # met | not_met | unknown
    reason: str
    source: str
    source_kind: str  # statute | guideline | policy
    url: str
    settled_by: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "criterion": self.text, "result": self.result, "reason": self.reason,
                "source": self.source, "source_kind": self.source_kind, "settled_by": self.settled_by}


@dataclass(frozen=True)
class Decision:
    requirement: str
    name: str
    status: str
    criteria: tuple[CriterionResult, ...]

    @property
    def outstanding(self) -> tuple[CriterionResult, ...]:
        return tuple(c for c in self.criteria if c.result == UNKNOWN)

    def to_dict(self) -> dict[str, Any]:
        return {"requirement": self.requirement, "name": self.name, "status": self.status,
                "criteria": [c.to_dict() for c in self.criteria]}


@dataclass(frozen=True)
class Assessment:
    conviction_date: date
    decisions: tuple[Decision, ...]
    rules: RuleSet

    def decision(self, requirement: str) -> Decision:
        return next(d for d in self.decisions if d.requirement == requirement)

    def to_dict(self) -> dict[str, Any]:
        return {"conviction_date": self.conviction_date.isoformat(), "rules": self.rules.cited(),
                "decisions": [d.to_dict() for d in self.decisions]}


def assess(facts: CaseFacts, book: RuleBook | None = None) -> Assessment:
    """One decision per requirement, from the rules in force on the date of conviction."""
    if facts.offence.conviction_date is None:
        raise FieldErrors({"conviction_date": _("Enter the date of conviction: the rules that apply depend on it")})
    rules = (book or rule_book()).for_date(facts.offence.conviction_date)
    base = _case_env(facts, rules)
    decisions = []
    for req in rules.requirements:
        env = {**base, **_requirement_env(facts, rules, req.id)}
        results = []
        for c in sorted(rules.criteria_for(req.id), key=lambda c: SETTLED_BY.index(c.settled_by)):
            value = evaluate(c.test, env)
            result = UNKNOWN if value is None else (MET if value else NOT_MET)
            results.append(CriterionResult(c.id, _(c.text), result, _fill(_(c.reason(result)), env),
                                           c.source.citation, c.source.kind, c.source.url, c.settled_by))
        decisions.append(Decision(req.id, _(req.name), _status(results), tuple(results)))
    return Assessment(facts.offence.conviction_date, tuple(decisions), rules)


def _status(results: list[CriterionResult]) -> str:
    if any(r.result == NOT_MET for r in results):
        return NOT_ELIGIBLE
    waiting = {_WAITING_FOR[r.settled_by] for r in results if r.result == UNKNOWN}
    for status in (NEEDS_PROVIDER, NEEDS_INFORMATION, NEEDS_CONSENT):
        if status in waiting:
            return status
    return ELIGIBLE


def _case_env(facts: CaseFacts, rules: RuleSet) -> dict[str, Any]:
    conviction = facts.offence.conviction_date
    assert conviction is not None
    level = next((lv for lv in rules.levels if lv.id == facts.offence.seriousness), None)
    env: dict[str, Any] = {lv.id: lv.rank for lv in rules.levels}
    env.update({
        "age": age_on(facts.dob, conviction) if facts.dob else None,
        "imprisonable": facts.offence.imprisonable,
        "seriousness": level.rank if level else None,
        "screened": facts.screening is not None,
        "conviction_date": fmt_date(conviction, "long"),
        "seriousness_label": _(level.label) if level else _("not recorded"),
    })
    return env


def _requirement_env(facts: CaseFacts, rules: RuleSet, requirement: str) -> dict[str, Any]:
    req = rules.requirement(requirement)
    record = facts.providers.get(requirement)
    outcome = record.get("outcome") if record else None
    findings = dict(record.get("findings", {})) if record else {}
    env: dict[str, Any] = {q.id: findings.get(q.id) for q in req.questions}
    flags = set(facts.screening.get("flags", [])) if facts.screening else set()
    score = (facts.screening or {}).get("totals", {}).get(req.score)
    env.update({
        "candidate": (req.flag in flags) if facts.screening is not None else None,
        "score": score,
        "provider_recorded": record is not None,
        "assessed": outcome in ("agreed", "declined"),
        "agreed": {"agreed": True, "declined": False}.get(outcome or ""),
        "willing": willing(facts.consent, requirement),
        "requirement_name": _(req.name),
        "agreed_months": record.get("months") if record else None,
        "screening_note": _screening_note(facts.screening, req.flag, req.score, score),
        "provider_note": provider_note(record),
        "consent_note": consent_note(facts.consent, requirement),
    })
    return env


def willing(consent: Mapping[str, Any] | None, requirement: str) -> bool | None:
    """From the consent record: agreed to this requirement, declined, or not (yet) known."""
    if not consent:
        return None
    covered = consent.get("requirements")
    if covered is not None and requirement not in covered:
        return None
    return {"agree": True, "disagree": False, "withdrawn": False}.get(consent.get("decision", ""))


def _screening_note(screening: Mapping[str, Any] | None, flag: str, score_id: str, score: Any) -> str:
    if screening is None:
        return _("No screening recorded yet")
    scored = (f"{_SCORE_NAMES.get(score_id, score_id.upper())} {score}" if score is not None
              else _("{score} not scored").format(score=_SCORE_NAMES.get(score_id, score_id.upper())))
    if flag in set(screening.get("flags", [])):
        return _("Screening points to it: {scored}").format(scored=scored)
    return _("Screening does not point to it: {scored}").format(scored=scored)


def provider_note(record: Mapping[str, Any] | None) -> str:
    """Who, when and how, in one line: the court is told the provider agreed, and this is how."""
    if not record:
        return _("No provider assessment recorded yet")
    who = record.get("provider_name") or record.get("provider_id", "")
    if record.get("practitioner"):
        who = f"{who} ({record['practitioner']})"
    how = _(_CONTACTED.get(record.get("method", ""), record.get("method", "")))
    when = record.get("contacted_on", "")
    if when:
        when = fmt_date(date.fromisoformat(when), "long") + (f" {record['contacted_at']}" if record.get(
            "contacted_at") else "")
    outcome = record.get("outcome")
    if outcome == "agreed":
        return _("{who} assessed and agreed, {months} months; contacted {how}, {when}").format(
            who=who, months=record.get("months"), how=how, when=when)
    if outcome == "declined":
        return _("{who} assessed and does not agree; contacted {how}, {when}").format(who=who, how=how, when=when)
    return _("{who} contacted {how}, {when}: assessment not finished").format(who=who, how=how, when=when)


def consent_note(consent: Mapping[str, Any] | None, requirement: str) -> str:
    if not consent:
        return _("Consent not taken yet")
    covered = consent.get("requirements")
    if covered is not None and requirement not in covered:
        return _("The consent recorded does not cover this requirement: take consent again")
    decision = consent.get("decision")
    if decision == "agree":
        return _("The person agreed on the tablet ({how})").format(how=consent_how(consent))
    if decision == "disagree":
        return _("The person did not agree")
    if decision == "withdrawn":
        return _("The person withdrew their consent")
    return _("The person asked for more time or to speak to their solicitor")


def consent_how(consent: Mapping[str, Any], interpreter_language: str = "") -> str:
    """How consent was given: easy read or standard text, in which language, with an interpreter or not."""
    parts = [_("easy read") if consent.get("format", "easy_read") == "easy_read" else _("standard text")]
    locale = consent.get("locale")
    if locale:
        try:
            language = Locale.parse(locale.replace("-", "_")).get_display_name("en") or locale
        except (ValueError, UnknownLocaleError):
            language = locale
        parts.append(_("in {language}").format(language=language))
    interpreter = consent.get("interpreter")
    if isinstance(interpreter, dict):  # the consent record names the interpreter, the language and how they took part
        language = interpreter.get("language") or interpreter_language
        mode = {"present": _("in the room"), "phone": _("by phone")}.get(interpreter.get("mode", ""), "")
        parts.append(", ".join(filter(None, [_("with an interpreter ({language})").format(language=language)
                                             if language else _("with an interpreter"), mode])))
    elif interpreter:
        parts.append(_("with an interpreter ({language})").format(language=interpreter_language)
                     if interpreter_language else _("with an interpreter"))
    return ", ".join(parts)


def _fill(template: str, env: Mapping[str, Any]) -> str:
    shown = {k: (_("not recorded") if v is None else (_("yes") if v is True else _("no") if v is False else v))
             for k, v in env.items()}
    return template.format_map(shown)


# --- The order as a whole ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Order:
    """An order proposed or imposed: its type, length and the requirements in it with their lengths in months."""

    order_type: str
    order_months: int | None
    requirements: Mapping[str, int]
    supervision_months: int | None = None
    aamr: bool = False
    other_requirements: int = 0

    def validate(self, known: set[str]) -> None:
        """Shape only (numbers, known names); the legal limits are the rules' job."""
        e: dict[str, str] = {}
        if self.order_type not in ORDER_TYPES:
            e["order_type"] = _("Choose a community order or a suspended sentence order")
        if self.order_months is None or not 1 <= self.order_months <= MAX_MONTHS:
            e["order_months"] = _("Enter the length of the order in months, for example 12")
        if self.order_type == SUSPENDED_SENTENCE_ORDER and (
                self.supervision_months is None or not 1 <= self.supervision_months <= MAX_MONTHS):
            e["supervision_months"] = _("Enter the supervision period in months, for example 12")
        for req, months in self.requirements.items():
            if req not in known:
                e["requirements"] = _("Unknown requirement {name}").format(name=req)
            elif not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
                e[f"months_{req}"] = _("Enter the length of each requirement in months, for example 12")
        if not 0 <= self.other_requirements <= 20:
            e["other_requirements"] = _("Enter the number of other requirements, for example 0 or 1")
        if e:
            raise FieldErrors(e)

    def to_payload(self) -> dict[str, Any]:
        return {"order_type": self.order_type, "order_months": self.order_months,
                "supervision_months": self.supervision_months if self.order_type == SUSPENDED_SENTENCE_ORDER
                else None,
                "requirements": dict(self.requirements), "aamr": self.aamr,
                "other_requirements": self.other_requirements}

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> Order:
        return cls(p["order_type"], p.get("order_months"), dict(p.get("requirements", {})),
                   p.get("supervision_months"), bool(p.get("aamr", False)), int(p.get("other_requirements", 0)))


@dataclass(frozen=True)
class OrderFinding:
    id: str
    severity: str  # block | warn | note
    text: str
    source: str
    source_kind: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "severity": self.severity, "text": self.text, "source": self.source,
                "source_kind": self.source_kind}


def check_order(order: Order, rules: RuleSet, stage: str, seriousness: str | None = None,
                facts: CaseFacts | None = None) -> list[OrderFinding]:
    """Every check in force that the order raises: combined-order rule, lengths, conflicts, heavy orders."""
    treatments = {rules.requirement(r).treatment for r in order.requirements}
    months = list(order.requirements.values())
    level = next((lv for lv in rules.levels if lv.id == seriousness), None)
    atr_record = (facts.providers.get("ATR") if facts else None) or {}
    flags = set((facts.screening or {}).get("flags", [])) if facts and facts.screening else set()
    env: dict[str, Any] = {lv.id: lv.rank for lv in rules.levels}
    env.update({
        "seriousness": level.rank if level else None,
        "seriousness_label": _(level.label) if level else _("not recorded"),
        "community_order": order.order_type == COMMUNITY_ORDER,
        "suspended_sentence_order": order.order_type == SUSPENDED_SENTENCE_ORDER,
        "order_months": order.order_months,
        "supervision_months": order.supervision_months if order.order_type == SUSPENDED_SENTENCE_ORDER else None,
        "treatments": len(treatments),
        "requirements": len(order.requirements) + order.other_requirements + (1 if order.aamr else 0),
        "other_requirements": order.other_requirements,
        "atr": "ATR" in order.requirements, "drr": "DRR" in order.requirements,
        "mhtr_primary": "MHTR_PRIMARY" in order.requirements, "mhtr_secondary": "MHTR_SECONDARY" in order.requirements,
        "aamr": order.aamr,
        "longest_requirement": max(months) if months else None,
        "shortest_requirement": min(months) if months else None,
        "drr_months": order.requirements.get("DRR"),
        "alcohol_dependent": atr_record.get("findings", {}).get("dependent"),
        "atr_candidate": ("atr_candidate" in flags) if facts and facts.screening else None,
    })
    out = []
    for check in rules.checks_for(stage):
        if evaluate(check.when, env) is True:
            out.append(OrderFinding(check.id, check.severity, _fill(_(check.text), env),
                                    check.source.citation, check.source.kind))
    return out


def blocking(findings: list[OrderFinding]) -> dict[str, str]:
    """Refusals as field errors, one per check, so the screen shows every reason at once."""
    return {f"order_{f.id}": f"{f.text} ({f.source})" for f in findings if f.severity == "block"}


# --- `courtside suitability CASE.json` --------------------------------------------------------------------


class CaseFileError(ValueError):
    """A worked case file is wrong; the message names the file and the field."""


def assess_case_file(path: Path | str, book: RuleBook | None = None) -> tuple[dict[str, Any], bool]:
    """The decision for a case written as JSON, with every criterion, reason and source; and whether it
    matched the file's `expected` results (True when the file expects nothing)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CaseFileError(f"{path}: cannot read the case file ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise CaseFileError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except UnicodeDecodeError:
        raise CaseFileError(f"{path}: not UTF-8 text") from None
    book = book or rule_book()
    facts, order = _facts_from_json(path, data, book)
    try:
        assessment = assess(facts, book)
    except RulesError as exc:
        raise CaseFileError(f"{path}: offence.conviction_date: {exc}") from None
    except FieldErrors as exc:
        raise CaseFileError(f"{path}: {exc}") from None
    out: dict[str, Any] = {"file": str(path), "description": data.get("description", ""), **assessment.to_dict()}
    if order is not None:
        findings = check_order(order, assessment.rules, "proposal", facts.offence.seriousness, facts)
        out["order"] = {"stage": "proposal", **order.to_payload(), "findings": [f.to_dict() for f in findings]}
    expected = data.get("expected")
    if expected is None:
        return out, True
    differences = _compare(path, expected, out)
    out["expected"] = {"matches": not differences, "differences": differences}
    return out, not differences


def _facts_from_json(path: Path, data: Any, book: RuleBook) -> tuple[CaseFacts, Order | None]:
    def fail(where: str, message: str) -> CaseFileError:
        return CaseFileError(f"{path}: {where}: {message}")

    def as_date(where: str, value: Any) -> date:
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise fail(where, f"expected a date like \"2026-11-23\", got {value!r}") from None

    if not isinstance(data, dict):
        raise fail("top level", "expected a JSON object")
    known = {"description", "dob", "offence", "screening", "providers", "consent", "order", "expected"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise fail(unknown[0], f"unknown field (expected some of {', '.join(sorted(known))})")
    dob = as_date("dob", data["dob"]) if data.get("dob") is not None else None
    off = data.get("offence")
    if not isinstance(off, dict) or "conviction_date" not in off:
        raise fail("offence", "expected {\"conviction_date\": ..., \"imprisonable\": ..., \"seriousness\": ...}")
    seriousness = off.get("seriousness")
    levels = {lv.id for lv in book.levels}
    if seriousness is not None and seriousness not in levels:
        raise fail("offence.seriousness", f"'{seriousness}' is not one of {', '.join(lv.id for lv in book.levels)}")
    if off.get("imprisonable") not in (True, False, None):
        raise fail("offence.imprisonable", "expected true, false or null")
    offence = Offence(as_date("offence.conviction_date", off["conviction_date"]), off.get("imprisonable"),
                      seriousness)
    if dob is not None and offence.conviction_date is not None and dob > offence.conviction_date:
        raise fail("dob", f"the date of birth ({dob}) is after the conviction ({offence.conviction_date})")
    screening = data.get("screening")
    if screening is not None and (not isinstance(screening, dict) or not isinstance(screening.get("flags", []), list)
                                  or not isinstance(screening.get("totals", {}), dict)):
        raise fail("screening", "expected {\"flags\": [...], \"totals\": {...}} or null")
    ranges = _total_ranges()
    for total_id, value in (screening or {}).get("totals", {}).items():
        low, high = ranges.get(total_id, (0, None))
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(f"screening.totals.{total_id}", f"expected a whole number, got {value!r}")
        if value < low or (high is not None and value > high):
            raise fail(f"screening.totals.{total_id}", f"{value} is outside the instrument's range {low} to "
                                                        f"{high if high is not None else 'any'}")
    providers = data.get("providers", {})
    requirement_ids = {r.id for r in book.requirements}
    if not isinstance(providers, dict):
        raise fail("providers", "expected an object keyed by requirement, e.g. {\"ATR\": {...}}")
    for req, record in providers.items():
        where = f"providers.{req}"
        if req not in requirement_ids:
            raise fail(where, f"unknown requirement (expected one of {', '.join(sorted(requirement_ids))})")
        if not isinstance(record, dict) or record.get("outcome") not in PROVIDER_OUTCOMES:
            raise fail(f"{where}.outcome", f"expected one of {', '.join(PROVIDER_OUTCOMES)}")
        questions = {q.id for q in next(r for r in book.requirements if r.id == req).questions}
        for qid, answer in record.get("findings", {}).items():
            if qid not in questions:
                raise fail(f"{where}.findings.{qid}", f"not a question for {req} (expected "
                                                      f"{', '.join(sorted(questions))})")
            if answer not in (True, False, None):
                raise fail(f"{where}.findings.{qid}", "expected true, false or null")
    consent = data.get("consent")
    if consent is not None and (not isinstance(consent, dict) or consent.get("decision") not in (
            "agree", "disagree", "more_time", "withdrawn")):
        raise fail("consent.decision", "expected \"agree\", \"disagree\", \"more_time\" or \"withdrawn\"")
    order = None
    if data.get("order") is not None:
        raw = data["order"]
        lengths: dict[str, Any] = {}
        if isinstance(raw, dict) and isinstance(raw.get("requirements", {}), dict):
            lengths = {"order_months": raw.get("order_months"), "supervision_months": raw.get("supervision_months"),
                       **{f"requirements.{k}": v for k, v in (raw.get("requirements") or {}).items()}}
        for key, value in lengths.items():
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise fail(f"order.{key}", f"expected a whole number of months, got {value!r}")
        try:
            order = Order.from_payload(raw)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise fail("order", "expected {\"order_type\": ..., \"order_months\": ..., \"requirements\": "
                                "{\"ATR\": 12}, ...}") from None
        try:
            order.validate(requirement_ids)
        except FieldErrors as exc:
            key, message = next(iter(exc.errors.items()))
            raise fail(f"order.{key}", message) from None
    return CaseFacts(dob, offence, screening, providers, consent), order


def _total_ranges() -> dict[str, tuple[int, int]]:
    """Each screening total's possible range, from the shipped tools' published instruments (AUDIT 0-40, K10
    10-50, ...): a case file's total outside it is a typing mistake, not a score."""
    from app import screening

    ranges: dict[str, tuple[int, int]] = {}
    for path in sorted(screening.TOOLS_DIR.glob("*.toml")):
        for total in screening.load_tool(path).totals:
            ranges[total.id] = (total.minimum, total.maximum)
    return ranges


def _compare(path: Path, expected: Any, out: dict[str, Any]) -> list[str]:
    if not isinstance(expected, dict):
        raise CaseFileError(f"{path}: expected: expected an object with \"decisions\" (and \"order\")")
    differences = []
    got = {d["requirement"]: d for d in out["decisions"]}
    for req, want in expected.get("decisions", {}).items():
        if req not in got:
            raise CaseFileError(f"{path}: expected.decisions.{req}: unknown requirement")
        if isinstance(want, str):
            want = {"status": want}
        if want.get("status") and want["status"] not in STATUSES:
            raise CaseFileError(f"{path}: expected.decisions.{req}.status: '{want['status']}' is not one of "
                                f"{', '.join(STATUSES)}")
        if want.get("status") and got[req]["status"] != want["status"]:
            differences.append(f"{req}: expected {want['status']}, got {got[req]['status']}")
        results = {c["id"]: c["result"] for c in got[req]["criteria"]}
        for cid, result in want.get("criteria", {}).items():
            if results.get(cid) != result:
                differences.append(f"{req}.{cid}: expected {result}, got {results.get(cid, 'no such criterion')}")
    if "order" in expected:
        raised = sorted(f["id"] for f in out.get("order", {}).get("findings", []))
        if sorted(expected["order"]) != raised:
            differences.append(f"order: expected {sorted(expected['order'])}, got {raised}")
    return differences
