"""Issue 16 in a browser, at desktop width and on a 390 px phone: a newcomer goes from the public
page to *Create an account*, agrees to the privacy notice, types the code sent to their phone
(read here from the notice in the database, as the console sender would show it), names
themselves and sets a password; their profile (same name, same phone) is linked at once; the bell
in the header counts their unread notices and goes down as they read them."""

import pytest

from kejia.accounts.models import PrivacyConsent, User
from kejia.core.models import Notice
from kejia.core.testing.notices import last_code
from kejia.people.tests.helpers import make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def bell_count(page) -> str | None:
    count = page.locator("header .bell .bell-count")
    return count.get_attribute("data-unread") if count.count() else None


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_newcomer_registers_links_profile_and_reads_notices(tree, live_server, request, viewport):
    page, base = request.getfixturevalue(viewport), live_server.url
    person = make(tree, phone="13800001111")  # 李明, listed by 玄武区科协

    page.goto(f"{base}/")
    page.locator("a[href$='/accounts/register/']:visible").first.click()
    page.wait_for_url(f"{base}/accounts/register/")
    page.locator("#privacy-title").wait_for()
    assert fits(page)

    # Without the consent box nothing is sent.
    form = page.locator("form[action$='/accounts/register/']")
    form.locator("input[name=contact]").fill("138 0000 1111")
    form.locator("button[type=submit]").click()
    page.locator(".field-error").first.wait_for()
    assert not Notice.objects.filter(kind="account.register_code").exists()

    form = page.locator("form[action$='/accounts/register/']")
    form.locator("input[name=consent]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/accounts/register/confirm/")
    page.get_by_text("138****1111").first.wait_for()
    assert fits(page)

    confirm = page.locator("form[action$='/accounts/register/confirm/']")
    confirm.locator("input[name=code]").fill(last_code("account.register_code"))
    confirm.locator("input[name=name]").fill("李明")
    confirm.locator("input[name=password]").fill("Newcomer-pass-2026")
    confirm.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/people/me/")
    page.locator("h1", has_text="李明").wait_for()
    user = User.objects.get(display_name="李明")
    person.refresh_from_db()
    assert person.user_id == user.pk
    assert PrivacyConsent.objects.filter(user=user).exists()

    # The welcome notice and the link notice: the bell says 2.
    assert bell_count(page) == "2"
    page.locator("header a.bell").click()
    page.wait_for_url(f"{base}/accounts/notices/")
    assert fits(page)
    assert page.locator(".notice-unread").count() == 2
    # Opening one marks it read and goes to its page; the bell goes down to 1.
    page.locator(".notice-unread a").first.click()
    page.wait_for_url(f"{base}/people/me/")
    assert bell_count(page) == "1"
    page.goto(f"{base}/accounts/notices/")
    page.locator("form[action$='/accounts/notices/read/'] button[type=submit]").click()
    page.wait_for_url(f"{base}/accounts/notices/")
    page.locator(".messages").wait_for()
    assert bell_count(page) is None and page.locator(".notice-unread").count() == 0
    assert not Notice.objects.filter(user=user, read_at__isnull=True).exists()
