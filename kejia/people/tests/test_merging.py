"""Merging, undoing a merge exactly, keeping apart, the review queue's scope."""

import datetime

import pytest

from kejia.core.errors import DomainError, NotFound
from kejia.core.models import AuditEvent
from kejia.people import merging, review_selectors, services
from kejia.people.choices import PersonStatus
from kejia.people.models import Achievement, CandidateStatus, Listing, MatchCandidate, MergeRecord, Person
from kejia.people.resolution import match_person
from kejia.people.tests.test_resolution import incoming, rid
from kejia.reference.models import Discipline


def make(tree, org, **over):
    data = dict(name="李明", gender="M", birth_date=datetime.date(1980, 3, 7), employer_name="东南大学", sector="university")
    data.update(over)
    return services.create_person(actor=tree.platform, organization=org, **data)


def state(*people: Person) -> dict:
    """Everything a merge touches, to compare before and after an undo."""
    out = {}
    for person in people:
        person = Person.objects.get(pk=person.pk)
        out[person.pk] = {
            "row": merging.person_state(person),
            "listings": sorted(Listing.objects.filter(person=person).values_list("pk", "organization_id", "role", "note", "created_at", "updated_at")),
            "achievements": sorted(Achievement.objects.filter(person=person).values_list("pk", "title", "updated_at")),
            "disciplines": sorted(person.disciplines.values_list("pk", flat=True)),
        }
    return out


@pytest.fixture
def pair(tree):
    disciplines = list(Discipline.objects.order_by("code")[:3])
    survivor = make(tree, tree.xw, phone="13905140001", title="教授", disciplines=disciplines[:2])
    duplicate = make(
        tree, tree.wx, name="李 明", resident_id=rid("19800307"), email="li@example.cn", expertise="知识图谱", title="研究员", disciplines=disciplines[1:]
    )
    Listing.objects.create(person=duplicate, organization=tree.xw, role="member")  # the survivor already has this one
    Listing.objects.create(person=duplicate, organization=tree.soc, role="expert", note="专家库")
    Achievement.objects.create(person=duplicate, kind="patent", title="一种知识图谱构建方法", year=2020)
    Achievement.objects.create(person=survivor, kind="paper", title="论文", year=2019)
    duplicate.user = tree.worker
    duplicate.save()
    return survivor, duplicate


def test_merge_people_moves_everything(tree, pair):
    survivor, duplicate = pair
    record = merging.merge_people(survivor, duplicate, actor=tree.county_staff)
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.status == PersonStatus.MERGED and duplicate.merged_into == survivor and duplicate.user is None
    assert survivor.user == tree.worker
    assert survivor.id_masked == "*" * 17 + rid("19800307")[-1] and survivor.email == "li@example.cn" and survivor.expertise == "知识图谱"
    assert survivor.title == "教授" and survivor.phone_masked == "139****0001"  # never overwritten
    assert sorted(survivor.listings.values_list("organization__code", "role")) == [("SOC", "expert"), ("WX", "member"), ("XW", "member")]
    assert not duplicate.listings.exists() and not duplicate.disciplines.exists()
    assert survivor.achievements.count() == 2 and survivor.disciplines.count() == 3
    assert len(record.dropped_listings) == 1 and len(record.moved_listings) == 2 and record.moved_user == tree.worker
    event = AuditEvent.objects.get(action="person.merged")
    assert event.new["duplicate"] == duplicate.pk and event.actor == tree.county_staff
    assert rid("19800307") not in str(event.new)
    assert match_person(incoming(resident_id=rid("19800307"))).person == survivor


def test_unmerge_restores_exactly(tree, pair):
    survivor, duplicate = pair
    before = state(survivor, duplicate)
    record = merging.merge_people(survivor, duplicate, actor=tree.county_staff)
    assert state(survivor, duplicate) != before
    restored = merging.unmerge(record, actor=tree.county_staff)
    assert restored.status == PersonStatus.ACTIVE
    assert state(survivor, duplicate) == before
    record.refresh_from_db()
    assert record.undone_by == tree.county_staff and record.undone_at is not None
    assert MatchCandidate.objects.get(person_a=survivor, person_b=duplicate).status == CandidateStatus.KEPT_APART
    assert AuditEvent.objects.filter(action="person.unmerged", object_id=str(survivor.pk)).exists()
    with pytest.raises(DomainError) as exc:
        merging.unmerge(record, actor=tree.county_staff)
    assert exc.value.code == "already_undone"


def test_unmerge_keeps_later_edit_of_a_filled_field(tree, pair):
    survivor, duplicate = pair
    record = merging.merge_people(survivor, duplicate, actor=tree.county_staff)
    services.update_person(Person.objects.get(pk=survivor.pk), actor=tree.county_staff, email="new@example.cn")
    merging.unmerge(record, actor=tree.county_staff)
    assert Person.objects.get(pk=survivor.pk).email == "new@example.cn"
    assert Person.objects.get(pk=duplicate.pk).email == "li@example.cn"


def test_merge_people_conflicting_ids_refused(tree):
    a = make(tree, tree.xw, resident_id=rid("19800307", "069"))
    b = make(tree, tree.xw, resident_id=rid("19800307", "079"))
    with pytest.raises(DomainError) as exc:
        merging.merge_people(a, b, actor=tree.county_staff)
    assert exc.value.code == "conflicting_ids"
    assert Person.objects.filter(status=PersonStatus.ACTIVE).count() == 2 and not MergeRecord.objects.exists()


def test_merge_people_outside_scope_not_found(tree, pair):
    survivor, duplicate = pair
    other = make(tree, tree.qh, name="王芳")
    with pytest.raises(NotFound):
        merging.merge_people(other, make(tree, tree.lx, name="王芳"), actor=tree.county_staff)
    with pytest.raises(NotFound):
        merging.merge_people(survivor, duplicate, actor=tree.worker)
    assert not MergeRecord.objects.exists()


def test_merge_people_refuses_inactive_and_self(tree, pair):
    survivor, duplicate = pair
    with pytest.raises(DomainError):
        merging.merge_people(survivor, survivor, actor=tree.county_staff)
    merging.merge_people(survivor, duplicate, actor=tree.county_staff)
    with pytest.raises(DomainError) as exc:
        merging.merge_people(survivor, duplicate, actor=tree.county_staff)
    assert exc.value.code == "not_active"


def test_queue_review_keep_apart_and_scope(tree):
    a = make(tree, tree.xw)
    b = make(tree, tree.wx, name="黎明")
    match = match_person(incoming(name="黎明"), exclude=[b.pk])
    assert match.decision == "review" and match.person == a
    candidate = merging.queue_review(a, b, match)
    assert (candidate.person_a, candidate.person_b, candidate.status) == (a, b, CandidateStatus.OPEN)
    assert merging.queue_review(b, a) == candidate and MatchCandidate.objects.count() == 1
    assert list(review_selectors.visible_candidates(tree.county_staff)) == [candidate]
    assert list(review_selectors.visible_candidates(tree.wx_staff)) == [candidate]
    assert list(review_selectors.visible_candidates(tree.province_staff)) == [candidate]
    assert not review_selectors.visible_candidates(tree.sibling_staff).exists()
    assert not review_selectors.visible_candidates(tree.county_leader).exists()  # a leader role does not manage
    with pytest.raises(NotFound):
        review_selectors.get_candidate_for(tree.sibling_staff, candidate.pk)
    with pytest.raises(NotFound):
        merging.keep_apart(candidate, actor=tree.sibling_staff)
    merging.keep_apart(candidate, actor=tree.wx_staff)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.KEPT_APART and candidate.decided_by == tree.wx_staff
    assert AuditEvent.objects.filter(action="person.kept_apart").count() == 1
    with pytest.raises(DomainError) as exc:
        merging.keep_apart(candidate, actor=tree.wx_staff)
    assert exc.value.code == "already_decided"
    merging.queue_review(a, b)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.KEPT_APART  # a decided pair stays decided


def test_merge_candidate_with_chosen_survivor(tree):
    a = make(tree, tree.xw)
    b = make(tree, tree.wx, name="黎明", phone="13905140002")
    candidate = merging.queue_review(a, b)
    record = merging.merge_candidate(candidate, actor=tree.county_staff, survivor=b)
    assert record.survivor == b and record.duplicate == a and record.candidate == candidate
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.MERGED and candidate.decided_by == tree.county_staff
    assert review_selectors.merge_of(candidate) == record
    assert review_selectors.get_merge_for(tree.county_staff, record.pk) == record
    with pytest.raises(NotFound):
        review_selectors.get_merge_for(tree.sibling_staff, record.pk)
    with pytest.raises(DomainError):
        merging.merge_candidate(candidate, actor=tree.county_staff)


def test_open_pair_hidden_while_one_record_merged_elsewhere(tree):
    a = make(tree, tree.xw)
    b = make(tree, tree.wx, name="黎明")
    c = make(tree, tree.xw, name="李明", phone="13905140003")
    candidate = merging.queue_review(a, b)
    record = merging.merge_people(c, a, actor=tree.county_staff)
    assert candidate not in review_selectors.visible_candidates(tree.county_staff)
    merging.unmerge(record, actor=tree.county_staff)
    assert candidate in review_selectors.visible_candidates(tree.county_staff)


def test_importer_door_queues_the_uncertain_pair(tree):
    from kejia.imports import people as people_import
    from kejia.people import resolution

    a = make(tree, tree.xw)
    match = match_person(incoming(name="黎明"))
    assert match.decision == "review"
    b = make(tree, tree.wx, name="黎明")
    candidate = people_import.queue_review(b, match)
    assert (candidate.person_a, candidate.person_b) == (a, b) and candidate.details["name"]["level"] == "pinyin"
    assert AuditEvent.objects.filter(action="person.match_queued").count() == 1
    assert people_import.queue_review(b, resolution.Match("review")) is None
