"""What the return's categories are called where people read them: the PDF and the site dashboard.

Why apart from the CSV: the CSV is the documented return, with stable ids a spreadsheet or the Programme Board's
tooling can match on ("appointment_attended", "sex:prefer_not_to_say"); a person reading a chart or a table needs
words ("First appointment attended", "Sex: Prefer not to say"), in the site admin's language.
"""

from __future__ import annotations

from app import equality
from app.case import REFERRAL_SOURCES, REQUIREMENT_NAMES
from app.i18n import N_, _, language, months
from app.sentence import SHORT_FORM

STAGES = {
    "referred": N_("Referred"), "screened": N_("Screened"), "suitable": N_("Suitable"),
    "consented": N_("Consented"), "recommended": N_("Recommended (proposed)"),
    "sentenced": N_("Sentenced"), "sentenced_on_day": N_("Sentenced on the day"),
    "appointment_booked": N_("First appointment booked"), "appointment_attended": N_("First appointment attended"),
    "breached": N_("Order breached"),
}
HEADLINE = {
    "referrals_from_cdo_percent": N_("Referrals from the court duty officer (%)"),
    "sentenced_on_day_percent": N_("Sentenced on the day (%)"),
    "mhtr_with_atr_or_drr_percent": N_("Mental health treatment requirements combined with ATR or DRR (%)"),
    "first_appointment_attended_percent": N_("First appointments attended (%)"),
    "breach_rate_percent": N_("Breach rate (%)"),
    "order_months_most_common": N_("Most common order length (months)"),
    "order_months_median": N_("Median order length (months)"),
    "order_months_shortest": N_("Shortest order (months)"),
    "order_months_longest": N_("Longest order (months)"),
}
# Short names for the requirement mix, where several sit on one chart label.
SHORT_REQUIREMENTS = {"ATR": N_("ATR"), "DRR": N_("DRR"), "MHTR_PRIMARY": N_("MHTR (primary care)"),
                      "MHTR_SECONDARY": N_("MHTR (secondary care)")}
CHARACTERISTICS = {
    "age_band": N_("Age"), "sex": N_("Sex"), "gender_identity": N_("Gender the same as registered at birth"),
    "disability": N_("Disability"), "ethnicity": N_("Ethnic group"), "religion": N_("Religion or belief"),
    "sexual_orientation": N_("Sexual orientation"), "marriage": N_("Married or in a civil partnership"),
    "pregnancy": N_("Pregnancy or maternity"),
}
CONSENT_FORMATS = {"easy_read": N_("Easy read"), "standard": N_("Standard"),
                   "interpreter": N_("With an interpreter")}
_OTHER = {"MHTR_with_ATR_or_DRR": N_("Mental health treatment requirement with ATR or DRR"),
          equality.NOT_RECORDED: N_("Not recorded")}


def label(section: str, category: str) -> str:
    """The words for one category of a section; an id nobody has named yet is shown as it is."""
    if section in ("funnel", "headline") and category in STAGES:
        return _(STAGES[category])
    if section == "headline":
        return _(HEADLINE.get(category, category))
    if section == "requirement":
        return _(REQUIREMENT_NAMES.get(category) or _OTHER.get(category, category))
    if section == "requirement_combination":
        return " + ".join(_(SHORT_REQUIREMENTS.get(r, r)) for r in category.split("+"))
    if section == "referral_source":
        return _(REFERRAL_SOURCES.get(category, category))
    if section == "order_length" and category.isdigit():
        return months(int(category))
    if section == "requirement_length" and ":" in category:
        requirement, length = category.split(":", 1)
        return f"{_(SHORT_REQUIREMENTS.get(requirement, requirement))}: {months(int(length))}"
    if section == "short_form":
        return _(SHORT_FORM.get(category, category))
    if section == "consent_format":
        if category.startswith("language:"):
            code = category.removeprefix("language:")
            try:
                return _("In {language}").format(language=language(code).english)
            except ValueError:
                return category
        return _(CONSENT_FORMATS.get(category, category))
    if section == "equality" and ":" in category:
        characteristic, answer = category.split(":", 1)
        return f"{_(CHARACTERISTICS.get(characteristic, characteristic))}: {_answer(characteristic, answer)}"
    return category


def _answer(characteristic: str, answer: str) -> str:
    if answer in _OTHER:
        return _(_OTHER[answer])
    question = equality.BY_ID.get(characteristic)
    options = dict(question.options) if question else {}
    return _(options.get(answer, answer))
