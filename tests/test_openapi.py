"""The OpenAPI document describes each operation's own bodies: component names are unique across
the apps (two schemas of one name made ninja document one app's body for another's operation —
a voice answer shown with the survey's fields), and every documented request body is its schema."""

import enum
import re
import typing
from collections import defaultdict

import pytest
from pydantic import BaseModel

from kejia.api import api


def _operations():
    api.urls  # noqa: B018 — binds the routers
    for _, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                yield path, operation


def _bodies(operation) -> list[type[BaseModel]]:
    found = []
    for model in operation.models:
        if getattr(model, "__ninja_param_source__", None) in ("body", "form"):
            for info in model.model_fields.values():
                found += [c for c in _classes(info.annotation) if issubclass(c, BaseModel)]
    return found


def _classes(annotation) -> list[type]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel | enum.Enum):
        return [annotation]
    return [c for arg in typing.get_args(annotation) for c in _classes(arg)]


def _reachable(classes: list[type], seen: set[type]) -> None:
    for cls in classes:
        if cls in seen:
            continue
        seen.add(cls)
        if issubclass(cls, BaseModel):
            _reachable([c for info in cls.model_fields.values() for c in _classes(info.annotation)], seen)


def test_every_schema_name_is_used_by_one_schema():
    seen: set[type] = set()
    for _, operation in _operations():
        roots = [c for model in operation.models for info in model.model_fields.values() for c in _classes(info.annotation)]
        roots += [
            c
            for model in (operation.response_models or {}).values()
            if isinstance(model, type)
            for info in model.model_fields.values()
            for c in _classes(info.annotation)
        ]
        _reachable(roots, seen)
    by_name = defaultdict(set)
    for cls in seen:
        by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert not shared, shared


@pytest.fixture(scope="module")
def document():
    return api.get_openapi_schema()


def test_every_documented_request_body_is_the_operations_own_schema(document):
    checked = 0
    for path, operation in _operations():
        bodies = _bodies(operation)
        if len(bodies) != 1:
            continue
        (body,) = bodies
        for method in operation.methods:
            documented = document["paths"][f"/api{_openapi_path(path)}"][method.lower()]["requestBody"]
            refs = set(re.findall(r"#/components/schemas/(\w+)", str(documented)))
            if "application/json" in documented["content"]:
                assert refs == {body.__name__}, (method, path, refs, body)
                component = document["components"]["schemas"][body.__name__]
                assert set(component.get("properties", {})) == set(body.model_json_schema(by_alias=True).get("properties", {})), (method, path)
                checked += 1
    assert checked > 50


def _openapi_path(path: str) -> str:
    return re.sub(r"\{(\w+:)?(\w+)\}", r"{\2}", path)


def _resolved(document, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_every_limit_and_offset_is_within_the_shared_paging_bounds(document):
    """Issue 14, item 1: an unbounded offset reaching a search stopped the server. Every operation
    that pages — by query or by body, in any app, including those added later — declares the
    bounds of kejia.core.api.PageParams (or lower ones)."""
    from kejia.core.api import MAX_LIMIT, MAX_OFFSET

    bound = {"limit": MAX_LIMIT, "offset": MAX_OFFSET}
    checked = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            fields = {p["name"]: p["schema"] for p in operation.get("parameters", []) if p["name"] in bound}
            for content in operation.get("requestBody", {}).get("content", {}).values():
                properties = _resolved(document, content.get("schema", {})).get("properties", {})
                fields |= {name: _resolved(document, s) for name, s in properties.items() if name in bound}
            for name, schema in fields.items():
                assert "minimum" in schema, (method, path, name, schema)  # (a question's move takes -1 or 1)
                assert schema.get("maximum", bound[name] + 1) <= bound[name], (method, path, name, schema)
                checked.append((method, path))
    assert len(checked) > 50


# GET operations that answer a JSON list without `limit`/`offset`, each with why the list stays
# small. "GET path" is a list answered at the top; "GET path .field" a list inside the object
# answered. Everything else that lists is paged with kejia.core.api.PageParams and page_of.
UNPAGED_LISTS = {
    # Lists answered at the top.
    "GET /api/regions": "the divisions directly under one division (GB/T 2260: a few hundred at most), or a search capped at 50",
    "GET /api/disciplines": "the GB/T 13745 classification: reference data fixed by the standard",
    "GET /api/societies/{id}/member-classes": "one society's member classes, the few its staff define",
    "GET /api/memberships/{id}/payments": "one membership's dues: one payment a year (and the pending or rejected reports)",
    "GET /api/governance/orgs/{id}/bodies": "one body of each kind per organization (a database constraint): at most the BodyKind choices",
    "GET /api/governance/bodies/{id}/terms": "one body's terms, one every three to five years",
    "GET /api/governance/rulesets": "the composition policies written by platform and top-level administrators: a few",
    "GET /api/grassroots/categories": "the key staff categories the administrators keep (三长 and a few others)",
    "GET /api/voice/calendar": "holidays and make-up working days: a few dozen a year",
    "GET /api/surveys/{id}/versions": "one survey's published versions, one per publication by its staff",
    "GET /api/surveys/{id}/questions": "one survey's questions, edited and answered as one form (`/form` answers them whole too)",
    "GET /api/calls/templates": "the templates shipped with the code",
    "GET /api/review/rounds/{id} .criteria": "the round's scoring criteria: the few its owner sets (four in the seed-004 call)",
    "GET /api/review/sheets/{id} .criteria": "the round's scoring criteria: the few its owner sets (four in the seed-004 call)",
    "GET /api/review/sheets/{id} .others": "the other reviewers' sheets of the same item: the round's reviewers per item (three by default)",
    "GET /api/calls/projects/{id}/payments": "one project's payments against the few tranches of its plan (at most 10), never beyond their amounts",
    # Lists inside an object.
    "GET /api/me .roles": "one account's roles",
    "GET /api/orgs/{id} .disciplines": "one organization's disciplines",
    "GET /api/orgs/{id} .ancestors": "the breadcrumb: one organization's ancestors, as deep as the tree",
    "GET /api/orgs/{id}/subtree-counts .kinds": "one row per organization kind (OrgKind)",
    "GET /api/coverage .institutions": "one row per institution kind",
    "GET /api/people/me .programmes": "at most 20 (the input's bound)",
    "GET /api/people/me .disciplines": "one person's disciplines",
    "GET /api/people/me .listings": "the organizations listing one person",
    "GET /api/people/me .notices": "what one change converted: none or one",
    "GET /api/people/{id} .programmes": "at most 20 (the input's bound)",
    "GET /api/people/{id} .disciplines": "one person's disciplines",
    "GET /api/people/{id} .listings": "the organizations listing one person, within the caller's scope",
    "GET /api/people/{id} .notices": "what one change converted: none or one",
    "GET /api/societies/{id}/membership-rules .growth_bands": "at most 20 bands (the input's bound)",
    "GET /api/societies/{id}/membership-rules .staff_bands": "at most 20 bands (the input's bound)",
    "GET /api/memberships/{id} .approval_steps": "at most 20 steps (the member class's bound)",
    "GET /api/memberships/{id} .events": "one membership's history: its few transitions",
    "GET /api/memberships/{id} .documents": "the documents of one application: those its member class requires",
    "GET /api/memberships/{id} .representatives": "one member unit's representatives: the few it names",
    "GET /api/memberships/{id} .payments": "one membership's dues: one payment a year",
    "GET /api/memberships/{id} .arrears": "the unpaid years of one membership",
    "GET /api/governance/seats/{id}/posts .declared": "the outside posts one official declared",
    "GET /api/governance/bodies/{id}/compliance .results": "one result per applicable rule of the assigned rule sets",
    "GET /api/governance/slates/{id} .entries": "one draft slate: the seats of one body's next term",
    "GET /api/governance/contacts/{id} .visits": "one leader's visits under one contact duty: a few a year",
    "GET /api/governance/rulesets/{id} .rules": "one rule set's rules, written by hand",
    "GET /api/activities/events/{id} .disciplines": "one event's disciplines",
    "GET /api/volunteering/services/{id} .hours": "one service record: the hours of the people who took part in it",
    "GET /api/volunteering/me/ledger .by_team": "the teams one person served in",
    "GET /api/volunteering/people/{id}/ledger .by_team": "the teams one person served in",
    "GET /api/voice/items/{id} .answers": "one item's answers",
    "GET /api/voice/items/{id} .events": "one item's history: its few transitions",
    "GET /api/voice/dashboard .by_kind": "one row per item kind (ItemKind)",
    "GET /api/voice/dashboard .by_org": "capped at 50 rows (selectors.dashboard's org_rows)",
    "GET /api/voice/dashboard .overdue_items": "capped at 20 rows (selectors.dashboard's overdue_rows)",
    "GET /api/surveys/{id}/tracking .non_respondents": "capped at 1 000 in the API (`invited` and `answered` give the totals)",
    "GET /api/surveys/{id}/results .questions": "one survey's questions",
    "GET /api/surveys/{id}/results .evaluation": "one row per organization one evaluation survey rates, chosen by its staff",
    "GET /api/surveys/{id}/crosstab .columns": "the values of one dimension (sector, age band, the region of the respondents) or one question's options",
    "GET /api/surveys/{id}/crosstab .rows": "the options (or rating values) of one question",
    "GET /api/surveys/{id}/crosstab .totals": "one per column",
    "GET /api/surveys/{id}/crosstab .means": "one per column",
    "GET /api/surveys/orgs/{id}/evaluation .periods": "the evaluation periods (one a year or a quarter)",
    "GET /api/surveys/{id}/form .questions": "one survey's questions, answered as one form",
    "GET /api/surveys/{id}/form .subjects": "the organizations one evaluation survey rates, chosen by its staff",
    "GET /api/calls/projects/{id} .tranches": "at most 10 tranches (the call's bound)",
    "GET /api/calls/{id} .topics": "one call's topics, written by its staff",
    "GET /api/calls/{id} .tranches": "at most 10 tranches (the input's bound)",
    "GET /api/calls/{id}/ledger .projects": "the projects one call funds, bounded by its budget",
    "GET /api/find .chain": "the territorial associations of one division and those above it: as deep as the tree",
    "GET /api/find .societies": "capped at 30 (home.selectors.SOCIETIES_SHOWN; societies_total gives the total)",
    "GET /api/find .grassroots": "capped at 40 (home.selectors.GRASSROOTS_SHOWN; grassroots_total gives the total)",
    "GET /api/find/associations/{id} .events": "capped at 10 (home.selectors.EVENTS_ON_PAGE)",
    "GET /api/find/associations/{id} .disciplines": "one association's disciplines",
    "GET /api/find/associations/{id} .children": "capped at 60 (home.selectors.CHILDREN_SHOWN; children_total gives the total)",
    "GET /api/find/associations/{id} .answers": "capped at 5 (home.selectors.ANSWERS_SHOWN)",
    "GET /api/me/home .memberships": "capped at 10 (home.selectors.MEMBERSHIPS_SHOWN)",
    "GET /api/me/home .registrations": "capped at 10 (home.selectors.EVENTS_SHOWN)",
    "GET /api/me/home .services": "capped at 5 (home.selectors.SERVICES_SHOWN)",
    "GET /api/me/home .suggestions": "capped at 10 (home.selectors.VOICE_SHOWN)",
    "GET /api/me/home .surveys": "capped at 10 (home.selectors.SURVEYS_SHOWN)",
    "GET /api/me/home .recommended": "capped at 6 (home.selectors.RECOMMENDED_SHOWN)",
    "GET /api/me/home .todo": "one group per module, each with at most 5 rows (home.selectors.TODO_ROWS)",
}

# Lists inside an object that grow with the data and are not bounded yet (issue 14 item 1 follows
# up on them): listed here so that the test keeps every other one out.
NOT_BOUNDED_YET = {
    "GET /api/review/rounds/{id}/results": "one row per item of the round: as many as the call's applications under review",
    "GET /api/review/rounds/{id}/credibility": "one row per reviewer invited to the round",
    "GET /api/people/me .achievements": "every achievement of the person (GET /api/people/{id}/achievements pages them)",
    "GET /api/people/{id} .achievements": "every achievement of the person (GET /api/people/{id}/achievements pages them)",
    "GET /api/imports/{id} .unknown_columns": "the header's unknown columns: bounded only by the upload's size",
    "GET /api/governance/alerts .overdue": "every overdue term in the scope",
    "GET /api/governance/alerts .due": "every term due within `within_days` in the scope",
    "GET /api/governance/rulesets/{id} .assignments": "every organization the rule set is assigned to",
    "GET /api/volunteering/teams/{id} .members": "every current member (GET …/members pages them)",
    "GET /api/volunteering/me/ledger .shown": "every service of the person",
    "GET /api/volunteering/people/{id}/ledger .shown": "every service of the person the caller may see",
    "GET /api/volunteering/orgs/{id}/totals .children": "one row per child with volunteer teams",
    "GET /api/surveys/orgs/{id}/evaluation .rows": "the organization and each of its children, per period",
}


def _array(document, schema: dict) -> bool:
    schema = _resolved(document, schema)
    return schema.get("type") == "array" or any(_resolved(document, s).get("type") == "array" for s in schema.get("anyOf", []))


def _unpaged_lists(document) -> set[str]:
    found = set()
    for path, methods in document["paths"].items():
        operation = methods.get("get")
        if operation is None or {"limit", "offset"} <= {p["name"] for p in operation.get("parameters", [])}:
            continue
        responses = operation.get("responses", {})
        answer = (responses.get(200) or responses.get("200") or {}).get("content", {}).get("application/json", {}).get("schema")
        if answer is None:
            continue
        if _array(document, answer):
            found.add(f"GET {path}")
        for name, schema in _resolved(document, answer).get("properties", {}).items():
            if _array(document, schema):
                found.add(f"GET {path} .{name}")
    return found


def test_every_list_is_paged_or_allowed_with_a_reason(document):
    """Issue 14, item 1: a list answered whole grows with the data until one request is too big to
    answer. Every GET operation answering a JSON array — at the top or as a field of the object it
    answers — takes `limit`/`offset`, unless it is in UNPAGED_LISTS with why it stays small (or in
    NOT_BOUNDED_YET, the known rest)."""
    found = _unpaged_lists(document)
    allowed = UNPAGED_LISTS.keys() | NOT_BOUNDED_YET.keys()
    assert not UNPAGED_LISTS.keys() & NOT_BOUNDED_YET.keys()
    assert all(reason.strip() for reason in [*UNPAGED_LISTS.values(), *NOT_BOUNDED_YET.values()])
    assert sorted(found - allowed) == [], f"page these with PageParams and page_of, or say in UNPAGED_LISTS why they stay small: {sorted(found - allowed)}"
    assert sorted(allowed - found) == [], "no longer answered unpaged: take them off the list"
