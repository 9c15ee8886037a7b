"""The registries of error codes (kejia.core.errors, each app's errors.py): every code a module
raises is registered in its app's registry or in core's, a code has one kind wherever it is
declared, every label is translated, and an unregistered code fails in tests."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

from kejia.core import errors
from kejia.core.errors import REGISTRIES, DomainError, IllegalTransition, Kind, UnknownErrorCode

KEJIA = Path(__file__).resolve().parents[2]
RAISERS = {"DomainError", "IllegalTransition", "AssignmentError", "Throttled", "NotFound", "PermissionDenied"}
# Helpers that raise a DomainError with the code they are given as `code=`.
CODE_KEYWORD = {"check_upload", "check_size", "check"}


def raised_codes():
    """(module path, app, code) for every literal code in kejia/ outside tests and migrations."""
    for path in sorted(KEJIA.rglob("*.py")):
        rel = path.relative_to(KEJIA.parent)
        if "tests" in rel.parts or "migrations" in rel.parts or "testing" in rel.parts:
            continue
        app = rel.parts[1] if len(rel.parts) > 2 else "core"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name in RAISERS and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                yield f"{rel}:{node.lineno}", app, node.args[0].value
            if name in CODE_KEYWORD | RAISERS:
                for keyword in node.keywords:
                    if keyword.arg == "code" and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                        yield f"{rel}:{node.lineno}", app, keyword.value.value


def test_the_source_is_walked():
    found = list(raised_codes())
    assert len(found) > 300
    assert any(code == "term_ended" and app == "governance" for _, app, code in found)


def test_every_raised_code_is_registered_in_its_app_or_in_core():
    unregistered = [f"{where}: {code!r}" for where, app, code in raised_codes() if code not in REGISTRIES.get(app, {}) and code not in REGISTRIES["core"]]
    assert unregistered == [], "declare these codes in the app's errors.py (kejia.core.errors.ErrorCodes)"


def test_every_registry_is_collected():
    apps_with_errors = {path.parent.name for path in KEJIA.glob("*/errors.py")}
    assert apps_with_errors <= set(REGISTRIES)
    assert {"core", "governance", "memberships", "surveys", "activities"} <= set(REGISTRIES)


def test_a_code_has_one_kind_wherever_it_is_declared():
    kinds: dict[str, set[Kind]] = {}
    for entry in errors.all_codes():
        kinds.setdefault(entry.code, set()).add(entry.kind)
    assert {code: k for code, k in kinds.items() if len(k) > 1} == {}


def test_apps_do_not_declare_cores_shared_codes_again():
    core = set(REGISTRIES["core"])
    assert {app: sorted(core & set(codes)) for app, codes in REGISTRIES.items() if app != "core" and core & set(codes)} == {}


def test_every_label_is_translated():
    with translation.override("zh-hans"):
        untranslated = [f"{e.app}.{e.code}" for e in errors.all_codes() if not str(e.label) or str(e.label).isascii()]
    assert untranslated == []


def test_the_kind_gives_the_status():
    assert DomainError("term_ended", "x").status == 409
    assert DomainError("unknown_person", "x").status == 400
    assert IllegalTransition("illegal_transition", "x").status == 409
    assert errors.NotFound().status == 404
    assert errors.PermissionDenied().status == 403
    assert DomainError("locked", "x").status == 429
    assert {e.status for e in errors.all_codes()} <= {k.value for k in Kind}


def test_an_unregistered_code_fails_in_tests():
    with pytest.raises(UnknownErrorCode, match="not_a_registered_code"):
        DomainError("not_a_registered_code", "x")


def test_the_codes_the_api_answers_itself_are_registered_with_their_status():
    from kejia.core.http import API_CODES

    assert {status: errors.lookup(code).status for status, code in API_CODES.items()} == {s: s for s in API_CODES}
    for code, status in [("unauthenticated", 401), ("csrf_failed", 403), ("invalid", 400), ("busy", 503), ("server_error", 500)]:
        assert errors.lookup(code).status == status
