"""On a phone (390 px), a visitor who is not logged in reads a call's public announcement (公示)
with its objection form, sends an objection, and reads the case library and a case: every page
fits the width and every button is readable (the checks of test_phone_layout)."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from tests.browser.test_phone_layout import CHECK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(tree, settings, tmp_path):
    from kejia.accounts.services import create_user, grant_role
    from kejia.calls import cases
    from kejia.calls.services import create_application, create_call_from_template, publish_call, save_draft
    from kejia.calls.tests.conftest import BEFORE, DEADLINE, announce_now, complete_answers, concluded_project
    from kejia.organizations.services import create_organization

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    cast = create_organization(actor=tree.platform, parent=None, name="中国科学技术协会", code="CAST", kind="national_assoc")
    staff = create_user(actor=tree.platform, username="cast_staff", password=tree.password, display_name="cast", check_password=False)
    grant_role(staff, actor=tree.platform, organization=cast, kind="staff")
    call = publish_call(create_call_from_template(cast, actor=staff, template="local_reform_pilot", deadline=DEADLINE), actor=staff)

    def draft(user, org, title):
        application = create_application(call, actor=user, applicant=org, title=title, topic="1", now=BEFORE)
        return save_draft(application, actor=user, data=complete_answers(), now=BEFORE)

    nj = SimpleNamespace(t=tree, owner=staff, call=call, applicant=tree.nj_staff, recommender=tree.province_staff)
    note = "<p>形成<strong>可复制、可推广</strong>的经验。</p>"
    _project, deliverable = concluded_project(nj, draft(tree.nj_staff, tree.nj, "南京市科协改革试点"), note=note)
    cases.publish_deliverable(deliverable, actor=staff)
    wx = SimpleNamespace(t=tree, owner=staff, call=call, applicant=tree.wx_staff, recommender=tree.province_staff)
    announced = announce_now(wx, draft(tree.wx_staff, tree.wx, "无锡市科协基层组织建设改革试点"))
    return SimpleNamespace(call=call, deliverable=deliverable, announced=announced)


def _fits(page):
    result = page.evaluate(CHECK)
    problems = [f"{result['scroll']} px wide in {result['inner']} px"] if result["scroll"] > result["inner"] else []
    return problems + [f"unreadable button {b}" for b in result["bad"]] + [f"squeezed {t}" for t in result["squeezed"]]


def test_visitor_reads_the_announcement_objects_and_reads_the_cases_on_a_phone(world, live_server, phone_page):
    from kejia.calls.models import Objection

    page, base = phone_page, live_server.url
    problems = []
    page.goto(f"{base}{reverse('calls:announcement', args=[world.call.pk])}")
    assert page.locator("#results").get_by_text("无锡市科协基层组织建设改革试点").is_visible()
    problems += _fits(page)
    page.fill("#text", "申报材料中的团队成员与实际不符。")
    page.fill("#name", "王某")
    page.fill("#contact", "13900000000")
    page.locator("#objection button[type=submit]").click()
    page.wait_for_load_state()
    assert Objection.objects.filter(name="王某", application=world.announced).exists()
    for path in (reverse("calls:cases"), reverse("calls:case", args=[world.deliverable.pk])):
        page.goto(f"{base}{path}")
        assert page.get_by_text("南京市科协改革试点总结报告").first.is_visible()
        problems += [f"{path}: {p}" for p in _fits(page)]
    assert page.locator("strong", has_text="可复制、可推广").is_visible()
    assert not problems, "\n".join(problems)
