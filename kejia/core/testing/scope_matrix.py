"""The machinery of the apps' scope matrices (`kejia/<app>/tests/test_scope.py` and the organizations'
`test_scope_matrix.py`): actors × endpoints that take an object id × objects in and out of scope.

A matrix module keeps its own parts here untouched — the objects it builds, its ENDPOINTS and
MATRIX_ROUTES, the rules computing who may do what, the tables a write could change — and takes
the rest from this module:

- `fixtures(build, actors=…)` makes the module's `_world`, `db` and `world` fixtures. The world is
  conftest's `reference` and `tree` (the same builders, called once per module), what `build(w)`
  adds, an API token per actor and a page client logged in per actor, all in an outer transaction
  rolled back after the module's last test; `db` overrides pytest-django's with a savepoint per
  test (cheaper than its per-test set-up); django.request's log is quiet meanwhile.
- `Endpoint`: a route (a URL name, or "METHOD /api/path" exactly as in the OpenAPI schema) × method
  × kind of object × rule; a module subclasses it for its own fields and URLs.
- `request`/`send` send one request through the API (bearer token) or the actor's page client;
  `check` sends it in a savepoint of its own and `judge`s the answer against the expected outcome
  (ok, noop, outside, forbidden, invalid/refused): its status, an audit row, nothing written
  (`snapshot` of the module's tables before and after, in one query), none of the given texts shown.
- `run_case`, `outcomes`, `assert_page_methods`, `api_get`, `bearer`: the loops and asserts every
  matrix repeats.
"""

import contextlib
import dataclasses
import datetime
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django.utils import timezone

UNKNOWN_ID = 987654321  # an id no object has: a page's answer to it tells which methods it accepts


# ---- The world, once per module ---------------------------------------------------------------


@contextlib.contextmanager
def quiet_request_log() -> Iterator[None]:
    """Thousands of expected 403/404 need no log lines."""
    log = logging.getLogger("django.request")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """A transaction (a savepoint inside another) whose writes are undone when it ends."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def build_tree():
    """conftest's reference data and federation (`tree`), built outside pytest's fixtures."""
    import conftest

    conftest.reference.__wrapped__(None)
    return conftest.tree.__wrapped__(None)


def issue_tokens(w, actors: Iterable[str]) -> dict[str, str]:
    from kejia.accounts.models import ApiToken
    from kejia.accounts.services import issue_api_token

    tokens = {name: issue_api_token(getattr(w, name))[1] for name in actors}
    # A token's use is stamped at most every few minutes; stamped ahead, no request writes it.
    ApiToken.objects.update(last_used_at=timezone.now() + datetime.timedelta(hours=1))
    return tokens


def logged_in(user) -> Client:
    """A page client with `user`'s session (none for None: anonymous)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def fixtures(
    build: Callable, *, actors: Sequence[str], page_actors: Sequence[str] | None = None, around: Callable[[], contextlib.AbstractContextManager] | None = None
) -> tuple:
    """The module's fixtures `(_world, db, world)`: `_world, db, world = scope_matrix.fixtures(...)`.

    `build(w)` adds the module's objects to conftest's tree (and, usually, `w.objects`); `w.memo`
    and `w.outcomes` start empty. Tokens are issued for `actors`, page clients made for
    `page_actors` (default: `actors`). `around()`, a context manager, is entered around it all
    (settings to override, a temporary media folder)."""

    @pytest.fixture(scope="module", name="_world")
    def _world(django_db_setup, django_db_blocker):
        with contextlib.ExitStack() as stack:
            stack.enter_context(quiet_request_log())
            if around is not None:
                stack.enter_context(around())
            stack.enter_context(django_db_blocker.unblock())
            stack.enter_context(rolled_back())
            w = build_tree()
            w.memo, w.outcomes = {}, {}
            build(w)
            w.tokens = issue_tokens(w, actors)
            # One client per actor for the whole module: a new client loads the middleware again
            # (WhiteNoise scans the static files), which would dominate the matrix's time. The
            # sessions are made here, outside the per-test savepoints, so they outlive each test.
            w.api_client = Client()
            w.page_clients = {name: logged_in(getattr(w, name)) for name in (page_actors or actors)}
            yield w

    @pytest.fixture(name="db")
    def db(_world):
        """A savepoint in the module's transaction, so what a test writes is undone after it."""
        with rolled_back():
            yield

    @pytest.fixture(name="world")
    def world(_world, db):
        return _world

    return _world, db, world


def by_id(queryset: Callable, target: str) -> Callable:
    """A resolver `(w, key) -> object`: `queryset()`'s row whose id is `w.ids[target][key]`."""
    return lambda w, key: queryset().get(pk=w.ids[target][key])


def resolve_all(w, resolve: Mapping[str, Callable], objects: Mapping[str, Iterable[str]]) -> dict:
    """Every object read once, keyed (target, key): the rules read them, every request names them
    (the requests run in savepoints rolled back, so none of them changes)."""
    return {(target, key): resolve[target](w, key) for target, keys in objects.items() for key in keys}


def fixed(data: dict) -> Callable:
    """A request body that does not depend on the actor or the object."""
    return lambda w, user, obj: data


def memo(w, name: str, pk: int, compute: Callable):
    """`compute()`, once per module for (name, pk)."""
    if (name, pk) not in w.memo:
        w.memo[(name, pk)] = compute()
    return w.memo[(name, pk)]


# ---- Endpoints ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Endpoint:
    route: str  # the URL name, or "METHOD /api/path" as in the API's schema
    method: str
    target: str  # the kind of object, a key of the module's objects
    rule: Callable  # (w, user, obj) -> the expected outcome
    body: Callable | None = None  # (w, user, obj) -> the request's data
    audit: bool = False  # an allowed request writes an audit row

    @classmethod
    def api(cls, route: str, target: str, rule: Callable, body: Callable | None = None, audit: bool = False, **kw):
        return cls(route, route.split(" ", 1)[0], target, rule, body, audit, **kw)

    @classmethod
    def page(cls, name: str, method: str, target: str, rule: Callable, body: Callable | None = None, audit: bool = False, **kw):
        return cls(name, method, target, rule, body, audit, **kw)

    @property
    def door(self) -> str:
        return "api" if " /api/" in self.route else "html"

    @property
    def key(self) -> str:
        return self.route if self.door == "api" else f"{self.method} {self.route}"

    def url(self, w, obj) -> str:
        if self.door == "api":
            return self.route.split(" ", 1)[1].replace("{id}", str(obj.pk))
        return reverse(self.route, args=[obj.pk])


def cases(actors: Iterable[str], endpoints: Iterable[Endpoint]) -> list:
    return [pytest.param(actor, endpoint, id=f"{actor}|{endpoint.key}") for actor in actors for endpoint in endpoints]


def expectation(w, actor: str, endpoint: Endpoint, key: str) -> str:
    """The endpoint's rule for the actor and the object, computed once per module."""
    case = (actor, endpoint.key, key)
    if case not in w.outcomes:
        w.outcomes[case] = endpoint.rule(w, getattr(w, actor), w.objects[(endpoint.target, key)])
    return w.outcomes[case]


def outcomes(w, actors: Iterable[str], endpoints: Iterable[Endpoint], objects: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """Each endpoint's outcomes over every actor and object: what the positive controls look at."""
    found: dict[str, set[str]] = {}
    for actor in actors:
        for endpoint in endpoints:
            for key in objects[endpoint.target]:
                found.setdefault(endpoint.key, set()).add(expectation(w, actor, endpoint, key))
    return found


# ---- Sending --------------------------------------------------------------------------------------


def bearer(w, actor: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {w.tokens[actor]}"}


def page_client(w, actor: str) -> Client:
    client = w.page_clients[actor]
    client.cookies.pop("messages", None)  # a message of an earlier request stays out of this one
    return client


def request(w, actor: str, door: str, method: str, url: str, body: dict | None = None, *, query: dict | None = None, multipart: bool = False):
    """One request as the actor: through the API with their token (JSON, or multipart), or their page client."""
    body = {} if body is None else body
    if door == "api":
        headers = bearer(w, actor)
        if method == "GET":
            return w.api_client.get(url, query, headers=headers)
        if multipart:
            return w.api_client.post(url, body, headers=headers)
        return w.api_client.generic(method, url, json.dumps(body), content_type="application/json", headers=headers)
    client = page_client(w, actor)
    return client.get(url, query) if method == "GET" else client.post(url, body)


def send(w, actor: str, endpoint: Endpoint, obj, **kw):
    """The endpoint's request for the object: its URL and its body for the actor."""
    body = endpoint.body(w, getattr(w, actor), obj) if endpoint.body else {}
    return request(w, actor, endpoint.door, endpoint.method, endpoint.url(w, obj), body, **kw)


def api_get(w, actor: str, url: str, **params):
    response = w.api_client.get(url, params, headers=bearer(w, actor))
    assert response.status_code == 200, response.content
    return response.json()


# ---- Nothing written --------------------------------------------------------------------------------


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def counts(*models) -> list[str]:
    return [f"SELECT COUNT(*) FROM {table(model)}" for model in models]


def latest(*models) -> list[str]:
    return [f"SELECT MAX(updated_at) FROM {table(model)}" for model in models]


def snapshot(parts: Sequence[str], params: Sequence | None = None) -> tuple:
    """The values of scalar queries (`counts`, `latest`, any other), in one query. A matrix puts the
    audit log's count first: `judge` reads an audit row from it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"({part})" for part in parts), params or None)
        return tuple(cursor.fetchone())


def in_savepoint(state: Callable[[], tuple], send_request: Callable):
    """Send one request in a savepoint rolled back after it: (response, state before, state after)."""
    with rolled_back():
        before = state()
        response = send_request()
        after = state()
    return response, before, after


# ---- Judging an answer ------------------------------------------------------------------------------


def refusal_statuses(expected: str, door: str) -> tuple[int, ...]:
    """outside: 403/404; forbidden (in scope, not the role): 403, a page may hide it as a 404;
    invalid (called refused by the organizations matrix: not in this state): 400/409."""
    if expected == "forbidden":
        return (403,) if door == "api" else (403, 404)
    return {"outside": (403, 404), "invalid": (400, 409), "refused": (400, 409)}[expected]


def answered_ok(response, door: str, method: str, api_ok: tuple[int, ...] = (200, 201, 204)) -> bool:
    """An API's 2xx; a page's GET a 200, its POST a redirect not to the login page."""
    status = response.status_code
    if door == "api":
        return status in api_ok
    if method == "GET":
        return status == 200
    return status == 302 and not response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def text_of(response) -> str:
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return content.decode(errors="replace")


def judge(
    response,
    before: tuple,
    after: tuple,
    expected: str,
    *,
    where: str,
    door: str,
    method: str,
    audited: bool,
    changes: bool = False,
    reads_nothing: bool = False,
    ok: Callable | None = None,
    api_ok: tuple[int, ...] = (200, 201, 204),
    texts: Iterable[str] = (),
) -> str | None:
    """What is wrong with one answer, or None.

    ok: `ok(response)` (default `answered_ok`), an audit row when `audited` (the state's first
    value counts the audit log), a change when `changes` and the request is a write, none when
    `reads_nothing` and it is a read. noop: a 200 and nothing written. Refusals
    (`refusal_statuses`): nothing written, and for outside and forbidden none of `texts` shown."""
    status = response.status_code
    where = f"{where} answered {status}"
    if expected == "ok":
        if not (ok(response) if ok else answered_ok(response, door, method, api_ok)):
            return f"{where}{excerpt(response)}"
        if audited and after[0] <= before[0]:
            return f"{where} but wrote no audit row"
        if changes and method != "GET" and after == before:
            return f"{where} but changed nothing"
        if reads_nothing and method == "GET" and after != before:
            return f"{where} and a read changed the database"
        return None
    if expected == "noop":
        return None if status == 200 and after == before else f"{where} (changed: {after != before})"
    if status not in refusal_statuses(expected, door):
        return f"{where}{excerpt(response)}"
    if after != before:
        return f"{where} and changed the database"
    if expected in ("outside", "forbidden"):
        texts = list(texts)
        content = text_of(response) if texts else ""
        leaked = [text for text in texts if text in content]
        if leaked:
            return f"{where} and showed {leaked}"
    return None


def excerpt(response) -> str:
    return "" if getattr(response, "streaming", False) else f": {response.content[:300]!r}"


def check(
    w,
    actor: str,
    endpoint: Endpoint,
    key: str,
    expected: str,
    *,
    state: Callable[[], tuple],
    texts: Iterable[str] = (),
    send: Callable = send,
    audited: bool | None = None,
    **judging,
) -> str | None:
    """One request of the endpoint for the object `key`, in a savepoint of its own, judged (see `judge`;
    `audited` defaults to the endpoint's `audit`)."""
    obj = w.objects[(endpoint.target, key)]
    response, before, after = in_savepoint(state, lambda: send(w, actor, endpoint, obj))
    where = f"{endpoint.method} {endpoint.url(w, obj)} ({key}, {expected})"
    audited = endpoint.audit if audited is None else audited
    return judge(response, before, after, expected, where=where, door=endpoint.door, method=endpoint.method, audited=audited, texts=texts, **judging)


# ---- The matrix's loops -------------------------------------------------------------------------------


def run_case(w, actor: str, endpoint: Endpoint, keys: Iterable[str], check: Callable, known_bugs: Mapping[tuple[str, str, str], str] | None = None) -> None:
    """One (actor, endpoint) case: every object, each in a savepoint, answered as its rule computes.

    A row of `known_bugs` ((actor, endpoint key, object) -> what) must still fail (a fix fails the
    case until its row is removed); the other rows are checked as usual, and the case then ends as
    an xfail naming the bug."""
    failures, known = [], []
    for key in keys:
        problem = check(w, actor, endpoint, key, expectation(w, actor, endpoint, key))
        bug = (known_bugs or {}).get((actor, endpoint.key, key))
        if bug:
            assert problem, f"{key} now answers rightly: remove its row from KNOWN_BUGS ({bug})"
            known.append(f"{problem}: {bug}")
        elif problem:
            failures.append(problem)
    assert not failures, f"{actor}:\n" + "\n".join(failures)
    if known:
        pytest.xfail("known bug: " + "; ".join(known))


def assert_page_methods(client: Client, name: str, endpoints: Iterable, url: str | None = None) -> None:
    """A page that answers GET or POST (anything but 405 for an unknown id) has that method in the matrix."""
    url = url or reverse(name, args=[UNKNOWN_ID])
    tested = {e.method for e in endpoints if e.route == name}
    for method in ("GET", "POST"):
        accepted = getattr(client, method.lower())(url).status_code != 405
        assert not accepted or method in tested, f"{name} accepts {method}, which the scope matrix does not test"
