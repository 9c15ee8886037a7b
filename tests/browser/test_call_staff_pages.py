"""On a phone (390 px) the pages that run a call fit the width, their buttons are readable and
their steps work without JavaScript's help beyond a tap: the owner's calls, a call, its queue with
the steps folded per row, the review meeting, the ledger and a project; the recommending
organization's queue; the applicant's applications. The owner refuses an application at the formal
check without a reason and is told, next to the field, that a reason is needed; then gives one."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.browser.test_phone_layout import CHECK, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def running(tree):
    """The seed-004 call open, with a project (approved, first tranche payable), an application
    waiting for the formal check and one waiting for its recommendation."""
    from kejia.accounts.services import create_user, grant_role
    from kejia.calls import workflow
    from kejia.calls.services import create_application, create_call_from_template, publish_call, save_draft
    from kejia.calls.tests.conftest import AFTER_ANNOUNCEMENT, BEFORE, complete_answers, walk_to
    from kejia.organizations.services import create_organization

    cast = create_organization(actor=tree.platform, parent=None, name="中国科学技术协会", code="CAST", kind="national_assoc")
    owner = create_user(actor=tree.platform, username="cast_staff", password=tree.password, display_name="cast", check_password=False)
    grant_role(owner, actor=tree.platform, organization=cast, kind="staff")
    call = create_call_from_template(cast, actor=owner, template="local_reform_pilot", deadline=timezone.now() + datetime.timedelta(days=20), budget="2000000")
    call = publish_call(call, actor=owner)
    calls = SimpleNamespace(call=call, owner=owner, applicant=tree.nj_staff, recommender=tree.province_staff)

    def application(title):
        app = create_application(call, actor=calls.applicant, applicant=tree.nj, title=title, now=BEFORE)
        return save_draft(app, actor=calls.applicant, data=complete_answers(), now=BEFORE)

    first = walk_to(calls, application("南京市科协深化改革试点（第一批）"), "announced")
    project = workflow.approve_application(first, actor=owner, amount="350000", starts_on=datetime.date(2026, 1, 1), now=AFTER_ANNOUNCEMENT)
    waiting = walk_to(calls, application("南京市科协基层组织建设改革试点"), "recommended")
    submitted = walk_to(calls, application("南京市科协学会治理改革试点"), "submitted")
    return SimpleNamespace(call=call, owner=owner, project=project, waiting=waiting, submitted=submitted)


def _fits(page, path):
    response = page.goto(path)
    assert response.status < 400, (path, response.status)
    found = page.evaluate(CHECK)
    assert found["scroll"] <= found["inner"], (path, found)
    assert not found["bad"], (path, found["bad"])
    assert not found["squeezed"], (path, found["squeezed"])


def test_staff_pages_fit_a_phone(tree, running, live_server, phone_page):
    page, base = phone_page, live_server.url
    log_in(page.context, live_server, running.owner)
    call = running.call.pk
    for name, args in (
        ("calls:manage", []),
        ("calls:call_admin", [call]),
        ("calls:queue", [call]),
        ("calls:meeting", [call]),
        ("calls:projects", [call]),
        ("calls:project", [running.project.pk]),
        ("calls:application", [running.waiting.pk]),
        ("calls:create", []),
    ):
        _fits(page, base + reverse(name, args=args))
    page.context.clear_cookies()
    log_in(page.context, live_server, tree.province_staff)
    _fits(page, base + reverse("calls:recommend"))
    page.context.clear_cookies()
    log_in(page.context, live_server, tree.nj_staff)
    _fits(page, base + reverse("calls:mine"))


def test_owner_refuses_at_the_formal_check_on_a_phone(running, live_server, phone_page):
    page, base = phone_page, live_server.url
    log_in(page.context, live_server, running.owner)
    page.goto(base + reverse("calls:queue", args=[running.call.pk]) + "?status=recommended")
    row = page.locator(f"#application-{running.waiting.pk}")
    row.locator("summary", has_text="不予受理").click()
    row.locator("form[action*='/step/refuse/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "请填写理由" in page.locator(f"#application-{running.waiting.pk}, main").first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("textarea[name=refuse-reason]").fill("缺少申报单位公章")
    page.locator("form[action*='/step/refuse/'] button[type=submit]").click()
    page.wait_for_load_state()
    running.waiting.refresh_from_db()
    assert running.waiting.status == "inadmissible" and running.waiting.last_reason == "缺少申报单位公章"
