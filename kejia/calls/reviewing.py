"""Expert review of a call's applications, through the stored review of kejia.review.

`open_review` opens one review round for a call (its subject is "calls.call:<id>") with an item
per application under review: the item's text is the application's long-text answers (what the
affinity reads and the reviewer reads), its conflict facts the applying and the recommending
organizations, the employers named in the person tables, and the people of the talent database
listed at the applying organization whose names appear in those tables. In a blind round the
item's title is a number and the applicant's name is kept from the reviewers (names written in the
answers' free text are not removed).

`close_review` closes the round and records the review meeting (workflow.record_review_meeting):
each application's score is the raw mean of its reviewers' weighted totals (0–100) and its rank
the round's ranking (by the per-reviewer normalised mean)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kejia.calls import services, workflow
from kejia.calls.choices import ApplicationStatus
from kejia.calls.models import Application, Call
from kejia.core.errors import DomainError, IllegalTransition
from kejia.people.models import Listing
from kejia.review import selectors as review_selectors
from kejia.review import services as review
from kejia.review.models import ReviewRound, RoundStatus
from kejia.review.scoring import ApplicationResult

PEOPLE_COLUMNS = ("name",)
EMPLOYER_COLUMNS = ("employer",)


def subject_of(call: Call) -> str:
    return f"calls.call:{call.pk}"


def ref_of(application: Application) -> str:
    return f"calls.application:{application.pk}"


def round_for(call: Call) -> ReviewRound | None:
    """The call's review round (the latest, should there be several)."""
    return ReviewRound.objects.filter(subject=subject_of(call)).order_by("-pk").first()


def _fields(spec: Mapping):
    for section in spec.get("sections", []):
        yield from section.get("fields", [])


def item_text(application: Application) -> str:
    """The long-text answers with their labels ("/" answers left out)."""
    parts = []
    for field in _fields(application.form.spec):
        value = application.data.get(field.get("key"))
        if field.get("type") == "long_text" and isinstance(value, str) and value.strip() not in ("", "/"):
            parts.append(f"{field.get('label', '')}\n{value.strip()}")
    return "\n\n".join(parts)


def _table_values(application: Application, columns: Sequence[str]) -> set[str]:
    out = set()
    for field in _fields(application.form.spec):
        rows = application.data.get(field.get("key"))
        if field.get("type") == "table" and isinstance(rows, list):
            for row in rows:
                for column in columns:
                    value = row.get(column) if isinstance(row, dict) else None
                    if isinstance(value, str) and value.strip() not in ("", "/"):
                        out.add(value.strip())
    return out


def people_of(application: Application) -> list[int]:
    """Persons of the talent database listed at the applying organization whose names appear in
    the application's person tables; with an individual applicant, that person."""
    ids = set()
    person = getattr(application.applicant_user, "person", None) if application.applicant_user_id else None
    if person is not None:
        ids.add(person.pk)
    names = _table_values(application, PEOPLE_COLUMNS)
    if application.applicant_id and names:
        ids |= set(Listing.objects.filter(organization_id=application.applicant_id, person__name__in=names).values_list("person_id", flat=True))
    return sorted(ids)


@transaction.atomic
def open_review(
    call: Call,
    *,
    actor,
    title: str = "",
    blind: bool = False,
    per_item: int = 3,
    max_load: int = 6,
    min_load: int = 0,
    criteria: Sequence[Mapping] | None = None,
    conflict_rules: Mapping | None = None,
    min_on_time_rate: float | None = None,
    score_deadline: datetime.datetime | None = None,
    candidates_per_item: int = 200,
) -> ReviewRound:
    """A review round of the call's applications under review (after the formal check), owned by
    the call's owner; one open round per call."""
    services.require_owner(call, actor)
    existing = round_for(call)
    if existing is not None and existing.status != RoundStatus.CLOSED:
        raise IllegalTransition("round_exists", _("The call already has a review round in progress."))
    applications = list(
        Application.objects.filter(call=call, status=ApplicationStatus.UNDER_REVIEW)
        .select_related("form", "applicant", "recommender", "applicant_user")
        .order_by("pk")
    )
    if not applications:
        raise DomainError("no_items", _("No application of this call is under review."), field="call")
    round_ = review.create_round(
        call.owner,
        actor=actor,
        title=title or gettext("Expert review: %(call)s") % {"call": call.title},
        criteria=criteria,
        conflict_rules=conflict_rules,
        blind=blind,
        per_item=per_item,
        max_load=max_load,
        min_load=min_load,
        min_on_time_rate=min_on_time_rate,
        score_deadline=score_deadline,
        subject=subject_of(call),
        candidates_per_item=candidates_per_item,
    )
    for n, application in enumerate(applications, start=1):
        applicant_name = application.applicant.name if application.applicant_id else str(application.applicant_user)
        review.add_item(
            round_,
            actor=actor,
            ref=ref_of(application),
            title=gettext("Application %(n)s") % {"n": n} if blind else str(application),
            text=item_text(application),
            applicant_name=applicant_name,
            applicant_org=application.applicant,
            recommender_org=application.recommender,
            people=people_of(application),
            employers=_table_values(application, EMPLOYER_COLUMNS),
        )
    return round_


@transaction.atomic
def close_review(call: Call, *, actor, minutes: str) -> list[Application]:
    """Close the call's round (if still scoring) and record the review meeting with its ranking:
    every application under review needs at least one submitted score sheet."""
    services.require_owner(call, actor)
    round_ = round_for(call)
    if round_ is None:
        raise DomainError("no_round", _("The call has no review round."), field="call")
    if not minutes.strip():
        raise DomainError("reason_required", _("Write the minutes of the review meeting."), field="minutes")
    if round_.status == RoundStatus.SCORING:
        round_ = review.close_round(round_, actor=actor)
    elif round_.status != RoundStatus.CLOSED:
        raise IllegalTransition("round_state", _("The review round has not been scored yet."))
    ranked = review_selectors.results(round_)
    by_ref = {r.item.ref: r for r in ranked}
    under_review = list(Application.objects.filter(call=call, status=ApplicationStatus.UNDER_REVIEW).order_by("pk"))
    unscored = [a for a in under_review if ref_of(a) not in by_ref]
    if unscored:
        raise DomainError(
            "items_unscored",
            gettext("These applications have no submitted score sheet: %(ids)s.") % {"ids": ", ".join(str(a) for a in unscored)},
            field="results",
        )
    ids = {ref_of(a): a.pk for a in under_review}
    rows = [ApplicationResult(ids[r.item.ref], r.reviews, r.raw_mean, r.normalised_mean, r.spread, r.disagreement, r.rank) for r in ranked if r.item.ref in ids]
    return workflow.record_review_meeting(call, actor=actor, minutes=minutes, results=rows)
