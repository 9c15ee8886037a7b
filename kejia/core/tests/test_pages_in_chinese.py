"""Every page of the demo, as every demo role, in zh-hans: no English beyond names, codes and the
allow-list of kejia.core.testing.chinese_pages (which walks the URL resolver, taking ids from the
links each user is shown). Also: every audit event the demo writes reads in words."""

import io
import re
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from kejia.core import audit_labels
from kejia.core.models import AuditEvent
from kejia.core.testing import chinese_pages as cp


def test_the_detector_flags_english_and_lets_names_and_codes_pass():
    assert cp.english_runs("请先 Save the changes 再提交") == ["Save the changes"]
    assert cp.english_runs("Kejia API · GB/T 2260 · XW-01 · 3 km · zhang@example.com · /orgs/1/ · {code}-{year}") == []
    assert cp.english_runs("指派给 吴彬 (js_admin)", names=frozenset({"js_admin"})) == []
    assert cp.english_runs("指派给 吴彬 (js_admin)") == ["js_admin"]
    text = cp.visible_text(
        '<p title="Open">开<script>var x = "Loading";</script><code>seeds</code>'
        '<a lang="en">English</a><small lang="zh-Latn">wu bin</small><input type="submit" value="Go"></p>'
    )
    assert text == ["Open", "开", "Go"]


@pytest.mark.django_db
def test_every_demo_page_is_in_chinese(reference, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    started = time.perf_counter()
    call_command("seed_demo", orgs=200, people=200, stdout=io.StringIO())
    users = cp.demo_users(one_per_role=True)
    assert {"admin", "js_admin", "js_staff", "js_leader", "soc_staff", "worker"} <= {u.username for u in users}
    names = cp.usernames()
    shown: set[str] = set()
    findings = {}
    for user in users:
        client = Client()
        client.force_login(user)
        for url, runs in cp.crawl(client, shown=shown, names=names).items():
            findings[f"{user.username} {url}"] = runs
    # The walk reached the pages of every domain (a crawl that fetched nothing would pass).
    assert len(shown) > 90, sorted(shown)
    for name in (
        "organizations:audit",
        "organizations:detail",
        "people:detail",
        "memberships:society_stats",
        "governance:ruleset",
        "governance:compliance",
        "activities:event",
        "volunteering:demand",
        "voice:item",
        "voice:rules",
        "surveys:tracking",
        "surveys:results",
        "home:association",
        "search:experts",
        "verify:form",
    ):
        assert name in shown, name
    assert not findings, "English on zh-hans pages:\n" + "\n".join(f"{where}: {runs}" for where, runs in sorted(findings.items())[:40])
    print(f"{len(users)} logins, {len(shown)} kinds of page, {time.perf_counter() - started:.1f} s")

    # Every action and recorded key of the demo's audit events has a label.
    unlabelled = set()
    for event in AuditEvent.objects.all().iterator():
        if event.action not in audit_labels.ACTION_LABELS:
            unlabelled.add(event.action)
        for data in (event.old or {}, event.new or {}):
            for key, value in data.items():
                # by_kind counts organizations by kind: its keys are organization kinds, labelled as such.
                nested = [] if key == "by_kind" else [k for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict) for k in v]
                # A key that is already in Chinese words (data, e.g. a review criterion's label) needs none.
                unlabelled |= {k for k in [key, *nested] if audit_labels.field_label(k, event.object_type) == k and not re.search(r"[\u4e00-\u9fff]", k)}
    assert not unlabelled, sorted(unlabelled)
    kinds = AuditEvent.objects.filter(action="organization.demo_seeded").first().new["by_kind"]
    with translation.override("zh-hans"):
        assert not re.search(r"[a-z]{3,}", audit_labels.format_value(kinds, "by_kind")), kinds
