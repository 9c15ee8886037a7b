"""The notice inbox: the bell's unread count in the header, the list page with paging, marking one
or all read, opening a notice's link, and GET /api/me/notices with the shared paging."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kejia.accounts.services import issue_api_token
from kejia.core.models import Notice

pytestmark = pytest.mark.django_db


def _notices(user, n, **extra):
    return [Notice.objects.create(user=user, kind="test", subject=f"Notice {i}", **extra) for i in range(n)]


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_bell_shows_unread_count_and_goes_down_when_read(tree):
    mine = _notices(tree.worker, 3, link="/people/me/")
    _notices(tree.county_staff, 5)  # someone else's: not counted
    Notice.objects.create(user=None, kind="account.code", subject="code 123456")  # a code: nobody's inbox
    client = _client(tree.worker)
    page = client.get(reverse("accounts:notices")).content.decode()
    assert 'data-unread="3"' in page
    assert "Notice 0" in page and "code 123456" not in page
    response = client.get(reverse("accounts:notice_open", args=[mine[0].pk]))
    assert response.status_code == 302 and response["Location"] == "/people/me/"
    assert 'data-unread="2"' in client.get(reverse("accounts:notices")).content.decode()
    response = client.post(reverse("accounts:notices_read_all"))
    assert response.status_code == 302
    assert Notice.objects.filter(user=tree.worker, read_at__isnull=True).count() == 0
    assert Notice.objects.filter(user=tree.county_staff, read_at__isnull=True).count() == 5
    assert "data-unread" not in client.get(reverse("accounts:notices")).content.decode()


def test_mark_one_read_and_unread_again(tree):
    notice = _notices(tree.worker, 1)[0]
    client = _client(tree.worker)
    client.post(reverse("accounts:notice_read", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.read_at is not None
    client.post(reverse("accounts:notice_read", args=[notice.pk]), {"unread": "1"})
    notice.refresh_from_db()
    assert notice.read_at is None


def test_outside_link_is_never_followed(tree):
    notice = Notice.objects.create(user=tree.worker, kind="test", subject="x", link="//evil.example/")
    response = _client(tree.worker).get(reverse("accounts:notice_open", args=[notice.pk]))
    assert response["Location"] == reverse("accounts:notices")


def test_list_pages_newest_first_and_filters_unread(tree):
    made = _notices(tree.worker, 25)
    Notice.objects.filter(pk=made[0].pk).update(read_at=timezone.now())
    client = _client(tree.worker)
    first = client.get(reverse("accounts:notices")).content.decode()
    assert "Notice 24" in first and "Notice 0<" not in first and 'rel="next"' in first
    second = client.get(reverse("accounts:notices") + "?page=2").content.decode()
    assert "Notice 0<" in second
    unread = client.get(reverse("accounts:notices") + "?show=unread&page=2").content.decode()
    assert "Notice 0<" not in unread


def test_anonymous_is_sent_to_login(db):
    response = Client().get(reverse("accounts:notices"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_api_lists_own_notices_with_paging_and_marks_read(tree):
    made = _notices(tree.worker, 4, link="/x/")
    old = made[0]
    Notice.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=1))
    _notices(tree.county_staff, 2)
    headers = {"Authorization": f"Bearer {issue_api_token(tree.worker)[1]}"}
    client = Client()
    body = client.get("/api/me/notices?limit=2&offset=0", headers=headers).json()
    assert (body["count"], body["unread"], body["limit"], len(body["items"])) == (4, 4, 2, 2)
    assert body["items"][0]["subject"] == "Notice 3"
    last = client.get("/api/me/notices?limit=2&offset=2", headers=headers).json()
    assert last["items"][-1]["id"] == old.pk
    read = client.post(f"/api/me/notices/{old.pk}/read", headers=headers)
    assert read.status_code == 200 and read.json()["read_at"]
    assert client.get("/api/me/notices?unread=true", headers=headers).json()["count"] == 3
    marked = client.post("/api/me/notices/read", headers=headers).json()
    assert marked == {"marked": 3, "unread": 0}
    assert Notice.objects.filter(user=tree.county_staff, read_at__isnull=True).count() == 2
    assert client.get("/api/me/notices?limit=0", headers=headers).status_code == 422
    assert client.get("/api/me/notices").status_code == 401
