"""Issue 14, finding 2: a profile could be taken over by guessing an ID number. Linking now needs
a code sent to the profile's own phone or e-mail; attempts are limited per account, per name and
per address and every one is audited; the real owner takes a wrongly linked profile back, and
staff can undo a link. The SMS provider is outside the system: a fake gateway stands in."""

import pytest
from django.test import Client
from django.urls import reverse

from kejia.accounts.services import issue_api_token
from kejia.core import notify
from kejia.core.errors import DomainError
from kejia.core.models import AuditEvent, Notice
from kejia.core.testing.notices import FakeSmsGateway, last_code
from kejia.people import linking, selectors
from kejia.people.models import Person
from kejia.people.tests.helpers import ID_A, link, make, resident_id


@pytest.fixture
def sms(settings):
    FakeSmsGateway.sent = []
    notify._senders.cache_clear()
    settings.NOTICE_SENDERS = ["sms", "email"]
    settings.SMS_GATEWAY = "kejia.core.testing.notices.FakeSmsGateway"
    yield FakeSmsGateway.sent
    notify._senders.cache_clear()


def api(user, ip="10.0.0.1"):
    client = Client(REMOTE_ADDR=ip)
    headers = {"Authorization": f"Bearer {issue_api_token(user)[1]}"}

    def post(url, data):
        return client.post(url, data, content_type="application/json", headers=headers)

    def get(url):
        return client.get(url, headers=headers)

    return post, get


def guesses(n):
    """n valid resident ID numbers of the same birth date and county, none of them ID_A."""
    out = []
    seq = 0
    while len(out) < n:
        number = resident_id(f"32010219800101{seq:03d}")
        if number != ID_A:
            out.append(number)
        seq += 1
    return out


def test_link_with_name_and_id_number_alone_does_not_link(tree):
    person = make(tree)
    post, get = api(tree.worker)
    response = post("/api/people/me/link", {"name": "李明", "resident_id": ID_A})
    assert response.status_code == 202
    assert get("/api/people/me").status_code == 404
    assert post(f"/api/people/{person.pk}/reveal", {}).status_code in (403, 404)
    assert Person.objects.get(pk=person.pk).user_id is None


def test_link_guessing_is_limited_per_account_and_audited(tree, settings):
    settings.LINK_MAX_FAILURES = 5
    make(tree)
    post, _get = api(tree.worker)
    answers = [post("/api/people/me/link", {"name": "李明", "resident_id": number}).status_code for number in guesses(8)]
    assert answers == [400] * 4 + [400] + [429] * 3
    failed = AuditEvent.objects.filter(action="person.link_failed", actor=tree.worker)
    assert failed.count() == 5 and all(ID_A not in str(e.new) for e in failed)
    # Locked: even the right proof is refused now, and sends no code.
    assert post("/api/people/me/link", {"name": "李明", "resident_id": ID_A}).status_code == 429
    assert not Notice.objects.filter(kind="people.link_code").exists()


def test_link_guessing_is_limited_per_name_across_accounts_and_per_address(tree, settings):
    settings.LINK_MAX_FAILURES = 2
    make(tree)
    numbers = iter(guesses(12))
    answers = []
    for i, actor in enumerate([tree.worker, tree.county_leader, tree.sibling_staff]):
        post, _get = api(actor, ip=f"10.0.9.{i}")
        answers.append(post("/api/people/me/link", {"name": "李明", "resident_id": next(numbers)}).status_code)
        answers.append(post("/api/people/me/link", {"name": "李明", "resident_id": next(numbers)}).status_code)
    # 4 failures for one name (2 × the per-account limit) lock the name for every account.
    assert answers[:4] == [400, 400, 400, 400] and answers[4:] == [429, 429]
    post, _get = api(tree.wx_staff, ip="10.0.9.9")
    codes = [post("/api/people/me/link", {"name": f"王{i}", "resident_id": next(numbers)}).status_code for i in range(6)]
    assert codes[:2] == [400, 400] and codes[2] == 429  # the per-account limit of another account


def test_link_code_goes_to_the_profiles_own_phone(tree, sms, django_capture_on_commit_callbacks):
    person = make(tree)
    with django_capture_on_commit_callbacks(execute=True):
        challenge = linking.start_account_link(user=tree.worker, name="李明", resident_id=ID_A)
    assert (challenge.channel, challenge.sent_to) == ("sms", "139****0001")
    assert [phone for phone, _text in sms] == ["13905140001"]
    notice = Notice.objects.get(kind="people.link_code")
    assert notice.user is None  # never in the inbox of the account asking
    assert AuditEvent.objects.filter(action="person.link_code_sent", object_id=str(person.pk), actor=tree.worker).exists()
    assert linking.pending_account_link(tree.worker).sent_to == "139****0001"


def test_link_code_by_email_without_a_phone_and_refused_without_contact(tree, mailoutbox, sms, django_capture_on_commit_callbacks):
    make(tree, phone="", email="liming@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        challenge = linking.start_account_link(user=tree.worker, name="李明", resident_id=ID_A)
    assert challenge.sent_to == "l***@example.cn"
    assert [m.to for m in mailoutbox] == [["liming@example.cn"]] and not sms
    other = resident_id("32010419900315002")
    make(tree, name="王芳", resident_id=other, phone="", email="")
    with pytest.raises(DomainError) as exc:
        linking.start_account_link(user=tree.county_leader, name="王芳", resident_id=other)
    assert exc.value.code == "no_contact"
    assert AuditEvent.objects.filter(action="person.link_failed", new__reason="no_contact").exists()


def test_link_codes_per_profile_and_wrong_codes_are_limited(tree, settings):
    settings.CODE_MAX_SENDS, settings.LINK_MAX_FAILURES = 2, 3
    make(tree)
    post, _get = api(tree.worker)
    assert [post("/api/people/me/link", {"name": "李明", "resident_id": ID_A}).status_code for _ in range(3)] == [202, 202, 429]
    code = last_code("people.link_code")
    wrong = "000000" if code != "000000" else "111111"
    answers = [post("/api/people/me/link/confirm", {"code": wrong}).status_code for _ in range(4)]
    assert answers == [400, 400, 400, 429]
    assert post("/api/people/me/link/confirm", {"code": code}).status_code == 429
    assert AuditEvent.objects.filter(action="person.link_failed", new__reason="bad_code").count() == 3


def test_owner_takes_back_a_profile_linked_to_someone_else(tree):
    person = make(tree)
    Person.objects.filter(pk=person.pk).update(user=tree.county_leader)  # linked wrongly before the fix
    assert link(tree.worker, "李明", resident_id=ID_A) == person
    person.refresh_from_db()
    assert person.user == tree.worker and selectors.my_person(tree.county_leader) is None
    undone = AuditEvent.objects.get(action="person.account_unlinked", object_id=str(person.pk))
    assert undone.old == {"user": tree.county_leader.pk} and undone.new["reason"] == "owner_proved_control"
    assert AuditEvent.objects.get(action="person.account_linked").new["previous_user"] == tree.county_leader.pk
    assert Notice.objects.filter(kind="people.account_unlinked", user=tree.county_leader).exists()


def test_staff_undo_a_link_through_the_api_and_the_page(tree, client):
    person = make(tree)
    link(tree.worker, "李明", resident_id=ID_A)
    post, _get = api(tree.sibling_staff)
    assert post(f"/api/people/{person.pk}/unlink", {"reason": "冒领"}).status_code == 404
    post, _get = api(tree.county_leader)
    assert post(f"/api/people/{person.pk}/unlink", {"reason": "冒领"}).status_code == 403
    post, _get = api(tree.county_staff)
    assert post(f"/api/people/{person.pk}/unlink", {"reason": " "}).status_code == 400
    response = post(f"/api/people/{person.pk}/unlink", {"reason": "本人电话确认系他人冒领"})
    assert response.status_code == 200 and not response.json()["linked"]
    assert post(f"/api/people/{person.pk}/unlink", {"reason": "再次"}).json()["code"] == "not_linked"
    event = AuditEvent.objects.get(action="person.account_unlinked")
    assert event.actor == tree.county_staff and event.old == {"user": tree.worker.pk}
    # The page: staff see the button on a linked profile and undo the link.
    link(tree.worker, "李明", resident_id=ID_A)
    client.force_login(tree.county_staff)
    assert reverse("people:unlink", args=[person.pk]) in client.get(reverse("people:detail", args=[person.pk])).content.decode()
    response = client.post(reverse("people:unlink", args=[person.pk]), {"reason": "核实有误"})
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).user_id is None
