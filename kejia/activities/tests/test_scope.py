"""Scope matrix of activities: every page route and API operation with an object id, for each actor
outside and inside scope. `MATRIX_ROUTES` names them for the route guard in
kejia/organizations/tests/test_scope_matrix.py.

The world: published public events of XW, QH, LX (started an hour ago), SOC and NJ, and XW's
draft, members-only and invitation events; on each organization's main event a confirmed
registration and an attended one (with its certificate of attendance), the demo worker's own
confirmed registration at XW and attended one at LX (with a certificate).

What each actor may do is computed from the organization paths (`kejia.accounts.scope`), the
selectors' visibility rule (`selectors.can_see`), ownership and state, never listed by hand:
- outside: 404 (403 allowed) and nothing written, no registrant's name shown;
- forbidden (in scope without a staff role, or the holder asking for a staff action, or someone
  not eligible for a members/invitation event): 403 (a page may say 404) and nothing written;
- invalid (not in this state): 400/409 and nothing written;
- noop (checking in someone already checked in): 200 and nothing written;
- ok: 2xx or a redirect (not to the login page), and for a write a changed database and an audit row.
The world is built once per module in a transaction rolled back at the end; each request runs in
a savepoint of its own."""

import dataclasses
import datetime
from collections.abc import Callable

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from kejia.core.testing import scope_matrix as sm
from kejia.core.testing.scope_matrix import fixed

MATRIX_ROUTES: list[str] = [
    "activities:event",
    "activities:event_ics",
    "activities:calendar",
    "activities:calendar_ics",
    "activities:register",
    "activities:registration",
    "activities:registration_cancel",
    "activities:certificate",
    "activities:ticket",
    "activities:event_create",
    "activities:event_edit",
    "activities:event_publish",
    "activities:event_cancel",
    "activities:event_finish",
    "activities:registrations",
    "activities:registrations_xlsx",
    "activities:invitations",
    "activities:checkin",
    "activities:undo_checkin",
    "activities:certificate_revoke",
    "GET /api/activities/events/{id}",
    "PATCH /api/activities/events/{id}",
    "GET /api/activities/orgs/{id}/events",
    "POST /api/activities/orgs/{id}/events",
    "POST /api/activities/events/{id}/publish",
    "POST /api/activities/events/{id}/cancel",
    "POST /api/activities/events/{id}/finish",
    "POST /api/activities/events/{id}/invitations",
    "POST /api/activities/events/{id}/register",
    "GET /api/activities/events/{id}/registrations",
    "POST /api/activities/events/{id}/checkin",
    "GET /api/activities/registrations/{id}",
    "POST /api/activities/registrations/{id}/cancel",
    "POST /api/activities/registrations/{id}/undo-checkin",
    "GET /api/activities/registrations/{id}/certificate",
    "POST /api/activities/attendance-certificates/{id}/revoke",
]

ACTORS = ["county_staff", "county_leader", "sibling_staff", "nj_staff", "nj_admin", "wx_staff", "society_secretary", "worker"]
ORG_KEYS = ["xw", "qh", "lx", "soc", "nj"]
HOUR = datetime.timedelta(hours=1)


# ---- The world, once per module ---------------------------------------------------------------


def _build(w) -> None:
    from kejia.accounts.services import create_user
    from kejia.activities import certificates, registration, services
    from kejia.people.services import create_person

    platform, now = w.platform, timezone.now().replace(microsecond=0)
    w.orgs = {key: getattr(w, key) for key in ORG_KEYS}
    region = {"xw": "320102", "qh": "320104", "lx": "320213", "soc": "320000", "nj": "320100"}

    def person(org, name, user=None):
        p = create_person(actor=platform, organization=org, name=name, birth_date=datetime.date(1980, 1, 1))
        if user is not None:
            p.user = user
            p.save(update_fields=["user"])
        return p

    def event(key, title, *, start, audience="public", publish=True):
        org = w.orgs[key]
        e = services.create_event(
            org,
            actor=platform,
            kind="salon",
            title=title,
            starts_at=start,
            ends_at=start + 3 * HOUR,
            region=w.regions[region[key]],
            address="矩阵路 1 号",
            capacity=5,
            audience=audience,
            audience_organization=org if audience == "members" else None,
        )
        if publish:
            e = services.publish_event(e, actor=platform, now=start - 48 * HOUR)
        return e

    w.worker_person = person(w.my, "矩阵工作者", user=w.worker)  # listed by XW-MY: a member of XW and above
    events, regs, w.names, w.spare = {}, {}, {}, {}
    for key, org in w.orgs.items():
        start = now - HOUR if key == "lx" else now + 12 * HOUR
        e = events[f"e_{key}"] = event(key, f"矩阵活动{org.code}", start=start)
        names = [f"矩阵{org.code}甲", f"矩阵{org.code}乙"]
        w.names[e.pk] = names
        users = [create_user(actor=platform, username=f"m_{key}_{i}", password=w.password, display_name=n, check_password=False) for i, n in enumerate(names)]
        for u, n in zip(users, names, strict=True):
            person(org, n, user=u)
        before = now - 24 * HOUR if key == "lx" else None
        regs[f"r_{key}"] = registration.register_for_event(e, actor=users[0], now=before)
        regs[f"a_{key}"] = registration.register_for_event(e, actor=users[1], now=before)
        registration.check_in(e, actor=platform, registration=regs[f"a_{key}"])
        w.spare[org.pk] = person(org, f"矩阵{org.code}候补").pk
    events["e_xw_draft"] = event("xw", "矩阵草稿", start=now + 48 * HOUR, publish=False)
    events["e_xw_members"] = event("xw", "矩阵会员活动", start=now + 48 * HOUR, audience="members")
    events["e_xw_invited"] = event("xw", "矩阵邀请活动", start=now + 48 * HOUR, audience="invited")
    regs["r_xw_worker"] = registration.register_for_event(events["e_xw"], actor=w.worker)
    regs["a_lx_worker"] = registration.register_for_event(events["e_lx"], actor=w.worker, now=now - 24 * HOUR)
    registration.check_in(events["e_lx"], actor=platform, registration=regs["a_lx_worker"])
    certs = {}
    for key, reg in regs.items():
        if key.startswith("a_"):
            reg.refresh_from_db()
            certs[f"c{key[1:]}"] = certificates.certificate_for(reg)
    w.ids = {
        "org": {k: o.pk for k, o in w.orgs.items()},
        "event": {k: e.pk for k, e in events.items()},
        "registration": {k: r.pk for k, r in regs.items()},
        "certificate": {k: c.pk for k, c in certs.items()},
    }


def _build_world(w) -> None:
    _build(w)
    w.objects = sm.resolve_all(w, RESOLVE, w.ids)


_world, db, world = sm.fixtures(_build_world, actors=ACTORS)


def _resolver(model_path: str, related: tuple[str, ...]):
    def resolve(w, key):
        from django.apps import apps

        target = {"org": "org", "event": "event", "registration": "registration", "certificate": "certificate"}
        model = apps.get_model(model_path)
        return model.objects.select_related(*related).get(pk=w.ids[target[TARGET_OF[model_path]]][key])

    return resolve


TARGET_OF = {
    "organizations.Organization": "org",
    "activities.Event": "event",
    "activities.Registration": "registration",
    "activities.AttendanceCertificate": "certificate",
}
RESOLVE: dict[str, Callable] = {
    "org": _resolver("organizations.Organization", ()),
    "event": _resolver("activities.Event", ("organization", "audience_organization")),
    "registration": _resolver("activities.Registration", ("event__organization", "person", "user")),
    "certificate": _resolver("activities.AttendanceCertificate", ("registration__event__organization", "registration__person")),
}


# ---- Who may do what: computed ------------------------------------------------------------------


def _scope():
    from kejia.accounts import scope

    return scope


def org_of(obj):
    from kejia.activities.models import AttendanceCertificate, Event, Registration

    if isinstance(obj, Event):
        return obj.organization
    if isinstance(obj, Registration):
        return obj.event.organization
    if isinstance(obj, AttendanceCertificate):
        return obj.registration.event.organization
    return obj


def event_of(obj):
    from kejia.activities.models import AttendanceCertificate, Registration

    if isinstance(obj, Registration):
        return obj.event
    if isinstance(obj, AttendanceCertificate):
        return obj.registration.event
    return obj


def reg_of(obj):
    from kejia.activities.models import AttendanceCertificate

    return obj.registration if isinstance(obj, AttendanceCertificate) else obj


def always(w, obj) -> bool:
    return True


def public(w, user, obj) -> str:
    return "ok"


def see(state: Callable = always) -> Callable:
    """Public reads of an event: whoever may see it (selectors.can_see)."""

    def rule(w, user, event):
        from kejia.activities import selectors

        if not selectors.can_see(user, event):
            return "outside"
        return "ok" if state(w, event) else "outside"

    return rule


def view(w, user, obj) -> str:
    """Reads for the organizer's scope only (an organization, an event's registrations)."""
    return "ok" if _scope().can_view(user, org_of(obj)) else "outside"


def staff(state: Callable = always) -> Callable:
    def rule(w, user, obj):
        scope = _scope()
        if not scope.can_view(user, org_of(obj)):
            return "outside"
        if not scope.can_manage(user, org_of(obj)):
            return "forbidden"
        return "ok" if state(w, obj) else "invalid"

    return rule


def anyhow(w, obj, manage) -> bool:
    return True


def own_or_view(state: Callable = anyhow, *, staff_only: bool = False, own_may: bool = True) -> Callable:
    """A registration (or its certificate): its holder or the organizer's scope."""

    def rule(w, user, obj):
        scope, reg = _scope(), reg_of(obj)
        own, in_scope = reg.belongs_to(user), scope.can_view(user, org_of(obj))
        if not own and not in_scope:
            return "outside"
        manage = scope.can_manage(user, org_of(obj))
        if staff_only and not manage:
            return "forbidden"
        if not staff_only and not own_may and not manage:
            return "forbidden"
        return "ok" if state(w, obj, manage) else "invalid"

    return rule


def status_in(*statuses) -> Callable:
    return lambda w, obj, *rest: obj.status in statuses


def started(event) -> bool:
    return event.starts_at <= timezone.now()


def can_register(w, user, event) -> str:
    from kejia.activities import selectors

    if not selectors.can_see(user, event):
        return "outside"
    if event.status != "published" or started(event):
        return "invalid"
    person = selectors.my_person(user)
    if not selectors.is_eligible(event, person=person):
        return "forbidden"
    return "invalid" if selectors.active_registration(event, person=person, user=user) else "ok"


def cancel_rule(w, user, reg) -> str:
    scope = _scope()
    own, in_scope, manage = reg.belongs_to(user), scope.can_view(user, org_of(reg)), scope.can_manage(user, org_of(reg))
    if not own and not in_scope:
        return "outside"
    if not own and not manage:
        return "forbidden"
    if reg.status not in ("confirmed", "waitlisted") or (not manage and started(reg.event)):
        return "invalid"
    return "ok"


def ticket_rule(method: str) -> Callable:
    def rule(w, user, reg):
        scope = _scope()
        if scope.can_manage(user, org_of(reg)):
            if method == "GET":
                return "ok"
            return "noop" if reg.status == "attended" else "ok"
        if reg.belongs_to(user) and method == "GET":
            return "ok"
        return "forbidden" if scope.can_view(user, org_of(reg)) or reg.belongs_to(user) else "outside"

    return rule


def checkin_state(w, event) -> bool:
    return event.status == "published" and confirmed_reg(w, event) is not None


def confirmed_reg(w, event):
    return next(
        (r for (t, _k), r in w.objects.items() if t == "registration" and r.event_id == event.pk and r.status == "confirmed" and not r.belongs_to(w.worker)),
        None,
    )


# ---- Bodies -----------------------------------------------------------------------------------------


def spare(w, obj) -> int:
    return w.spare.get(org_of(obj).pk) or w.spare[w.xw.pk]


def edit_form(w, user, event) -> dict:
    local = timezone.localtime
    return {
        "kind": event.kind,
        "title": "矩阵改名",
        "starts_at": local(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "region": event.region_id or "",
        "address": event.address,
        "capacity": event.capacity or "",
        "audience": event.audience,
        "fee": "0",
        "audience_organization": event.audience_organization.code if event.audience_organization_id else "",
    }


NEW_EVENT_PAGE = {
    "kind": "forum",
    "title": "矩阵新活动",
    "starts_at": "2031-03-01T09:00",
    "ends_at": "2031-03-01T12:00",
    "region": "320102",
    "address": "矩阵",
    "audience": "public",
    "fee": "0",
}
NEW_EVENT_API = {"kind": "forum", "title": "矩阵新活动", "starts_at": "2031-03-01T09:00:00+08:00", "ends_at": "2031-03-01T12:00:00+08:00", "region": "320102"}


def checkin_body(api: bool) -> Callable:
    def body(w, user, event):
        reg = confirmed_reg(w, event)
        pk = reg.pk if reg else 987654321
        return {"registration_id": pk} if api else {"registration": pk}

    return body


# ---- The endpoints ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Endpoint(sm.Endpoint):
    def url(self, w, obj) -> str:
        if self.route == "activities:ticket":
            return reverse(self.route, args=[obj.checkin_code])
        return super().url(w, obj)


api, page = Endpoint.api, Endpoint.page


A = "/api/activities"
EDITABLE = status_in("draft", "published")
ENDPOINTS = [
    # Public pages and feeds.
    page("activities:event", "GET", "event", see()),
    page("activities:event_ics", "GET", "event", see(lambda w, e: e.status != "draft")),
    page("activities:calendar", "GET", "org", public),
    page("activities:calendar_ics", "GET", "org", public),
    # An S&T worker's pages.
    page("activities:register", "POST", "event", can_register, fixed({}), True),
    page("activities:registration", "GET", "registration", own_or_view()),
    page("activities:registration_cancel", "POST", "registration", cancel_rule, fixed({"reason": "矩阵"}), True),
    page("activities:certificate", "GET", "registration", own_or_view(status_in("attended"))),
    page("activities:ticket", "GET", "registration", ticket_rule("GET")),
    page("activities:ticket", "POST", "registration", ticket_rule("POST"), fixed({}), True),
    # Staff pages.
    page("activities:event_create", "GET", "org", staff()),
    page("activities:event_create", "POST", "org", staff(), fixed(NEW_EVENT_PAGE), True),
    page("activities:event_edit", "GET", "event", staff(EDITABLE)),
    page("activities:event_edit", "POST", "event", staff(EDITABLE), edit_form, True),
    page("activities:event_publish", "POST", "event", staff(status_in("draft")), fixed({}), True),
    page("activities:event_cancel", "POST", "event", staff(EDITABLE), fixed({"reason": "矩阵取消"}), True),
    page("activities:event_finish", "POST", "event", staff(lambda w, e: e.status == "published" and started(e)), fixed({}), True),
    page("activities:registrations", "GET", "event", view),
    page("activities:registrations", "POST", "event", staff(lambda w, e: e.status == "published"), lambda w, u, e: {"person": spare(w, e)}, True),
    page("activities:registrations_xlsx", "GET", "event", view),
    page("activities:invitations", "GET", "event", staff()),
    page("activities:invitations", "POST", "event", staff(EDITABLE), lambda w, u, e: {"people": str(spare(w, e))}, True),
    page("activities:checkin", "GET", "event", staff()),
    page("activities:checkin", "POST", "event", staff(checkin_state), checkin_body(api=False), True),
    page("activities:undo_checkin", "POST", "registration", own_or_view(status_in("attended"), staff_only=True), fixed({}), True),
    page(
        "activities:certificate_revoke",
        "POST",
        "certificate",
        own_or_view(lambda w, c, m: c.revoked_at is None, staff_only=True),
        fixed({"reason": "矩阵撤销"}),
        True,
    ),
    # API: events.
    api(f"GET {A}/events/{{id}}", "event", see()),
    api(f"PATCH {A}/events/{{id}}", "event", staff(EDITABLE), fixed({"title": "矩阵改名"}), True),
    api(f"GET {A}/orgs/{{id}}/events", "org", view),
    api(f"POST {A}/orgs/{{id}}/events", "org", staff(), fixed(NEW_EVENT_API), True),
    api(f"POST {A}/events/{{id}}/publish", "event", staff(status_in("draft")), fixed({}), True),
    api(f"POST {A}/events/{{id}}/cancel", "event", staff(EDITABLE), fixed({"reason": "矩阵取消"}), True),
    api(f"POST {A}/events/{{id}}/finish", "event", staff(lambda w, e: e.status == "published" and started(e)), fixed({}), True),
    api(f"POST {A}/events/{{id}}/invitations", "event", staff(EDITABLE), lambda w, u, e: {"person_ids": [spare(w, e)]}, True),
    api(f"POST {A}/events/{{id}}/register", "event", can_register, fixed({}), True),
    api(f"GET {A}/events/{{id}}/registrations", "event", view),
    api(f"POST {A}/events/{{id}}/checkin", "event", staff(checkin_state), checkin_body(api=True), True),
    # API: registrations and certificates.
    api(f"GET {A}/registrations/{{id}}", "registration", own_or_view()),
    api(f"POST {A}/registrations/{{id}}/cancel", "registration", cancel_rule, fixed({"reason": "矩阵"}), True),
    api(f"POST {A}/registrations/{{id}}/undo-checkin", "registration", own_or_view(status_in("attended"), staff_only=True), fixed({}), True),
    api(f"GET {A}/registrations/{{id}}/certificate", "registration", own_or_view(status_in("attended"))),
    api(
        f"POST {A}/attendance-certificates/{{id}}/revoke",
        "certificate",
        own_or_view(lambda w, c, m: c.revoked_at is None, staff_only=True),
        fixed({"reason": "矩阵撤销"}),
        True,
    ),
]
CASES = sm.cases(ACTORS, ENDPOINTS)


# ---- Sending and checking -----------------------------------------------------------------------


def database_state() -> tuple:
    from kejia.activities.models import AttendanceCertificate, Event, Invitation, Registration
    from kejia.core.models import AuditEvent, Notice

    event, registration = sm.table(Event), sm.table(Registration)
    sql = sm.counts(AuditEvent, Notice, Event, Registration, Invitation, AttendanceCertificate)
    sql += [
        f"SELECT COALESCE(SUM(confirmed_count), 0) FROM {event}",
        f"SELECT COUNT(*) FROM {registration} WHERE status = 'attended'",
        f"SELECT COUNT(*) FROM {registration} WHERE status = 'cancelled'",
        f"SELECT COUNT(*) FROM {sm.table(AttendanceCertificate)} WHERE revoked_at IS NOT NULL",
    ]
    sql += sm.latest(Event, Registration, AttendanceCertificate)
    return sm.snapshot(sql)


def registrant_names(w, obj) -> list[str]:
    return w.names.get(event_of(obj).pk, []) if not hasattr(obj, "path") else []


def check(w, actor: str, endpoint: Endpoint, key: str, expected: str) -> str | None:
    """ok: a 200/201, or a page's redirect not to the login page; a write changes something and, when
    audited, leaves an audit row. noop: a 200 and nothing written."""
    obj = w.objects[(endpoint.target, key)]
    login = resolve_url(settings.LOGIN_URL)

    def ok(response) -> bool:
        status = response.status_code
        return status in (200, 201) or (endpoint.door == "html" and status == 302 and not response["Location"].startswith(login))

    # Registrants' names are for the organizer's scope (a leader there reads them, refused or not).
    texts = [] if _scope().can_view(getattr(w, actor), org_of(obj)) else registrant_names(w, obj)
    return sm.check(
        w, actor, endpoint, key, expected, state=database_state, texts=texts, ok=ok, changes=True, audited=endpoint.audit and endpoint.method != "GET"
    )


# ---- The matrix ---------------------------------------------------------------------------------


@pytest.mark.parametrize("actor,endpoint", CASES)
def test_endpoint_answers_each_object_by_scope(world, actor, endpoint):
    sm.run_case(world, actor, endpoint, world.ids[endpoint.target], check)


def test_matrix_has_allowed_and_refused_cases_for_every_endpoint(world):
    outcomes = sm.outcomes(world, ACTORS, ENDPOINTS, world.ids)
    for endpoint in ENDPOINTS:
        found = outcomes[endpoint.key]
        assert "ok" in found, f"no allowed case for {endpoint.key}"
        if endpoint.rule is not public:
            assert "outside" in found, f"no outside case for {endpoint.key}"
        if endpoint.method != "GET":
            assert found & {"outside", "forbidden"}, f"no refused case for {endpoint.key}"
    every = set().union(*outcomes.values())
    assert {"forbidden", "invalid", "noop"} <= every


def test_matrix_covers_every_activities_route():
    from kejia.api import api as ninja_api
    from kejia.organizations.tests.test_scope_matrix import _django_routes, _has_parameter

    tested = {e.route for e in ENDPOINTS}
    assert set(MATRIX_ROUTES) == tested, sorted(set(MATRIX_ROUTES) ^ tested)
    from django.urls import get_resolver

    pages = {name for name, route in _django_routes(get_resolver("kejia.urls").url_patterns) if name.startswith("activities:") and _has_parameter(route)}
    assert pages <= tested, sorted(pages - tested)
    operations = {
        f"{method.upper()} {path}"
        for path, ops in ninja_api.get_openapi_schema()["paths"].items()
        for method in ops
        if path.startswith("/api/activities/") and "{" in path
    }
    assert operations <= tested, sorted(operations - tested)


@pytest.mark.parametrize("name", sorted({e.route for e in ENDPOINTS if e.door == "html" and e.route != "activities:ticket"}))
def test_matrix_tests_every_method_a_page_accepts(world, name):
    from kejia.accounts.models import User

    sm.assert_page_methods(sm.logged_in(User.objects.get(username="platform")), name, ENDPOINTS)


# ---- Lists show exactly the scope ------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_staff_lists_show_exactly_the_scope(world, actor):
    from kejia.activities.models import Event

    user = getattr(world, actor)
    scope = _scope()
    expected = {e.pk for e in Event.objects.select_related("organization") if scope.can_view(user, e.organization)}
    response = world.page_clients[actor].get(reverse("activities:manage"), {"when": "all"})
    if not scope.has_any_role(user):
        assert response.status_code == 403
        return
    assert {e.pk for e in response.context["page"].object_list} == expected
    for key, org in world.orgs.items():
        answer = world.api_client.get(f"{A}/orgs/{org.pk}/events", {"limit": 500}, headers=sm.bearer(world, actor))
        if scope.can_view(user, org):
            got = {item["id"] for item in answer.json()["items"]}
            assert got == {pk for pk in expected if Event.objects.get(pk=pk).organization.path.startswith(org.path)}, key
        else:
            assert answer.status_code == 404, key


@pytest.mark.parametrize("actor", ACTORS)
def test_public_list_shows_only_public_events_to_everyone(world, actor):
    answer = world.api_client.get(f"{A}/events", {"limit": 500, "starts_from": "2000-01-01T00:00:00Z"}, headers=sm.bearer(world, actor))
    titles = {item["title"] for item in answer.json()["items"]}
    assert titles == {f"矩阵活动{org.code}" for org in world.orgs.values()}
