"""A county staff member logs in, browses the tree, files a new enterprise association; the
guiding association's superior approves it and the new association appears in the tree."""

import pytest

from kejia.organizations.models import Filing, FilingStatus, Organization
from tests.browser.pickers import pick_division

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=identifier]", username)
    page.fill("input[name=password]", password)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def log_out(page):
    page.locator("form[action$='/accounts/logout/'] button[type=submit]").click()
    page.wait_for_url("**/accounts/login/")


def test_county_staff_files_and_parent_approves(tree, live_server, page):
    base = live_server.url
    log_in(page, base, "xw_staff", tree.password)
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # Browse the tree: the county association is the root of this user's forest; open it.
    page.goto(f"{base}/orgs/")
    node = page.locator("details", has=page.locator("summary a", has_text="玄武区科学技术协会")).first
    if node.get_attribute("open") is None:
        node.locator("summary").click()
    page.locator(".tree-kids a", has_text="梅园新村街道科学技术协会").wait_for()
    assert page.locator("text=秦淮区科学技术协会").count() == 0  # a sibling is never shown

    # File a new enterprise association under the county association.
    page.goto(f"{base}/filings/new/")
    page.fill("input[name=name]", "钟山智能装备有限公司科学技术协会")
    page.select_option("select[name=kind]", "enterprise_assoc")
    page.fill("input[name=parent]", "XW")
    pick_division(page, ["320000", "320100", "320102"])
    page.fill("input[name=host_name]", "钟山智能装备有限公司")
    page.fill("input[name=host_uscc]", "91350100M000100Y43")
    page.fill("input[name=founded_on]", "2026-03-01")
    page.fill("input[name=member_count]", "56")
    page.fill("input[name=chair_name]", "周立新")
    page.fill("input[name=contact_name]", "吴敏")
    page.fill("input[name=contact_phone]", "13800001111")
    page.fill("textarea[name=charter_summary]", "团结企业科技人员，开展技术攻关、学术交流与科普。")
    page.locator("form.card button[type=submit]").first.click()
    page.wait_for_url("**/filings/*/")
    filing = Filing.objects.get(name="钟山智能装备有限公司科学技术协会")
    assert filing.status == FilingStatus.SUBMITTED and filing.submitted_by == tree.county_staff
    assert page.locator("text=138****1111").count() >= 1
    assert page.locator("text=13800001111").count() == 0
    # The submitter cannot decide their own filing.
    assert page.locator(f"form[action$='/filings/{filing.pk}/approve/']").count() == 0
    log_out(page)

    # The municipal association (the county association's parent) approves it.
    log_in(page, base, "nj_staff", tree.password)
    page.goto(f"{base}/filings/")
    page.locator(f"a[href$='/filings/{filing.pk}/']").first.click()
    page.locator(f"form[action$='/filings/{filing.pk}/approve/'] button[type=submit]").click()
    page.wait_for_url(f"**/filings/{filing.pk}/")
    filing.refresh_from_db()
    assert filing.status == FilingStatus.APPROVED
    org = Organization.objects.get(pk=filing.organization_id)
    assert org.parent_id == tree.xw.pk and org.kind == "enterprise_assoc"

    # The new association shows in the tree under the county association.
    page.goto(f"{base}/orgs/{tree.xw.pk}/")
    page.locator("a", has_text="钟山智能装备有限公司科学技术协会").first.wait_for()
