"""Login, logout, the profile page and issuing an API token, through the test client."""

import re

from django.urls import reverse

from kejia.accounts.models import ApiToken
from kejia.accounts.services import user_for_token
from kejia.core.models import AuditEvent


def login(client, identifier, password):
    return client.post(reverse("accounts:login"), {"identifier": identifier, "password": password})


def test_login_page_renders_in_chinese_by_default(client, db):
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert 'name="identifier"' in html and 'name="password"' in html
    assert reverse("set_language") in html


def test_login_with_username_goes_home(client, tree):
    response = login(client, "xw_staff", tree.password)
    assert response.status_code == 302 and response["Location"] == reverse("home:front")
    assert client.get(reverse("home:front")).status_code == 200


def test_login_with_phone_number(client, tree):
    response = login(client, "139 1234 0001", tree.password)
    assert response.status_code == 302


def test_login_with_a_bad_password_is_400_with_a_message(client, tree):
    response = login(client, "xw_staff", "wrong-password")
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_login_locks_out_after_repeated_failures(client, tree, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        login(client, "xw_staff", "wrong-password")
    response = login(client, "xw_staff", tree.password)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_follows_next_only_on_this_site(client, tree):
    ok = client.post(reverse("accounts:login") + "?next=/orgs/", {"identifier": "xw_staff", "password": tree.password})
    assert ok["Location"] == "/orgs/"
    client.logout()
    evil = client.post(reverse("accounts:login"), {"identifier": "xw_staff", "password": tree.password, "next": "https://evil.example/"})
    assert evil["Location"] == reverse("home:front")


def test_login_with_empty_or_overlong_input_is_400(client, db):
    assert client.post(reverse("accounts:login"), {}).status_code == 400
    assert client.post(reverse("accounts:login"), {"identifier": "x" * 5000, "password": "y"}).status_code == 400


def test_logout_needs_post(client, tree):
    client.force_login(tree.county_staff)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("organizations:tree")).status_code == 302  # logged out ("/" is then the public front page)


def test_profile_redirects_anonymous_to_login(client, db):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_profile_lists_my_roles(client, tree):
    client.force_login(tree.nj_admin)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "南京市科学技术协会" in html
    assert reverse("organizations:detail", args=[tree.nj.pk]) in html
    assert reverse("accounts:token") in html


def test_token_is_issued_shown_once_and_works(client, tree):
    client.force_login(tree.county_staff)
    response = client.post(reverse("accounts:token"), {"name": "统计导出"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    raw = re.search(r'id="new-token">(kj_[^<]+)<', response.content.decode()).group(1)
    assert user_for_token(raw) == tree.county_staff
    token = ApiToken.objects.get(user=tree.county_staff)
    assert token.name == "统计导出" and raw not in token.key_hash
    assert AuditEvent.objects.filter(action="api_token.issued", actor=tree.county_staff).exists()
    later = client.get(reverse("accounts:profile")).content.decode()
    assert raw not in later and token.prefix in later


def test_token_needs_login_and_post(client, tree):
    assert client.post(reverse("accounts:token")).status_code == 302
    client.force_login(tree.county_staff)
    assert client.get(reverse("accounts:token")).status_code == 405
    assert not ApiToken.objects.exists()


def test_language_switch_to_english_on_the_login_page(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("accounts:login")})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get(reverse("accounts:login")).content.decode()
