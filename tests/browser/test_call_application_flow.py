"""On a desktop window and on a phone-sized one, a municipal association's staff member opens the
seed-004 call, starts an application, fills in part of the form and saves the draft, then submits
it and is told which blanks are empty (the team table's row named); nothing runs off a phone's
screen. The data are built with the calls app's services."""

import datetime

import pytest
from django.utils import timezone

from kejia.calls.models import Application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=identifier]", username)
    page.fill("input[name=password]", password)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()


@pytest.fixture
def open_call(tree):
    from kejia.accounts.services import create_user, grant_role
    from kejia.calls.services import create_call_from_template, publish_call
    from kejia.organizations.services import create_organization

    cast = create_organization(actor=tree.platform, parent=None, name="中国科学技术协会", code="CAST", kind="national_assoc")
    staff = create_user(actor=tree.platform, username="cast_staff", password=tree.password, display_name="cast", check_password=False)
    grant_role(staff, actor=tree.platform, organization=cast, kind="staff")
    call = create_call_from_template(cast, actor=staff, template="local_reform_pilot", deadline=timezone.now() + datetime.timedelta(days=20))
    return publish_call(call, actor=staff)


@pytest.mark.parametrize("window", ["page", "phone_page"])
def test_applicant_starts_fills_saves_and_is_told_what_is_missing(tree, live_server, open_call, request, window):
    page, base = request.getfixturevalue(window), live_server.url
    log_in(page, base, "nj_staff", tree.password)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/calls/")
    page.locator("a", has_text=open_call.title).click()
    page.wait_for_url(f"**/calls/{open_call.pk}/")
    assert "助力科技精准扶贫" in page.inner_text("body")
    page.fill("input[name=title]", "南京市科协改革试点")
    page.locator("button", has_text="开始申报").click()
    application = Application.objects.get(call=open_call)
    page.wait_for_url(f"**/calls/applications/{application.pk}/")

    page.fill("input[name=f-pilot_unit]", "南京市科学技术协会")
    page.fill("input[name=f-team-1-name]", "钱七")
    page.locator("button[value=save]").click()
    page.wait_for_url(f"**/calls/applications/{application.pk}/")
    application.refresh_from_db()
    assert application.data["pilot_unit"] == "南京市科学技术协会"
    assert application.status == "draft"

    page.locator("input[name=attest]").check()
    page.locator("button[value=submit]").click()
    alert = page.locator(".alert-error")
    assert "主要参与团队，第 1 行，性别" in alert.inner_text()
    assert "如无内容请填“/”" in alert.inner_text()
    application.refresh_from_db()
    assert application.status == "draft"
    if window == "phone_page":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("input[name=f-heads-1-name]").scroll_into_view_if_needed()
    page.screenshot(path=f"/tmp/calls_{window}.png", full_page=False)
