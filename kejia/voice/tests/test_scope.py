"""Scope matrix of voice: every page route and API operation with an object id, for each actor
outside and inside scope. `MATRIX_ROUTES` names them for the route guard in
kejia/organizations/tests/test_scope_matrix.py.

The world: items sent by the S&T worker and by a second sender to XW, QH, LX, SOC, XW-MY and NJ, in
several states, and answers to publish. Who may do what is computed from the organization paths
(`kejia.organizations.scope`), the sender and the item's state, never listed by hand:
- view: the sender, or anyone whose scope covers the handling organization; else outside (404);
- assign, forward: staff or administrators covering the handling organization; in view without
  that role, forbidden (403); an item not waiting for an answer, invalid (409);
- answer: any role covering the handling organization (not the sender as such);
- rate, reopen, publicity: the sender only; close: the sender or the handling staff;
- publish an answer: a leader or administrator covering the handling organization; invalid if the
  sender did not allow publication.
Non-ok: nothing written (items, answers, events, audit log, notices) and the item's title not in
the answer. Ok: 2xx (a page's GET a 200, its POST a redirect) and, for writes, an audit row."""

import dataclasses
import datetime
import json
import logging
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import conftest
from kejia.accounts.models import ApiToken, RoleKind
from kejia.accounts.services import create_user, grant_role, issue_api_token
from kejia.core.models import AuditEvent, Notice
from kejia.organizations import scope
from kejia.voice import selectors, services
from kejia.voice.choices import OPEN_STATUSES, ItemStatus
from kejia.voice.models import Answer, Item, ItemEvent

THIS_MODULE = "kejia/voice/tests/test_scope.py"
V = "/api/voice"
ACTORS = ["county_staff", "county_leader", "sibling_staff", "nj_staff", "nj_admin", "wx_staff", "society_secretary", "worker", "other_sender"]

MATRIX_ROUTES: list[str] = [
    "voice:item", "voice:assign", "voice:forward", "voice:answer", "voice:rate", "voice:reopen", "voice:close", "voice:publicity",
    "voice:publish",
    f"GET {V}/items/{{id}}", f"POST {V}/items/{{id}}/assign", f"POST {V}/items/{{id}}/forward", f"POST {V}/items/{{id}}/answer",
    f"POST {V}/items/{{id}}/rate", f"POST {V}/items/{{id}}/reopen", f"POST {V}/items/{{id}}/close", f"POST {V}/items/{{id}}/publicity",
    f"POST {V}/answers/{{id}}/publish",
]


# ---- The world, once per module ---------------------------------------------------------------

def _build(w) -> None:
    platform = w.platform
    w.other_sender = create_user(actor=platform, username="other_sender", password=w.password, display_name="矩阵另一位", check_password=False)
    w.nj_leader = create_user(actor=platform, username="nj_leader", password=w.password, display_name="矩阵市领导", check_password=False)
    grant_role(w.nj_leader, actor=platform, organization=w.nj, kind=RoleKind.LEADER, title="副主席")

    def item(key, sender, org, *, public=True):
        return services.send_item(actor=sender, organization=org, kind="suggestion", title=f"矩阵{key}", body=f"矩阵正文{key}",
                                  allow_public=public)

    items = {
        "i_xw_open": item("i_xw_open", w.worker, w.xw),
        "i_xw_answered": item("i_xw_answered", w.worker, w.xw),
        "i_qh_open": item("i_qh_open", w.other_sender, w.qh),
        "i_lx_answered": item("i_lx_answered", w.other_sender, w.lx),
        "i_soc_open": item("i_soc_open", w.worker, w.soc),
        "i_my_closed": item("i_my_closed", w.worker, w.my),
        "i_nj_reopened": item("i_nj_reopened", w.other_sender, w.nj, public=False),
    }
    answers = {
        "a_xw": services.answer_item(items["i_xw_answered"], actor=platform, text="矩阵答复"),
        "a_lx": services.answer_item(items["i_lx_answered"], actor=platform, text="矩阵答复"),
    }
    services.answer_item(items["i_my_closed"], actor=platform, text="矩阵答复")
    services.rate_item(items["i_my_closed"], actor=w.worker, rating=4)
    answers["a_nj_private"] = services.answer_item(items["i_nj_reopened"], actor=platform, text="矩阵答复")
    services.reopen_item(items["i_nj_reopened"], actor=w.other_sender, reason="矩阵重开")
    services.answer_item(items["i_nj_reopened"], actor=platform, text="矩阵再答")
    w.ids = {"item": {k: v.pk for k, v in items.items()}, "answer": {k: v.pk for k, v in answers.items()}}


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            conftest.reference.__wrapped__(None)
            w = conftest.tree.__wrapped__(None)
            _build(w)
            w.objects = {(target, key): RESOLVE[target](w, key) for target, keys in OBJECTS.items() for key in keys}
            w.outcomes = {}
            w.tokens = {name: issue_api_token(getattr(w, name))[1] for name in ACTORS}
            ApiToken.objects.update(last_used_at=timezone.now() + datetime.timedelta(hours=1))
            w.api_client = Client()
            w.page_clients = {}
            for name in ACTORS:
                w.page_clients[name] = Client()
                w.page_clients[name].force_login(getattr(w, name))
            yield w
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            request_log.setLevel(level)


@pytest.fixture
def db(_world):
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def world(_world, db):
    return _world


RESOLVE: dict[str, Callable] = {
    "item": lambda w, key: Item.objects.select_related("organization__parent").get(pk=w.ids["item"][key]),
    "answer": lambda w, key: Answer.objects.select_related("item__organization").get(pk=w.ids["answer"][key]),
}
OBJECTS = {"item": list(["i_xw_open", "i_xw_answered", "i_qh_open", "i_lx_answered", "i_soc_open", "i_my_closed", "i_nj_reopened"]),
           "answer": ["a_xw", "a_lx", "a_nj_private"]}


def item_of(obj) -> Item:
    return obj.item if isinstance(obj, Answer) else obj


# ---- Who may do what: computed from paths, the sender and the state ------------------------------

def sender(user, obj) -> bool:
    return item_of(obj).sender_id == user.pk


def inside(user, obj) -> bool:
    return sender(user, obj) or scope.can_view(user, item_of(obj).organization)


def is_open(obj) -> bool:
    return obj.status in OPEN_STATUSES


def view(w, user, obj) -> str:
    return "ok" if inside(user, obj) else "outside"


def staff_open(w, user, obj) -> str:
    if not inside(user, obj):
        return "outside"
    if not scope.can_manage(user, obj.organization):
        return "forbidden"
    return "ok" if is_open(obj) else "invalid"


def handler_open(w, user, obj) -> str:
    if not inside(user, obj):
        return "outside"
    if not scope.can_view(user, obj.organization):
        return "forbidden"
    return "ok" if is_open(obj) else "invalid"


def sender_only(state: Callable) -> Callable:
    def rule(w, user, obj):
        if not inside(user, obj):
            return "outside"
        if not sender(user, obj):
            return "forbidden"
        return "ok" if state(obj) else "invalid"
    return rule


def closer(w, user, obj) -> str:
    if not inside(user, obj):
        return "outside"
    if not (sender(user, obj) or scope.can_manage(user, obj.organization)):
        return "forbidden"
    return "ok" if obj.status == ItemStatus.ANSWERED else "invalid"


def publisher(w, user, answer) -> str:
    item = answer.item
    if not inside(user, answer):
        return "outside"
    if not scope.can_view(user, item.organization) or services.signer_role(user, item.organization) is None:
        return "forbidden"
    return "ok" if item.allow_public and not answer.is_public else "invalid"


def answered(obj) -> bool:
    return obj.status == ItemStatus.ANSWERED


def reopenable(obj) -> bool:
    return obj.status in (ItemStatus.ANSWERED, ItemStatus.CLOSED) and obj.reopened_at is None


def always(obj) -> bool:
    return True


# ---- Request bodies ---------------------------------------------------------------------------

def assignee_body(api: bool) -> Callable:
    def body(w, user, item):
        pk = selectors.assignees(item)[0].pk
        return {"assignee_id": pk} if api else {"assign-assignee": pk}
    return body


def forward_body(api: bool) -> Callable:
    def body(w, user, item):
        parent = item.organization.parent
        return {"to_id": parent.pk} if api else {"forward-to": parent.code}
    return body


def publicity_body(api: bool) -> Callable:
    def body(w, user, item):
        if api:
            return {"allow_public": not item.allow_public}
        return {} if item.allow_public else {"publicity-allow_public": "on"}
    return body


def fixed(data: dict) -> Callable:
    return lambda w, user, obj: data


# ---- The endpoints ----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Endpoint:
    route: str
    method: str
    target: str
    rule: Callable
    body: Callable | None = None

    @property
    def door(self) -> str:
        return "api" if " /api/" in self.route else "html"

    @property
    def key(self) -> str:
        return self.route if self.door == "api" else f"{self.method} {self.route}"

    def url(self, obj) -> str:
        if self.door == "api":
            return self.route.split(" ", 1)[1].replace("{id}", str(obj.pk))
        return reverse(self.route, kwargs={"pk": obj.pk})


def page(name, method, target, rule, body=None) -> Endpoint:
    return Endpoint(name, method, target, rule, body)


def api(route, target, rule, body=None) -> Endpoint:
    return Endpoint(route, route.split(" ", 1)[0], target, rule, body)


ENDPOINTS = [
    page("voice:item", "GET", "item", view),
    page("voice:assign", "POST", "item", staff_open, assignee_body(api=False)),
    page("voice:forward", "POST", "item", staff_open, forward_body(api=False)),
    page("voice:answer", "POST", "item", handler_open, fixed({"answer-text": "矩阵页面答复"})),
    page("voice:rate", "POST", "item", sender_only(answered), fixed({"rate-rating": "5"})),
    page("voice:reopen", "POST", "item", sender_only(reopenable), fixed({"reopen-reason": "矩阵"})),
    page("voice:close", "POST", "item", closer),
    page("voice:publicity", "POST", "item", sender_only(always), publicity_body(api=False)),
    page("voice:publish", "POST", "answer", publisher),
    api(f"GET {V}/items/{{id}}", "item", view),
    api(f"POST {V}/items/{{id}}/assign", "item", staff_open, assignee_body(api=True)),
    api(f"POST {V}/items/{{id}}/forward", "item", staff_open, forward_body(api=True)),
    api(f"POST {V}/items/{{id}}/answer", "item", handler_open, fixed({"text": "矩阵接口答复"})),
    api(f"POST {V}/items/{{id}}/rate", "item", sender_only(answered), fixed({"rating": 5})),
    api(f"POST {V}/items/{{id}}/reopen", "item", sender_only(reopenable), fixed({"reason": "矩阵"})),
    api(f"POST {V}/items/{{id}}/close", "item", closer),
    api(f"POST {V}/items/{{id}}/publicity", "item", sender_only(always), publicity_body(api=True)),
    api(f"POST {V}/answers/{{id}}/publish", "answer", publisher),
]
CASES = [pytest.param(actor, endpoint, id=f"{actor}|{endpoint.key}") for actor in ACTORS for endpoint in ENDPOINTS]


def expectation(w, actor: str, endpoint: Endpoint, key: str) -> str:
    case = (actor, endpoint.key, key)
    if case not in w.outcomes:
        w.outcomes[case] = endpoint.rule(w, getattr(w, actor), w.objects[(endpoint.target, key)])
    return w.outcomes[case]


# ---- Sending and checking ---------------------------------------------------------------------

def database_state() -> tuple:
    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    sql = [f"SELECT COUNT(*) FROM {table(m)}" for m in (AuditEvent, Notice, Item, Answer, ItemEvent)]
    sql += [f"SELECT MAX(updated_at) FROM {table(m)}" for m in (Item, Answer)]
    sql += [f"SELECT COUNT(*) FROM {table(Answer)} WHERE is_public"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"({part})" for part in sql))
        return tuple(cursor.fetchone())


def send(w, actor: str, endpoint: Endpoint, obj):
    body = endpoint.body(w, getattr(w, actor), obj) if endpoint.body else {}
    url = endpoint.url(obj)
    if endpoint.door == "api":
        headers = {"Authorization": f"Bearer {w.tokens[actor]}"}
        if endpoint.method == "GET":
            return w.api_client.get(url, headers=headers)
        return w.api_client.generic(endpoint.method, url, json.dumps(body), content_type="application/json", headers=headers)
    client = w.page_clients[actor]
    client.cookies.pop("messages", None)
    return client.get(url) if endpoint.method == "GET" else client.post(url, body)


def check(w, actor: str, endpoint: Endpoint, key: str, expected: str) -> str | None:
    obj = w.objects[(endpoint.target, key)]
    with transaction.atomic():
        before = database_state()
        response = send(w, actor, endpoint, obj)
        after = database_state()
        transaction.set_rollback(True)
    status = response.status_code
    where = f"{endpoint.method} {endpoint.url(obj)} ({key}, {expected}) answered {status}"
    if expected == "ok":
        if endpoint.door == "api":
            good = status in (200, 201)
        else:
            good = status == (200 if endpoint.method == "GET" else 302)
        if not good:
            return where
        if endpoint.method != "GET" and after[0] <= before[0]:
            return f"{where} but wrote no audit row"
        return None
    allowed = {"outside": (403, 404), "forbidden": (403,) if endpoint.door == "api" else (403, 404), "invalid": (400, 409)}
    if status not in allowed[expected]:
        return where
    if after != before:
        return f"{where} and changed the database"
    if expected in ("outside", "forbidden") and item_of(obj).title in response.content.decode():
        return f"{where} and showed the item's title"
    return None


@pytest.mark.parametrize("actor,endpoint", CASES)
def test_endpoint_answers_each_object_by_scope(world, actor, endpoint):
    failures = []
    for key in OBJECTS[endpoint.target]:
        problem = check(world, actor, endpoint, key, expectation(world, actor, endpoint, key))
        if problem:
            failures.append(problem)
    assert not failures, f"{actor}:\n" + "\n".join(failures)


def test_matrix_has_allowed_outside_and_refused_cases_for_every_endpoint(world):
    outcomes: dict[str, set[str]] = {}
    for actor in ACTORS:
        for endpoint in ENDPOINTS:
            for key in OBJECTS[endpoint.target]:
                outcomes.setdefault(endpoint.key, set()).add(expectation(world, actor, endpoint, key))
    for endpoint in ENDPOINTS:
        assert "ok" in outcomes[endpoint.key], f"no allowed case for {endpoint.key}"
        assert "outside" in outcomes[endpoint.key], f"no outside case for {endpoint.key}"
        if endpoint.method != "GET":
            assert "forbidden" in outcomes[endpoint.key], f"no forbidden case for {endpoint.key}"
            if "publicity" not in endpoint.route:  # the sender may change it in any state
                assert "invalid" in outcomes[endpoint.key], f"no invalid case for {endpoint.key}"


def test_matrix_covers_every_voice_route():
    from kejia.organizations.tests.test_scope_matrix import OTHER_MATRICES  # it imports this module: not at the top

    mine = {route for route, module in OTHER_MATRICES.items() if module == THIS_MODULE}
    assert mine == set(MATRIX_ROUTES) == {e.route for e in ENDPOINTS}


@pytest.mark.parametrize("name", sorted({e.route for e in ENDPOINTS if e.door == "html"}))
def test_matrix_tests_every_method_a_page_accepts(world, name):
    client = world.page_clients["nj_admin"]
    url = reverse(name, kwargs={"pk": 987654321})
    tested = {e.method for e in ENDPOINTS if e.route == name}
    for method in ("GET", "POST"):
        accepted = getattr(client, method.lower())(url).status_code != 405
        assert not accepted or method in tested, f"{name} accepts {method}, which the scope matrix does not test"


# ---- Lists show exactly the scope ---------------------------------------------------------------

@pytest.mark.parametrize("actor", ACTORS)
def test_lists_show_exactly_the_scope(world, actor):
    """My items: exactly one's own; the inbox: exactly the open items handled in the scope; the
    public page: no item whose sender did not allow it."""
    user = getattr(world, actor)
    headers = {"Authorization": f"Bearer {world.tokens[actor]}"}
    items = list(Item.objects.select_related("organization"))
    mine = {i.pk for i in items if i.sender_id == user.pk}
    data = world.api_client.get(f"{V}/items", {"limit": 200}, headers=headers).json()
    assert {row["id"] for row in data["items"]} == mine
    assert {i.pk for i in world.page_clients[actor].get(reverse("voice:home")).context["items"]} == mine
    handled = {i.pk for i in items if i.status in OPEN_STATUSES and scope.can_view(user, i.organization)}
    data = world.api_client.get(f"{V}/inbox", {"limit": 200}, headers=headers).json()
    assert {row["id"] for row in data["items"]} == handled
    response = world.page_clients[actor].get(reverse("voice:inbox"))
    if scope.has_any_role(user):
        assert {i.pk for i in response.context["page"].object_list} == handled
    else:
        assert response.status_code == 403
    shown = {row["id"] for row in world.api_client.get(f"{V}/public").json()["items"]}
    assert all(Item.objects.get(pk=pk).allow_public for pk in shown)
