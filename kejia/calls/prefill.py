"""What a new application starts with: answers taken from the organization tree and the talent
database, named in the form definition by a field's "prefill" (kejia.calls.forms_spec), and
editable like any answer.

Sources:
- "applicant.name": the applying organization (or the applying person's name);
- "recommender.name": the recommending organization (the applicant where nobody recommends) —
  in seed 004 the 申报单位 is the provincial association, the 试点单位 the city;
- "month.today": this month in Asia/Shanghai (the cover's 年月);
- "people.heads": a table with fixed rows, filled row by row with the head of the recommending
  organization, then of the applicant (the first leader on record);
- "people.leaders" / "people.staff": the applicant's leaders or staff, one row each.

People rows take the name, gender, birth month, unit and post from the person's profile where
their account is linked to one, otherwise from the account and the role. Phones, e-mail and
addresses are never prefilled: they are personal information the applicant types in for the form."""

from typing import Any

from django.utils import timezone

from kejia.accounts.models import Role, RoleKind
from kejia.calls.forms_spec import fields
from kejia.people.models import Person

GENDER = {"M": "男", "F": "女"}
MAX_ROWS = 12


def _roles(organization, kinds) -> list[Role]:
    if organization is None:
        return []
    return list(Role.objects.filter(organization=organization, kind__in=kinds).select_related("user", "organization").order_by("pk")[:MAX_ROWS])


def _rows(roles: list[Role], columns: list[dict]) -> list[dict]:
    people = {p.user_id: p for p in Person.objects.filter(user__in=[r.user_id for r in roles])}
    keys = {c["key"] for c in columns}
    out = []
    for role in roles:
        person = people.get(role.user_id)
        values = {
            "name": (person.name if person else "") or role.user.display_name or "",
            "gender": GENDER.get(person.gender, "") if person else "",
            "birth_month": person.birth_date.strftime("%Y-%m") if person and person.birth_date else "",
            "employer": role.organization.name,
            "position": role.title,
        }
        out.append({key: values.get(key, "") for key in keys})
    return out


def value(source: str, field: dict, application) -> Any:
    """The starting answer of one field (None when the source has nothing)."""
    applicant, recommender = application.applicant, application.recommender
    if source == "applicant.name":
        return applicant.name if applicant else (application.applicant_user.display_name if application.applicant_user_id else None)
    if source == "recommender.name":
        return (recommender or applicant).name if (recommender or applicant) else None
    if source == "month.today":
        return timezone.localdate().strftime("%Y-%m")
    columns = field.get("columns", [])
    if source == "people.heads":
        heads = [_roles(org, (RoleKind.LEADER,))[:1] for org in ((recommender or applicant), applicant)]
        rows = [(_rows(h, columns) or [{}])[0] for h in heads][: len(field.get("rows", [])) or 2]
        return rows if any(any(r.values()) for r in rows) else None
    if source == "people.leaders":
        return _rows(_roles(applicant, (RoleKind.LEADER,)), columns) or None
    if source == "people.staff":
        return _rows(_roles(applicant, (RoleKind.STAFF, RoleKind.ADMIN)), columns) or None
    return None


def initial(application, spec: dict) -> dict:
    """The answers a new application starts with."""
    out = {}
    for field in fields(spec):
        source = field.get("prefill")
        if source:
            found = value(source, field, application)
            if found not in (None, "", []):
                out[field["key"]] = found
    return out
