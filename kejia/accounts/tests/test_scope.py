"""Scope matrix of accounts: the routes with an object id are a person's own API tokens and
notices. Each
actor holds a token; through the page and the API each actor revokes its own (a 2xx/302 and an
audit row) and gets a 404 for every other actor's token, with nothing written. `MATRIX_ROUTES`
names the routes for the guard in kejia/organizations/tests/test_scope_matrix.py."""

import pytest
from django.test import Client
from django.urls import reverse

from kejia.accounts.models import ApiToken
from kejia.accounts.services import issue_api_token
from kejia.core.models import AuditEvent, Notice

MATRIX_ROUTES: list[str] = [
    "accounts:token_revoke",
    "DELETE /api/auth/tokens/{id}",
    "accounts:notice_open",
    "accounts:notice_read",
    "POST /api/me/notices/{id}/read",
    "POST /api/me/notices/{id}/unread",
]
ACTORS = ["worker", "county_staff", "sibling_staff", "nj_admin", "platform"]


def _state():
    return list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")), AuditEvent.objects.count()


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("door", ["html", "api"])
def test_token_revoke_answers_only_the_owner(tree, actor, door):
    tokens = {name: issue_api_token(getattr(tree, name), name=name) for name in ACTORS}
    user = getattr(tree, actor)
    client = Client()
    if door == "html":
        client.force_login(user)
    headers = {"Authorization": f"Bearer {tokens[actor][1]}"} if door == "api" else {}
    for owner in [name for name in ACTORS if name != actor] + [actor]:
        token = tokens[owner][0]
        before = _state()
        if door == "html":
            response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
        else:
            response = client.delete(f"/api/auth/tokens/{token.pk}", headers=headers)
        where = f"{actor} revoking {owner}'s token through {door}: {response.status_code}"
        if owner == actor:
            assert response.status_code == (204 if door == "api" else 302), where
            assert ApiToken.objects.get(pk=token.pk).revoked_at is not None, where
            assert AuditEvent.objects.count() == before[1] + 1, where
        else:
            assert response.status_code == 404, where
            assert _state() == before, f"{where} and changed the database"


NOTICE_DOORS = {
    "open": lambda c, pk, h: c.get(reverse("accounts:notice_open", args=[pk])),
    "read": lambda c, pk, h: c.post(reverse("accounts:notice_read", args=[pk])),
    "unread_page": lambda c, pk, h: c.post(reverse("accounts:notice_read", args=[pk]), {"unread": "1"}),
    "api_read": lambda c, pk, h: c.post(f"/api/me/notices/{pk}/read", headers=h),
    "api_unread": lambda c, pk, h: c.post(f"/api/me/notices/{pk}/unread", headers=h),
}


def _notice_state():
    return list(Notice.objects.order_by("pk").values_list("pk", "read_at"))


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("door", sorted(NOTICE_DOORS))
def test_notice_routes_answer_only_the_recipient(tree, actor, door):
    """Each actor opens and marks its own notice; every other actor's notice (and a code notice
    addressed to nobody) is a 404 with nothing written, through the page and the API."""
    notices = {name: Notice.objects.create(user=getattr(tree, name), kind="test", subject=f"for {name}", link="/me/") for name in ACTORS}
    nobody = Notice.objects.create(user=None, kind="account.code", subject="code 123456")
    user = getattr(tree, actor)
    client = Client()
    headers = {}
    if door.startswith("api"):
        headers = {"Authorization": f"Bearer {issue_api_token(user)[1]}"}
    else:
        client.force_login(user)
    for owner, notice in [*[(n, notices[n]) for n in ACTORS if n != actor], ("nobody", nobody), (actor, notices[actor])]:
        before = _notice_state()
        response = NOTICE_DOORS[door](client, notice.pk, headers)
        where = f"{actor} on {owner}'s notice through {door}: {response.status_code}"
        if owner == actor:
            assert response.status_code in (200, 302), where
            read_at = Notice.objects.get(pk=notice.pk).read_at
            assert (read_at is None) == (door in ("unread_page", "api_unread")), where
        else:
            assert response.status_code == 404, where
            assert _notice_state() == before, f"{where} and changed the database"
