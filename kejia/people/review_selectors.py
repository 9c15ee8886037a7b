"""Scoped reads of the review queue and of merges: a staff member sees a pair when they manage
an organization (or one above it) that lists either record. Outside that: NotFound."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.accounts import scope
from kejia.core.errors import NotFound
from kejia.people.choices import PersonStatus
from kejia.people.models import CandidateStatus, Listing, MatchCandidate, MergeRecord


def _managed_listing(user, person_field: str):
    return scope.restrict(Listing.objects.filter(person=OuterRef(person_field)), user, "organization__path", scope.MANAGE_KINDS)


def visible_candidates(user, *, status: str | None = CandidateStatus.OPEN) -> QuerySet[MatchCandidate]:
    """Pairs the user may decide. Open pairs are shown only while both records are active (a
    pair whose record was merged elsewhere comes back if that merge is undone)."""
    qs = MatchCandidate.objects.select_related("person_a", "person_b", "decided_by")
    if status:
        qs = qs.filter(status=status)
    if status == CandidateStatus.OPEN:
        qs = qs.filter(person_a__status=PersonStatus.ACTIVE, person_b__status=PersonStatus.ACTIVE)
    if scope.is_unrestricted(user):
        return qs
    if not scope.role_paths(user, scope.MANAGE_KINDS):
        return qs.none()
    return qs.filter(Q(Exists(_managed_listing(user, "person_a"))) | Q(Exists(_managed_listing(user, "person_b"))))


def get_candidate_for(user, pk) -> MatchCandidate:
    candidate = visible_candidates(user, status=None).filter(pk=pk).first()
    if candidate is None:
        raise NotFound()
    return candidate


def visible_merges(user) -> QuerySet[MergeRecord]:
    """Merges whose survivor (which holds every listing after the merge) the user manages."""
    qs = MergeRecord.objects.select_related("survivor", "duplicate", "actor", "undone_by")
    if scope.is_unrestricted(user):
        return qs
    if not scope.role_paths(user, scope.MANAGE_KINDS):
        return qs.none()
    return qs.filter(Q(Exists(_managed_listing(user, "survivor"))) | Q(Exists(_managed_listing(user, "duplicate"))))


def get_merge_for(user, pk) -> MergeRecord:
    record = visible_merges(user).filter(pk=pk).first()
    if record is None:
        raise NotFound()
    return record


def merge_of(candidate: MatchCandidate) -> MergeRecord | None:
    """The merge a decided pair led to, if it still stands."""
    return candidate.merges.filter(undone_at__isnull=True).first()


# ---- What the pages and the API show of a pair (masked personal data only) -----------------------


def mask_email(email: str) -> str:
    if not email or "@" not in email:
        return ""
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


def person_summary(person) -> dict:
    return {
        "id": person.pk,
        "name": person.name,
        "status": person.status,
        "gender": person.get_gender_display(),
        "birth_date": person.birth_date,
        "resident_id": person.id_masked,
        "phone": person.phone_masked,
        "email": mask_email(person.email),
        "employer": person.employer_name,
        "title": person.title,
        "organizations": sorted({listing.organization.name for listing in person.listings.select_related("organization")}),
    }


# (field, label, key in the person summary); the comparison level comes from the candidate's details.
COMPARED_FIELDS = [
    ("name", pgettext_lazy("person", "Name"), "name"),
    ("gender", _("Gender"), "gender"),
    ("birth_date", _("Birth date"), "birth_date"),
    ("resident_id", _("Resident ID number"), "resident_id"),
    ("phone", _("Phone"), "phone"),
    ("email", _("E-mail"), "email"),
    ("employer", _("Employer"), "employer"),
    (None, _("Professional title"), "title"),
    (None, _("Listed by"), "organizations"),
]
LEVEL_LABELS = {
    "exact": _("same"),
    "agree": _("same"),
    "same": _("same"),
    "pinyin": _("same sound, other characters"),
    "similar": _("similar"),
    "close": _("close"),
    "transposed": _("day and month swapped"),
    "year": _("same year only"),
    "different": _("different"),
    "conflict": _("different: two people"),
}
AGREEING = {"exact", "agree", "same"}
PARTIAL = {"pinyin", "similar", "close", "transposed", "year"}


def comparison_rows(candidate: MatchCandidate) -> list[dict]:
    a, b = person_summary(candidate.person_a), person_summary(candidate.person_b)
    details = candidate.details or {}
    rows = []
    for field_name, label, key in COMPARED_FIELDS:
        detail = details.get(field_name) or {} if field_name else {}
        level = detail.get("level")
        tone = "agree" if level in AGREEING else "partial" if level in PARTIAL else "differ" if level else "none"
        rows.append(
            {
                "field": field_name or key,
                "label": label,
                "a": a[key],
                "b": b[key],
                "level": level,
                "level_label": LEVEL_LABELS.get(level, ""),
                "weight": detail.get("weight"),
                "tone": tone,
            }
        )
    return rows
