"""What the governance pages share: a service's refusal with its status (409 for an object's state),
the person and organization named in a form, the small people search beside a form, and how a
rule's result reads (measure, measured value, threshold, outcome)."""

import math

from django.utils.translation import gettext_lazy as _

from kejia.core import web
from kejia.core.errors import DomainError, NotFound
from kejia.core.text import whole_number
from kejia.governance import forms
from kejia.governance.choices import SHARE_MEASURES, BodyKind, Comparison, Measure, Outcome
from kejia.organizations import selectors as org_selectors
from kejia.organizations.kinds import OrgKind
from kejia.people import selectors as people_selectors

# Refusals because of the object's state (an ended term, a vacated seat, an ended duty): 409.
PEOPLE_SHOWN = 10
PERCENT_MEASURES = SHARE_MEASURES
OUTCOME_CLASS = {Outcome.PASS: "status-approved", Outcome.FAIL: "status-failed", Outcome.TARGET_MISSED: "status-returned"}


def submit(request, form, run, done, success):
    """Validate, run one service, say so and redirect; or return the status to render the page with."""
    return web.submit(request, form, run, done, success)


def person_in_reach(user, pk: int, field: str):
    """A person of the talent database the user may see, or an error next to the field."""
    try:
        return people_selectors.get_person_for(user, pk)
    except NotFound:
        raise DomainError("unknown_person", _("No person with this number in the talent database you can see."), field=field) from None


def org_by_code(user, code: str, field: str):
    org = org_selectors.visible_organizations(user).filter(code=code).first()
    if org is None:
        raise DomainError("unknown_organization", _("No organization with this code in your scope."), field=field)
    return org


def people_search(request) -> tuple[forms.PersonSearchForm, list, bool]:
    """The small search box beside a form asking for a person: names from the talent database."""
    form = forms.PersonSearchForm(request.GET)
    if not form.is_valid():
        return form, [], False
    text = form.cleaned_data["q"].strip()
    found = list(people_selectors.search_people(request.user, text=text)[:PEOPLE_SHOWN]) if text else []
    return form, found, True


def chosen_person(request) -> int | None:
    value = request.GET.get("person", "")
    return whole_number(value, max_digits=9)


def _percent_down(k: int, n: int) -> str:
    """A share as a percentage rounded down to two decimals: 1 402 of 2 003 reads 69.99 %, never
    70.0 % beside a 70 % it does not reach."""
    hundredths = k * 10000 // n
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def _measured_text(r) -> str:
    if r.measured is None:
        return "—"
    if r.measure in PERCENT_MEASURES and "/" in r.measured_text:
        k, n = (int(x) for x in r.measured_text.split("/"))
        return f"{_percent_down(k, n)} ({k}/{n})"
    return r.measured_text or f"{r.measured:g}"


COMPARISON_SIGN = {Comparison.AT_LEAST: "≥", Comparison.AT_MOST: "≤", Comparison.MORE_THAN: ">"}


def _threshold_text(r) -> str:
    sign = COMPARISON_SIGN.get(r.comparison, r.comparison)
    if r.against_previous:
        if r.measured is None:
            return _("%(sign)s the previous term") % {"sign": sign}
        k, n = (int(x) for x in r.threshold_text.split("/"))
        return _("%(sign)s the previous term (%(share)s)") % {"sign": sign, "share": f"{_percent_down(k, n)} ({k}/{n})"}
    return f"{sign} {r.threshold_text}"


def _progress_text(r) -> str:
    """A target with a baseline: how far from the baseline to the target the body has come, rounded
    down as shares are (a body just below its baseline shows -1 %, never 0 %)."""
    if r.baseline is None or r.progress is None:
        return ""
    return _("from %(baseline)s toward %(target)s: %(progress)s of the way") % {
        "baseline": f"{r.baseline * 100:g}%",
        "target": r.threshold_text,
        "progress": f"{math.floor(round(r.progress * 100, 9))}%",  # round: 0.29 × 100 is 28.999… in floats
    }


def measure_label(measure: str, param) -> str:
    label = str(Measure(measure).label) if measure in Measure.values else measure
    return f"{label} (N = {param})" if param is not None else label


def _outcome_label(outcome: str) -> str:
    return str(Outcome(outcome).label) if outcome in Outcome.values else outcome


def result_row(r) -> dict:
    return {
        "result": r,
        "measure": measure_label(r.measure, r.param),
        "measured": _measured_text(r),
        "threshold": _threshold_text(r),
        "outcome": _outcome_label(r.outcome),
        "badge": OUTCOME_CLASS.get(r.outcome, ""),
        "failing": r.failing,
        "progress": _progress_text(r),
    }


def result_rows(report) -> list[dict]:
    return [result_row(r) for r in report.results] if report is not None else []


def kind_label(kind: str) -> str:
    return str(BodyKind(kind).label) if kind in BodyKind.values else kind


def org_kind_label(kind: str) -> str:
    return str(OrgKind(kind).label) if kind in OrgKind.values else kind
