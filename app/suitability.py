"""Suitability for ATR, DRR and MHTR: first version of the rules, each reason with its source.

The screening flags say who to refer; the provider's assessment and the person's consent complete the
statutory test (Sentencing Act 2020, Sch 9), so the best the tablet can say before that is
"potentially suitable".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.case import age_on
from app.i18n import N_, _

SCH9 = "Sentencing Act 2020, Schedule 9"
SERVICE_DESCRIPTION = "CSTR ATR/DRR Service Description"
SITE_SCREEN = "Locally agreed screening tool"

POTENTIALLY_SUITABLE, NOT_INDICATED, NOT_ELIGIBLE = "potentially_suitable", "not_indicated", "not_eligible"


@dataclass(frozen=True)
class Reason:
    text: str
    source: str
    met: bool | None  # None: not known yet (e.g. the provider has not assessed)


@dataclass(frozen=True)
class Decision:
    requirement: str
    status: str
    reasons: tuple[Reason, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "status": self.status,
            "reasons": [{"text": r.text, "source": r.source, "met": r.met} for r in self.reasons],
        }


_SPECIFIC = {
    "ATR": (
        "atr_candidate",
        "audit",
        N_("AUDIT score {score}: possible alcohol dependence (20 or more)"),
        N_("AUDIT score {score}: below the possible-dependence level of 20"),
        N_("Alcohol use does not indicate dependence (AUDIT-C below 5)"),
        N_("Part 11: dependent on alcohol, and the dependency requires and may be susceptible to treatment"),
    ),
    "DRR": (
        "drr_candidate",
        "dast10",
        N_("DAST-10 score {score}: moderate or higher drug problems (3 or more)"),
        N_("DAST-10 score {score}: below 3"),
        N_("Drug use screen not completed"),
        N_(
            "Part 10: dependent on or has a propensity to misuse drugs, and requires and may be "
            "susceptible to treatment"
        ),
    ),
    "MHTR_PRIMARY": (
        "mhtr_primary_candidate",
        "phq9",
        N_("Depression or anxiety score of 10 or more, without secondary mental health care"),
        N_("Depression (PHQ-9 {score}) and anxiety scores below 10, or secondary care indicated"),
        N_("Mood screen not completed"),
        N_("Part 9: mental condition requires and may be susceptible to treatment"),
    ),
    "MHTR_SECONDARY": (
        "mhtr_secondary_indicator",
        "phq9",
        N_("Known to secondary mental health services"),
        N_("Not known to secondary mental health services"),
        N_("Not known to secondary mental health services"),
        N_("Part 9: mental condition requires treatment but does not warrant a hospital or guardianship order"),
    ),
}


def assess(screening: dict[str, Any], dob: date, hearing_date: date) -> list[Decision]:
    """One decision per requirement, from the screening result and the person's age at the hearing."""
    result = screening["result"]
    flags = set(result.get("flags", []))
    totals = result.get("totals", {})
    age = age_on(dob, hearing_date)
    adult = Reason(
        _("Aged {age} at the hearing: 18 or over").format(age=age)
        if age >= 18
        else _("Aged {age} at the hearing: under 18").format(age=age),
        f"{SCH9}, para 1",
        age >= 18,
    )
    out = []
    for req, (flag, total_key, yes, no, missing, statute) in _SPECIFIC.items():
        score = totals.get(total_key)
        if flag in flags:
            specific = Reason(_(yes).format(score=score), SITE_SCREEN, True)
        elif score is None:
            specific = Reason(_(missing), SITE_SCREEN, False)
        else:
            specific = Reason(_(no).format(score=score), SITE_SCREEN, False)
        reasons = (
            adult,
            specific,
            Reason(_("The provider must assess and agree: {statute}").format(statute=_(statute)), SCH9, None),
        )
        if not adult.met:
            status = NOT_ELIGIBLE
        elif specific.met:
            status = POTENTIALLY_SUITABLE
        else:
            status = NOT_INDICATED
        out.append(Decision(req, status, reasons))
    return out


def proposal_warnings(proposed: list[str]) -> list[str]:
    """Warnings, never blocks: the court decides; site policy guides the CDO."""
    warnings = []
    treatments = {"ATR", "DRR", "MHTR"} & {r.split("_")[0] for r in proposed}
    if len(treatments) >= 2:
        warnings.append(
            _(
                "A combined order is only recommended where the offence reaches the medium "
                "community order range or higher (site policy, from the service description)."
            )
        )
    if "MHTR_PRIMARY" in proposed and "MHTR_SECONDARY" in proposed:
        warnings.append(_("Choose primary or secondary care for the mental health treatment requirement, not both."))
    return warnings


def validate_proposal(proposed: list[str], decisions: list[Decision]) -> None:
    from app.case import FieldErrors

    allowed = {d.requirement for d in decisions if d.status != NOT_ELIGIBLE}
    if not proposed:
        raise FieldErrors({"proposed": _("Choose at least one requirement to propose")})
    if not set(proposed) <= allowed:
        raise FieldErrors({"proposed": _("The defendant is not eligible for a treatment requirement")})
    if "MHTR_PRIMARY" in proposed and "MHTR_SECONDARY" in proposed:
        raise FieldErrors({"proposed": _("Choose primary or secondary care, not both")})
