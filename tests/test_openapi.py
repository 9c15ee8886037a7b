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
