"""Issue 14 in a browser, at desktop width and on a 390 px phone: a S&T worker links their
account to their profile with the code sent to the profile's phone (the name and ID number alone
link nothing), then changes their password and logs in with the new one."""

import pytest

from kejia.accounts.models import User
from kejia.core.testing.notices import last_code
from kejia.people.tests.helpers import ID_A, make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=identifier]", username)
    page.fill("input[name=password]", password)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_worker_links_profile_with_code_and_changes_password(tree, live_server, request, viewport):
    page, base = request.getfixturevalue(viewport), live_server.url
    person = make(tree)
    log_in(page, base, "worker", tree.password)
    page.wait_for_url(f"{base}/me/")

    # Step 1: name and ID number. This alone links nothing: a code goes to the profile's phone.
    page.goto(f"{base}/people/me/")
    form = page.locator("form[action$='/people/me/']")
    form.locator("input[name=name]").fill("李明")
    form.locator("input[name=resident_id]").fill(ID_A)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/people/me/confirm/")
    page.get_by_text("139****0001").first.wait_for()
    assert fits(page)
    person.refresh_from_db()
    assert person.user_id is None

    # Step 2: a wrong code is refused next to the field; the right one links the account.
    confirm = page.locator("form[action$='/people/me/confirm/']")
    code = last_code("people.link_code")
    confirm.locator("input[name=code]").fill("000000" if code != "000000" else "111111")
    confirm.locator("button[type=submit]").click()
    page.locator(".field-error").first.wait_for()
    page.locator("form[action$='/people/me/confirm/'] input[name=code]").fill(code)
    page.locator("form[action$='/people/me/confirm/'] button[type=submit]").click()
    page.wait_for_url(f"{base}/people/me/")
    page.locator("h1", has_text="李明").wait_for()
    person.refresh_from_db()
    assert person.user_id == tree.worker.pk

    # Change the password from the account page.
    page.goto(f"{base}/accounts/me/")
    page.locator("a[href$='/accounts/me/password/']").click()
    page.wait_for_url(f"{base}/accounts/me/password/")
    assert fits(page)
    page.fill("input[name=old_password]", tree.password)
    page.fill("input[name=new_password]", "Brand-new-pass-42")
    page.locator("form[action$='/accounts/me/password/'] button[type=submit]").click()
    page.wait_for_url(f"{base}/accounts/me/")
    page.locator(".messages").wait_for()
    assert User.objects.get(pk=tree.worker.pk).check_password("Brand-new-pass-42")

    # The new password logs in (a fresh browser context: no session).
    page.context.clear_cookies()
    log_in(page, base, "worker", "Brand-new-pass-42")
    page.wait_for_url(f"{base}/me/")
