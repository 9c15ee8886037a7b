"""The audit log speaks Chinese: every action a service writes and every field it records has a
label in kejia.core.audit_labels, values read as words, and the log's filter is a choice list."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kejia.core import audit_labels
from kejia.core.audit import record_event
from kejia.core.models import AuditEvent
from kejia.memberships.choices import Transition

ROOT = Path(settings.BASE_DIR) / "kejia"


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        if {"tests", "migrations", "testing"} & set(path.relative_to(ROOT).parts):
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _written_actions() -> set[str]:
    """Action codes in the code: `action="…"` keywords, SEED_ACTION/audit_action constants, the
    membership transitions (`f"membership.{transition}"`) and the imports' default actions."""
    found = {f"membership.{t}" for t in Transition.values}
    for _path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "action" and isinstance(node.value, ast.Constant):
                found.add(node.value.value)
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                names = {getattr(t, "id", getattr(t, "attr", "")) for t in node.targets}
                if names & {"SEED_ACTION", "audit_action"}:
                    found.add(node.value.value)
            elif isinstance(node, ast.BoolOp) and all(isinstance(v, ast.IfExp) or isinstance(v, ast.Name) for v in node.values):
                for value in node.values:
                    if isinstance(value, ast.IfExp):
                        found |= {v.value for v in (value.body, value.orelse) if isinstance(v, ast.Constant)}
    return {code for code in found if isinstance(code, str) and "." in code}


def _recorded_keys() -> set[str]:
    """Keys of the dict literals passed as old/new to record_event."""
    keys = set()
    for _path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "record_event":
                for kw in node.keywords:
                    if kw.arg in ("old", "new"):
                        keys |= {k.value for d in ast.walk(kw.value) if isinstance(d, ast.Dict) for k in d.keys if isinstance(k, ast.Constant)}
    return keys


def test_every_written_action_has_a_label():
    written = _written_actions()
    assert {"organization.moved", "membership.approve", "people.imported", "voice.demo_seeded"} <= written
    missing = sorted(written - set(audit_labels.ACTION_LABELS))
    assert not missing, f"audit actions without a label in kejia/core/audit_labels.py: {missing}"
    with translation.override("zh-hans"):
        english = [code for code, label in audit_labels.ACTION_LABELS.items() if str(label).isascii()]
        assert not english, f"audit action labels not translated: {english}"
        unknown = [kind for kind in {code.split(".")[0] for code in audit_labels.ACTION_LABELS} if kind not in audit_labels.KIND_LABELS]
        assert not unknown


def test_every_recorded_key_has_a_label():
    keys = _recorded_keys()
    assert {"seed", "by_kind", "reason"} <= keys
    missing = sorted(keys - set(audit_labels.FIELD_LABELS))
    assert not missing, f"recorded fields without a label in kejia/core/audit_labels.py: {missing}"
    with translation.override("zh-hans"):
        assert [k for k, label in audit_labels.FIELD_LABELS.items() if str(label).isascii()] == []


def test_values_read_as_words():
    with translation.override("zh-hans"):
        assert audit_labels.format_value(True) == "是"
        assert audit_labels.format_value(False) == "否"
        assert audit_labels.format_value(None) == "—"
        assert audit_labels.format_value(["a", "b"]) == "a、b"
        assert audit_labels.format_value("dormant", "status", "organizations.organization") == "休眠"
        assert audit_labels.format_value({"enterprise_assoc": 3}, "by_kind") == "企业科协：3"
        assert audit_labels.format_value([{"username": "js", "role": "staff"}], "users") == "用户名：js；角色：工作人员"
        assert audit_labels.field_label("term_end", "organizations.organization") != "term_end"


@pytest.mark.django_db
def test_audit_page_shows_labels_values_and_a_choice_filter(tree):
    record_event(
        actor=tree.platform,
        action="organization.updated",
        obj=tree.xw,
        organization=tree.xw,
        old={"is_legal_person": False, "status": "active"},
        new={"is_legal_person": True, "status": "dormant"},
    )
    client = Client()
    client.force_login(tree.platform)
    response = client.get(reverse("organizations:audit"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert response.status_code == 200
    assert "修改组织信息" in html and "organization.updated" not in html.split("<select", 1)[0].split("</form>")[-1]
    assert '<span class="old">否</span> → <span class="new">是</span>' in html
    assert "True" not in html and "False" not in html and "dormant" not in html.split("</select>")[-1]
    assert '<select name="action"' in html and "<optgroup" in html
    by_kind = client.get(reverse("organizations:audit"), {"action": "organization"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert {e.action.split(".")[0] for e, _l, _c in by_kind.context["page"].rows} == {"organization"}
    assert client.get(reverse("organizations:audit"), {"action": "bogus.thing"}).status_code == 400
    assert AuditEvent.objects.filter(action="organization.updated").exists()
