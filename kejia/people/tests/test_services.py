import datetime

import pytest
from django.db import connection

from kejia.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from kejia.core.models import AuditEvent
from kejia.people import selectors, services
from kejia.people.choices import PersonStatus
from kejia.people.models import Person

ID = "32010219800101069X"  # check character computed by GB 11643 (male: 17th digit odd)


def make(tree, org=None, **over):
    data = dict(
        name="李明",
        resident_id=ID,
        phone="13905140001",
        sector="university",
        title="教授",
        title_level="senior",
        expertise="机器学习 知识图谱",
        research_summary="研究大规模知识图谱构建。",
        employer_name="东南大学",
    )
    data.update(over)
    return services.create_person(actor=tree.county_staff, organization=org or tree.xw, consent_source="form", **data)


def test_id_fixture_is_valid():
    from kejia.core.validators import validate_resident_id

    assert validate_resident_id(ID) == ID


def test_create_person_seals_masks_and_derives(tree):
    person = make(tree)
    assert person.id_masked == "*" * 17 + "X" and person.phone_masked == "139****0001"
    assert person.birth_date == datetime.date(1980, 1, 1) and person.gender == "M"
    assert person.name_pinyin == "li ming"
    assert ID not in person.id_sealed and "13905140001" not in person.phone_sealed
    event = AuditEvent.objects.get(action="person.created")
    assert ID not in str(event.new) and event.new["resident_id"] == "*" * 17 + "X"


@pytest.mark.django_db(transaction=True)
def test_database_file_holds_no_plaintext_identifiers(tree, tmp_path):
    make(tree)
    if connection.vendor != "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM people_person")
            dump = repr(cursor.fetchall())
        assert ID not in dump and "13905140001" not in dump
        return
    target = tmp_path / "copy.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(target)])
    raw = target.read_bytes()
    for needle in (ID, "13905140001", "139 0514 0001"):
        assert needle.encode() not in raw
        assert needle.encode("utf-16-le") not in raw


def test_create_person_validation_names_fields(tree):
    with pytest.raises(ValidationFailed) as exc:
        make(tree, name="", resident_id="320102198001010691", phone="123", email="x@", employer_uscc="91350100M000100Y44", birth_date=datetime.date(1981, 1, 1))
    assert {"name", "resident_id", "phone", "email", "employer_uscc"} <= set(exc.value.errors)
    assert not Person.objects.exists()


def test_create_person_birth_date_must_agree_with_id(tree):
    with pytest.raises(ValidationFailed) as exc:
        make(tree, birth_date=datetime.date(1981, 1, 1))
    assert "birth_date" in exc.value.errors


def test_create_person_duplicate_id_refused(tree):
    make(tree)
    with pytest.raises(DomainError) as exc:
        make(tree, org=tree.my, name="李 明")
    assert exc.value.field == "resident_id"


def test_create_person_outside_scope_not_found(tree):
    with pytest.raises(NotFound):
        make(tree, org=tree.qh)


def test_visible_people_follow_listing_scope(tree):
    person = make(tree, org=tree.my)
    assert selectors.visible_people(tree.county_staff).filter(pk=person.pk).exists()
    assert selectors.visible_people(tree.nj_staff).filter(pk=person.pk).exists()
    assert not selectors.visible_people(tree.sibling_staff).filter(pk=person.pk).exists()
    assert not selectors.visible_people(tree.worker).exists()
    with pytest.raises(NotFound):
        selectors.get_person_for(tree.wx_staff, person.pk)


def test_update_person_keeps_history(tree):
    person = make(tree)
    services.update_person(person, actor=tree.county_staff, title="研究员", phone="13905140002")
    event = AuditEvent.objects.get(action="person.updated")
    assert event.old == {"title": "教授", "phone": "139****0001"}
    assert event.new == {"title": "研究员", "phone": "139****0002"}


def test_update_person_by_linked_worker(tree):
    person = make(tree)
    person.user = tree.worker
    person.save()
    services.update_person(person, actor=tree.worker, expertise="图神经网络")
    with pytest.raises(NotFound):
        services.update_person(person, actor=tree.sibling_staff, expertise="x")


def test_reveal_identifiers_audited_and_needs_role(tree):
    person = make(tree)
    assert services.reveal_person_identifiers(person, actor=tree.county_staff) == {"resident_id": ID, "phone": "13905140001"}
    assert AuditEvent.objects.filter(action="person.pii_revealed", actor=tree.county_staff).count() == 1
    with pytest.raises(PermissionDenied):
        services.reveal_person_identifiers(person, actor=tree.county_leader)


def test_anonymize_person_keeps_statistics(tree):
    person = make(tree)
    services.anonymize_person(person, actor=tree.county_staff, reason="本人申请删除")
    person.refresh_from_db()
    assert person.status == PersonStatus.ANONYMIZED and person.id_sealed == "" and person.phone_hash == ""
    assert person.birth_date == datetime.date(1980, 1, 1) and person.sector == "university"
    assert person.listings.count() == 1
    assert not selectors.visible_people(tree.county_staff).filter(pk=person.pk).exists()
    make(tree)  # the same ID can be registered again after the deletion


def test_clean_profile_unstated_gender_takes_the_one_in_the_id():
    assert services.clean_profile({"name": "李明", "resident_id": ID, "gender": "U"})["gender"] == "M"
