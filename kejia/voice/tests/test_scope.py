"""Scope matrix of voice: every page route and API operation with an object id, for each actor
outside and inside scope. `MATRIX_ROUTES` names them for the route guard in
kejia/organizations/tests/test_scope_matrix.py.

The world: items sent by the S&T worker and by a second sender to XW, QH, LX, SOC, XW-MY and NJ, in
several states, and answers to publish. Who may do what is computed from the organization paths
(`kejia.accounts.scope`), the sender and the item's state, never listed by hand:
- view: the sender, or anyone whose scope covers the handling organization; else outside (404);
- assign, forward: staff or administrators covering the handling organization; in view without
  that role, forbidden (403); an item not waiting for an answer, invalid (409);
- answer: any role covering the handling organization (not the sender as such);
- rate, reopen, publicity: the sender only; close: the sender or the handling staff;
- publish an answer: a leader or administrator covering the handling organization; invalid if the
  sender did not allow publication.
Non-ok: nothing written (items, answers, events, audit log, notices) and the item's title not in
the answer. Ok: 2xx (a page's GET a 200, its POST a redirect) and, for writes, an audit row."""

from collections.abc import Callable

import pytest
from django.urls import reverse

from kejia.accounts import scope
from kejia.accounts.models import RoleKind
from kejia.accounts.services import create_user, grant_role
from kejia.core.models import AuditEvent, Notice
from kejia.core.testing import scope_matrix as sm
from kejia.core.testing.scope_matrix import fixed
from kejia.voice import selectors, services
from kejia.voice.choices import OPEN_STATUSES, ItemStatus
from kejia.voice.models import Answer, Item, ItemEvent

THIS_MODULE = "kejia/voice/tests/test_scope.py"
V = "/api/voice"
ACTORS = ["county_staff", "county_leader", "sibling_staff", "nj_staff", "nj_admin", "wx_staff", "society_secretary", "worker", "other_sender"]

MATRIX_ROUTES: list[str] = [
    "voice:item",
    "voice:assign",
    "voice:forward",
    "voice:answer",
    "voice:rate",
    "voice:reopen",
    "voice:close",
    "voice:publicity",
    "voice:publish",
    f"GET {V}/items/{{id}}",
    f"POST {V}/items/{{id}}/assign",
    f"POST {V}/items/{{id}}/forward",
    f"POST {V}/items/{{id}}/answer",
    f"POST {V}/items/{{id}}/rate",
    f"POST {V}/items/{{id}}/reopen",
    f"POST {V}/items/{{id}}/close",
    f"POST {V}/items/{{id}}/publicity",
    f"POST {V}/answers/{{id}}/publish",
]


# ---- The world, once per module ---------------------------------------------------------------


def _build(w) -> None:
    platform = w.platform
    w.other_sender = create_user(actor=platform, username="other_sender", password=w.password, display_name="矩阵另一位", check_password=False)
    w.nj_leader = create_user(actor=platform, username="nj_leader", password=w.password, display_name="矩阵市领导", check_password=False)
    grant_role(w.nj_leader, actor=platform, organization=w.nj, kind=RoleKind.LEADER, title="副主席")

    def item(key, sender, org, *, public=True):
        return services.send_item(actor=sender, organization=org, kind="suggestion", title=f"矩阵{key}", body=f"矩阵正文{key}", allow_public=public)

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


def _build_world(w) -> None:
    _build(w)
    w.objects = sm.resolve_all(w, RESOLVE, OBJECTS)


_world, db, world = sm.fixtures(_build_world, actors=ACTORS)


RESOLVE: dict[str, Callable] = {
    "item": lambda w, key: Item.objects.select_related("organization__parent").get(pk=w.ids["item"][key]),
    "answer": lambda w, key: Answer.objects.select_related("item__organization").get(pk=w.ids["answer"][key]),
}
OBJECTS = {
    "item": list(["i_xw_open", "i_xw_answered", "i_qh_open", "i_lx_answered", "i_soc_open", "i_my_closed", "i_nj_reopened"]),
    "answer": ["a_xw", "a_lx", "a_nj_private"],
}


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


# ---- The endpoints ----------------------------------------------------------------------------

Endpoint = sm.Endpoint
api, page = Endpoint.api, Endpoint.page
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
CASES = sm.cases(ACTORS, ENDPOINTS)


# ---- Sending and checking ---------------------------------------------------------------------


def database_state() -> tuple:
    return sm.snapshot(
        [*sm.counts(AuditEvent, Notice, Item, Answer, ItemEvent), *sm.latest(Item, Answer), f"SELECT COUNT(*) FROM {sm.table(Answer)} WHERE is_public"]
    )


def check(w, actor: str, endpoint: Endpoint, key: str, expected: str) -> str | None:
    """Every allowed write leaves an audit row; a refusal does not show the item's title."""
    title = item_of(w.objects[(endpoint.target, key)]).title
    return sm.check(w, actor, endpoint, key, expected, state=database_state, texts=[title], audited=endpoint.method != "GET", api_ok=(200, 201))


@pytest.mark.parametrize("actor,endpoint", CASES)
def test_endpoint_answers_each_object_by_scope(world, actor, endpoint):
    sm.run_case(world, actor, endpoint, OBJECTS[endpoint.target], check)


def test_matrix_has_allowed_outside_and_refused_cases_for_every_endpoint(world):
    outcomes = sm.outcomes(world, ACTORS, ENDPOINTS, OBJECTS)
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
    sm.assert_page_methods(world.page_clients["nj_admin"], name, ENDPOINTS, reverse(name, kwargs={"pk": sm.UNKNOWN_ID}))


# ---- Lists show exactly the scope ---------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_lists_show_exactly_the_scope(world, actor):
    """My items: exactly one's own; the inbox: exactly the open items handled in the scope; the
    public page: no item whose sender did not allow it."""
    user = getattr(world, actor)
    headers = sm.bearer(world, actor)
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
