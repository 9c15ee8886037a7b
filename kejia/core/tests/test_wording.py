"""Words with several meanings read right in zh-hans (message contexts), pages cite policy texts by
title and never by file name or code name, and member classes stored in English read in Chinese."""

import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext

from kejia.core import sources
from kejia.governance.models import Rule, RuleSet
from kejia.governance.rulesets import load_rule_sets
from kejia.memberships.choices import ClassKind
from kejia.memberships.models import MemberClass
from kejia.people.tests.helpers import make as make_person


@pytest.mark.parametrize(
    ("context", "msgid", "zh"),
    [
        ("heading", "title", "标题"),
        ("post", "title", "职务"),
        ("professional title", "Title", "职称"),
        ("person", "Name", "姓名"),
        ("deadline", "Overdue", "已逾期"),
        ("term", "Overdue", "逾期未换届"),
        ("unfinished", "Open", "未办结"),
        ("reply", "No answer yet.", "暂无答复。"),
        ("next step", "Next", "待办"),
        ("member number", "Number", "会员号"),
        ("demand status", "Open", "待承接"),
        ("survey status", "Open", "进行中"),
    ],
)
def test_contexts_give_the_word_of_each_meaning(context, msgid, zh):
    with translation.override("zh-hans"):
        assert pgettext(context, msgid) == zh
        assert gettext("Next") == "下一页"  # the pager keeps its word


def _page(client, url) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.django_db
def test_pages_use_the_word_of_their_meaning(tree):
    client = Client()
    client.force_login(tree.platform)
    dashboard = _page(client, reverse("voice:dashboard"))
    assert "已逾期" in dashboard and "未办结" in dashboard and "逾期未换届" not in dashboard
    make_person(tree)
    people = _page(client, reverse("people:list"))
    assert "<th>职称</th>" in people and "<th>姓名</th>" in people
    surveys = _page(client, reverse("surveys:home"))
    assert ">标题</label>" in surveys
    roles = _page(client, reverse("organizations:roles", args=[tree.xw.pk]))
    assert "<th>职务</th>" in roles
    event_form = _page(client, reverse("activities:event_create", args=[tree.xw.pk]))
    assert "标题" in event_form and "职务" not in event_form


def test_policy_texts_are_cited_by_title():
    assert (
        sources.in_words("默认值（种子文件未规定时限）；seeds/003_73f9d7d21f6b67ef.txt 二.5")
        == "默认值（政策文件未规定时限）；《江苏省科协系统深化改革实施方案》二.5"
    )
    assert sources.in_words("002_dd2c9a3474290213.txt §(7)").startswith("《中国科协组织建设“十四五”规划")


@pytest.mark.django_db
def test_rule_sets_show_titles_not_code_names(tree):
    load_rule_sets(RuleSet, Rule)
    jiangsu = RuleSet.objects.get(name="jiangsu")
    assert str(jiangsu) == jiangsu.title == "江苏省各级科协领导机构构成要求"
    client = Client()
    client.force_login(tree.platform)
    listing = _page(client, reverse("governance:rulesets"))
    detail = _page(client, reverse("governance:ruleset", args=[jiangsu.pk]))
    for html in (listing, detail):
        assert "江苏省各级科协领导机构构成要求" in html
        assert ">jiangsu<" not in html and ">national<" not in html and "seeds/" not in html
    assert "《江苏省科协系统深化改革实施方案》" in detail
    rules = _page(client, reverse("voice:rules"))
    assert "seeds/" not in rules and "种子" not in rules


@pytest.mark.django_db
def test_member_classes_stored_in_english_read_in_chinese(tree):
    english = MemberClass.objects.create(
        society=tree.soc,
        code="full",
        name="Full member",
        kind=ClassKind.FULL,
        approval_steps=["Secretariat check", "理事会审批"],
        required_documents=["Student card"],
        rights="Abide by the articles.",
        duties="Abide by the articles.",
    )
    own = MemberClass.objects.create(society=tree.soc, code="fellow", name="Fellow", kind=ClassKind.SENIOR, approval_steps=["Board"])
    migration = importlib.import_module("kejia.memberships.migrations.0004_member_class_chinese_names")
    migration.to_chinese(apps, None)
    migration.to_chinese(apps, None)  # again: nothing changes
    english.refresh_from_db()
    own.refresh_from_db()
    assert (english.name, english.approval_steps, english.required_documents, english.rights) == (
        "正会员",
        ["秘书处审核", "理事会审批"],
        ["学生证"],
        "遵守学会章程。",
    )
    assert (own.name, own.approval_steps) == ("Fellow", ["Board"])  # a society's own words stay
