"""Every state change of an item: send, assign, forward, answer (private and public), publish,
rate, reopen (once), close, publicity; each writes history, an audit row and its notices."""

import datetime

import pytest

from kejia.core.errors import DomainError, IllegalTransition, PermissionDenied, ValidationFailed
from kejia.core.models import AuditEvent, Notice
from kejia.voice import selectors, services
from kejia.voice.choices import EventKind, ItemStatus
from kejia.voice.models import Answer, Item, ItemEvent
from kejia.voice.tests.conftest import at


def kinds(item) -> list[str]:
    return list(item.events.order_by("created_at", "id").values_list("kind", flat=True))


def test_send_item_sets_the_due_date_and_tells_the_handlers(voice, send):
    item = send(day="2026-11-27")  # a Friday: 15 working days → Friday 18 December
    assert item.status == ItemStatus.SUBMITTED
    assert (item.deadline_days, item.due_on) == (15, datetime.date(2026, 12, 18))
    assert item.sender_person == voice.worker_person
    assert item.origin == item.organization == voice.xw
    assert kinds(item) == [EventKind.SUBMITTED]
    assert AuditEvent.objects.filter(action="voice.item_sent", object_id=str(item.pk)).exists()
    assert set(Notice.objects.filter(kind="voice_arrived").values_list("user__username", flat=True)) == {"xw_staff"}


def test_send_item_to_an_organization_without_staff_tells_the_nearest_above(voice, send):
    send(to=voice.my)
    assert set(Notice.objects.filter(kind="voice_arrived").values_list("user__username", flat=True)) == {"xw_staff"}


def test_send_item_refuses_bad_input_naming_the_fields(voice):
    with pytest.raises(ValidationFailed) as exc:
        services.send_item(actor=voice.worker, organization=voice.xw, kind="gossip", title=" ", body="x" * 6000)
    assert set(exc.value.errors) == {"kind", "title", "body"}
    assert not Item.objects.exists()


def test_send_item_policy_question_has_its_own_deadline(voice, send):
    item = send(kind="policy_question", day="2026-11-23")
    assert (item.deadline_days, item.due_on) == (10, datetime.date(2026, 12, 7))


def test_assign_item_by_staff(voice, send):
    item = send()
    services.assign_item(item, actor=voice.county_staff, assignee=voice.county_leader, note="请领导回复")
    item.refresh_from_db()
    assert (item.status, item.assignee) == (ItemStatus.ASSIGNED, voice.county_leader)
    assert Notice.objects.filter(kind="voice_assigned", user=voice.county_leader).exists()
    event = item.events.get(kind=EventKind.ASSIGNED)
    assert event.internal and event.note == "请领导回复"


def test_assign_item_refused_to_a_leader_and_to_someone_outside(voice, send):
    item = send()
    with pytest.raises(PermissionDenied):
        services.assign_item(item, actor=voice.county_leader, assignee=voice.county_staff)
    with pytest.raises(DomainError) as exc:
        services.assign_item(item, actor=voice.county_staff, assignee=voice.sibling_staff)
    assert exc.value.field == "assignee"
    with pytest.raises(DomainError):
        services.assign_item(item, actor=voice.county_staff, assignee=voice.worker)
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED and item.assignee is None


def test_forward_item_down_and_up(voice, send):
    item = send()
    services.assign_item(item, actor=voice.county_staff, assignee=voice.county_staff)
    services.forward_item(item, actor=voice.county_staff, to=voice.ent, note="请企业科协处理")
    item.refresh_from_db()
    assert (item.organization, item.status, item.assignee) == (voice.ent, ItemStatus.SUBMITTED, None)
    assert item.due_on == datetime.date(2026, 12, 14)  # forwarding gives nobody more time
    assert Notice.objects.filter(kind="voice_forwarded", user=voice.worker).exists()
    services.forward_item(item, actor=voice.county_staff, to=voice.xw)  # ENT's parent
    services.forward_item(item, actor=voice.county_staff, to=voice.nj)
    item.refresh_from_db()
    assert item.organization == voice.nj
    assert kinds(item).count(EventKind.FORWARDED) == 3
    with pytest.raises(PermissionDenied):  # it left XW's hands
        services.forward_item(item, actor=voice.county_staff, to=voice.xw)


def test_forward_item_refuses_siblings_and_itself(voice, send):
    item = send()
    for target in (voice.qh, voice.xw, voice.js, voice.lx):
        with pytest.raises(DomainError) as exc:
            services.forward_item(item, actor=voice.county_staff, to=target)
        assert exc.value.field == "to"
    item.refresh_from_db()
    assert item.organization == voice.xw


def test_answer_item_private_by_staff(voice, send):
    item = send()
    answer = services.answer_item(item, actor=voice.county_staff, text="已转有关部门研究。")
    item.refresh_from_db()
    assert item.status == ItemStatus.ANSWERED and item.answered_at
    assert not answer.is_public and answer.signer_name == ""
    assert Notice.objects.filter(kind="voice_answered", user=voice.worker).exists()
    with pytest.raises(IllegalTransition):
        services.answer_item(item, actor=voice.county_staff, text="again")


def test_answer_item_in_public_needs_a_leader_and_the_senders_consent(voice, send):
    item = send()
    with pytest.raises(PermissionDenied):
        services.answer_item(item, actor=voice.county_staff, text="公开回复", public=True)
    private = send(allow_public=False)
    with pytest.raises(DomainError) as exc:
        services.answer_item(private, actor=voice.county_leader, text="公开回复", public=True)
    assert exc.value.code == "not_public"
    assert not Answer.objects.exists()
    answer = services.answer_item(item, actor=voice.county_leader, text="感谢建议，我们将纳入明年计划。", public=True)
    assert answer.is_public and answer.published_at
    assert answer.signer_name == "xw_leader"
    assert answer.signer_title.startswith(voice.xw.name)
    assert list(selectors.public_items()) == [item]


def test_answer_item_in_public_by_a_leader_above_signs_with_their_post(voice, send):
    item = send()
    answer = services.answer_item(item, actor=voice.nj_leader, text="市科协将统筹研究。", public=True)
    assert (answer.signer_name, answer.signer_title) == ("南京领导", f"{voice.nj.name}副主席")


def test_answer_item_refused_to_the_sender_and_to_a_sibling(voice, send):
    item = send()
    with pytest.raises(PermissionDenied):
        services.answer_item(item, actor=voice.worker, text="我自己回答")
    with pytest.raises(PermissionDenied):
        services.answer_item(item, actor=voice.sibling_staff, text="不是我们管")


def test_publish_answer_by_a_leader(voice, send):
    item = send()
    answer = services.answer_item(item, actor=voice.county_staff, text="已研究。")
    with pytest.raises(PermissionDenied):
        services.publish_answer(answer, actor=voice.county_staff)
    services.publish_answer(answer, actor=voice.county_leader)
    answer.refresh_from_db()
    assert answer.is_public and answer.signed_by == voice.county_leader and answer.author == voice.county_staff
    assert EventKind.PUBLISHED in kinds(item)
    with pytest.raises(IllegalTransition):
        services.publish_answer(answer, actor=voice.county_leader)


def test_set_item_publicity_hides_a_published_answer(voice, send):
    item = send()
    services.answer_item(item, actor=voice.county_leader, text="公开答复", public=True)
    services.set_item_publicity(item, actor=voice.worker, allow_public=False)
    assert not selectors.public_items().exists()
    with pytest.raises(PermissionDenied):
        services.set_item_publicity(item, actor=voice.county_staff, allow_public=True)


def test_rate_item_closes_it_once(voice, send):
    item = send()
    services.answer_item(item, actor=voice.county_staff, text="答复")
    with pytest.raises(PermissionDenied):
        services.rate_item(item, actor=voice.county_staff, rating=5)
    for bad in (0, 6, "x"):
        with pytest.raises(DomainError) as exc:
            services.rate_item(item, actor=voice.worker, rating=bad)
        assert exc.value.field == "rating"
    services.rate_item(item, actor=voice.worker, rating=4)
    item.refresh_from_db()
    assert (item.status, item.rating) == (ItemStatus.CLOSED, 4)
    with pytest.raises(IllegalTransition):
        services.rate_item(item, actor=voice.worker, rating=5)


def test_rate_item_refused_before_an_answer(voice, send):
    item = send()
    with pytest.raises(IllegalTransition):
        services.rate_item(item, actor=voice.worker, rating=3)


def test_reopen_item_once_with_a_new_due_date(voice, send):
    item = send(day="2026-11-23")
    services.answer_item(item, actor=voice.county_staff, text="答复", now=at("2026-11-25"))
    services.rate_item(item, actor=voice.worker, rating=2, now=at("2026-11-26"))
    services.reopen_item(item, actor=voice.worker, reason="答复没有解决问题。", now=at("2026-11-27"))
    item.refresh_from_db()
    assert item.status == ItemStatus.REOPENED and item.rating is None and item.closed_at is None
    assert item.due_on == datetime.date(2026, 12, 18)
    assert item.events.get(kind=EventKind.RATED).data == {"rating": 2}
    services.answer_item(item, actor=voice.county_staff, text="再次答复")
    services.rate_item(item, actor=voice.worker, rating=5)
    with pytest.raises(IllegalTransition) as exc:
        services.reopen_item(item, actor=voice.worker, reason="还是不行")
    assert exc.value.code == "reopened_once"
    assert "一次" in str(exc.value.message)  # the message says why, in the user's language


def test_reopen_item_refused_to_others_and_when_open(voice, send):
    item = send()
    with pytest.raises(IllegalTransition):
        services.reopen_item(item, actor=voice.worker, reason="x")
    services.answer_item(item, actor=voice.county_staff, text="答复")
    with pytest.raises(PermissionDenied):
        services.reopen_item(item, actor=voice.other_sender, reason="x")
    with pytest.raises(ValidationFailed):
        services.reopen_item(item, actor=voice.worker, reason=" ")


def test_reopen_item_goes_to_the_assignee(voice, send):
    item = send()
    services.assign_item(item, actor=voice.county_staff, assignee=voice.county_leader)
    services.answer_item(item, actor=voice.county_leader, text="答复")
    Notice.objects.all().delete()
    services.reopen_item(item, actor=voice.worker, reason="请再看看")
    assert list(Notice.objects.values_list("user__username", flat=True)) == ["xw_leader"]


def test_close_item_by_sender_or_staff_only_when_answered(voice, send):
    item = send()
    with pytest.raises(IllegalTransition):
        services.close_item(item, actor=voice.worker)
    services.answer_item(item, actor=voice.county_staff, text="答复")
    with pytest.raises(PermissionDenied):
        services.close_item(item, actor=voice.county_leader)
    services.close_item(item, actor=voice.county_staff)
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED and item.rating is None


def test_timeline_hides_internal_events_from_the_sender(voice, send):
    item = send()
    services.assign_item(item, actor=voice.county_staff, assignee=voice.county_leader, note="内部")
    assert [e.kind for e in selectors.timeline(item, staff=False)] == [EventKind.SUBMITTED]
    assert [e.kind for e in selectors.timeline(item, staff=True)] == [EventKind.SUBMITTED, EventKind.ASSIGNED]


def test_items_of_sender_and_visible_items_follow_scope(voice, send):
    mine = send()
    other = send(actor=voice.other_sender, to=voice.qh)
    assert list(selectors.items_of_sender(voice.worker)) == [mine]
    assert mine.get_absolute_url() == f"/voice/items/{mine.pk}/"
    assert set(selectors.visible_items(voice.nj_staff)) == {mine, other}
    assert set(selectors.visible_items(voice.county_staff)) == {mine}
    assert set(selectors.visible_items(voice.wx_staff)) == set()
    assert set(selectors.visible_items(voice.worker)) == set()
    assert ItemEvent.objects.filter(item=other).count() == 1
