"""Online home as JSON: the same selectors as the pages.

- `GET /api/find?region=&discipline=` (public): "find an association near me".
- `GET /api/find/associations/{id}` (public): an association's public page; not active → 404.
- `GET /api/me/home` (signed in): the S&T worker's home, and for a user with a role the to-do of
  the dashboard (`selectors.staff_todo`)."""

from django.urls import reverse
from ninja import Router

from kejia.core.api_auth import AUTH
from kejia.core.errors import DomainError
from kejia.home import selectors
from kejia.home.api_schemas import AssociationOut, FindOut, HomeOut
from kejia.home.forms import FindForm
from kejia.organizations.api_schemas import ObjectId

router = Router(tags=["home"])


def _org(org, events=()) -> dict:
    return {
        "id": org.pk,
        "name": org.name,
        "short_name": org.short_name,
        "kind": org.kind,
        "kind_label": str(org.get_kind_display()),
        "region": org.region,
        "url": reverse("home:association", args=[org.pk]),
        "events": list(events),
    }


@router.get("/find", response=FindOut, summary="Find an association near me")
def find(request, region: str = "", discipline: str = ""):
    """Public. `region`: a GB/T 2260 division code (province down to township); `discipline`: a
    GB/T 13745 code. Either may be empty; with both empty the lists are empty. A code that names
    nothing is a 400 naming the field."""
    form = FindForm({"region": region[:40], "discipline": discipline[:40]})
    if not form.is_valid():
        field, problems = next(iter(form.errors.items()))
        raise DomainError("invalid", problems[0], field=field)
    found = selectors.find_associations(region=form.cleaned_data["region"], discipline=form.cleaned_data["discipline"])
    return {
        "region": found.region,
        "discipline": found.discipline,
        "chain": [_org(o, found.events_of(o)) for o in found.chain],
        "societies": [_org(o, found.events_of(o)) for o in found.societies],
        "societies_total": found.societies_total,
        "grassroots": [_org(o, found.events_of(o)) for o in found.grassroots],
        "grassroots_total": found.grassroots_total,
    }


@router.get("/find/associations/{id}", response=AssociationOut, summary="An association's public page")
def association(request, id: ObjectId):
    """Public: what the association's page shows. Not active (dissolved, dormant …) or unknown: 404."""
    page = selectors.public_page(selectors.get_public_organization(id))
    org = page.org
    return {
        **_org(org, page.events),
        "address": org.address,
        "website": org.website,
        "description": org.description,
        "parent": _org(page.parent) if page.parent else None,
        "disciplines": page.disciplines,
        "children": [_org(c) for c in page.children],
        "children_total": page.children_total,
        "volunteers": page.volunteers,
        "answers": page.answers,
    }


@router.get("/me/home", response=HomeOut, auth=AUTH, summary="My online home")
def my_home(request):
    """The caller's profile, memberships, events, volunteer hours, suggestions with their state,
    surveys waiting and recommended events — the sections of /me/ — and `todo`: what waits for a
    staff member, leader or administrator, by module, most urgent first (the dashboard's to-do)."""
    home = selectors.worker_home(request.auth)
    todo = selectors.staff_todo(request.auth)
    return {
        "person": home.person,
        "memberships": [
            {"id": m.pk, "society_id": m.society_id, "society_name": m.society.name, "status": m.status, "number": m.number or ""} for m in home.memberships
        ],
        "registrations": [{"id": r.pk, "status": r.status, "event": r.event} for r in home.registrations],
        "volunteer_hours": home.volunteer_hours,
        "services": [{"id": s.pk, "date": s.date, "team_name": s.team.name, "hours": s.my_hours} for s in home.services],
        "suggestions": [{"id": i.pk, "title": i.title, "status": i.status, "url": i.get_absolute_url()} for i in home.voice_items],
        "surveys": [{"id": s.pk, "title": s.title, "url": s.get_absolute_url()} for s in home.surveys],
        "recommended": home.recommended,
        "todo": [
            {
                "key": g.key,
                "label": g.label,
                "count": g.count,
                "overdue": g.overdue,
                "sections": [
                    {
                        "key": s.key,
                        "label": s.label,
                        "count": s.count,
                        "overdue": s.overdue,
                        "url": s.url,
                        "items": [
                            {
                                "title": i.title,
                                "url": i.url,
                                "detail": i.detail,
                                "due_on": i.due_on,
                                "days_left": i.days_left,
                                "overdue": i.overdue,
                                "happens": i.happens,
                                "waiting_days": i.waiting_days,
                                "when": i.when,
                            }
                            for i in s.items
                        ],
                    }
                    for s in g.sections
                ],
            }
            for g in todo.groups
        ],
    }
