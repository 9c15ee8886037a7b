"""Services added for the pages and the API: listings, achievements, consent, account linking,
export. Scope and audit for each."""

import io

import pytest
from openpyxl import load_workbook

from kejia.core.errors import DomainError, PermissionDenied, ValidationFailed
from kejia.core.models import AuditEvent
from kejia.people import linking, selectors, services
from kejia.people.models import Listing, Person
from kejia.people.tests.helpers import ID_A, ID_B, link, make


def test_add_listing_by_a_manager_audits_and_widens_scope(tree):
    person = make(tree)
    assert not selectors.visible_people(tree.society_secretary).filter(pk=person.pk).exists()
    services.add_listing(person, actor=tree.society_secretary, organization=tree.soc, role="expert")
    assert selectors.visible_people(tree.society_secretary).filter(pk=person.pk).exists()
    event = AuditEvent.objects.get(action="person.listed")
    assert event.organization == tree.soc and event.new == {"organization": tree.soc.pk, "role": "expert"}


def test_add_listing_refuses_unmanaged_organization_and_duplicates(tree):
    person = make(tree)
    with pytest.raises(PermissionDenied):
        services.add_listing(person, actor=tree.county_leader, organization=tree.xw)
    with pytest.raises(DomainError) as exc:
        services.add_listing(person, actor=tree.county_staff, organization=tree.xw, role="member")
    assert exc.value.code == "duplicate_listing"


def test_remove_listing_keeps_the_last_one(tree):
    person = make(tree)
    only = person.listings.get()
    with pytest.raises(DomainError) as exc:
        services.remove_listing(only, actor=tree.county_staff)
    assert exc.value.code == "last_listing"
    extra = services.add_listing(person, actor=tree.society_secretary, organization=tree.soc)
    with pytest.raises(PermissionDenied):
        services.remove_listing(extra, actor=tree.county_staff)
    services.remove_listing(extra, actor=tree.society_secretary)
    assert not Listing.objects.filter(pk=extra.pk).exists()
    assert AuditEvent.objects.filter(action="person.unlisted").count() == 1


def test_list_known_person_by_full_id_number(tree):
    person = make(tree)
    found = services.list_known_person(actor=tree.sibling_staff, organization=tree.qh, resident_id=ID_A)
    assert found == person and person.listings.filter(organization=tree.qh).exists()
    with pytest.raises(DomainError) as exc:
        services.list_known_person(actor=tree.sibling_staff, organization=tree.qh, resident_id=ID_B)
    assert exc.value.code == "no_match"
    with pytest.raises(ValidationFailed):
        services.list_known_person(actor=tree.sibling_staff, organization=tree.qh, resident_id="123")


def test_achievements_add_and_remove_with_history(tree):
    person = make(tree)
    item = services.add_achievement(person, actor=tree.county_staff, kind="patent", title="一种知识图谱构建装置", year=2024)
    assert person.achievements.count() == 1
    services.remove_achievement(item, actor=tree.county_staff)
    actions = list(selectors.person_history(person).values_list("action", flat=True))
    assert actions[:2] == ["person.achievement_removed", "person.achievement_added"]


def test_add_achievement_validates_and_checks_the_editor(tree):
    person = make(tree)
    with pytest.raises(ValidationFailed) as exc:
        services.add_achievement(person, actor=tree.county_staff, kind="nonsense", title=" ", year=1200)
    assert set(exc.value.errors) == {"kind", "title", "year"}
    with pytest.raises(PermissionDenied):
        services.add_achievement(person, actor=tree.county_leader, kind="paper", title="论文")


def test_record_consent(tree):
    person = make(tree)
    services.record_consent(person, actor=tree.county_staff, source="书面同意书")
    person.refresh_from_db()
    assert person.consent_source == "书面同意书" and person.consent_at is not None
    with pytest.raises(ValidationFailed):
        services.record_consent(person, actor=tree.county_staff, source="  ")


def test_link_account_by_id_number(tree):
    person = make(tree)
    linked = link(tree.worker, "李明", resident_id=ID_A.lower())
    assert linked == person and linked.user == tree.worker
    assert selectors.my_person(tree.worker) == person
    event = AuditEvent.objects.get(action="person.account_linked")
    assert ID_A not in str(event.new)
    with pytest.raises(DomainError) as exc:
        linking.start_account_link(user=tree.worker, name="李明", resident_id=ID_A)
    assert exc.value.code == "already_linked"


def test_link_account_by_phone_in_another_format(tree):
    person = make(tree)
    assert link(tree.worker, "李明", phone="+86 139-0514-0001") == person


@pytest.mark.parametrize("proof", [{"name": "李明", "resident_id": ID_B}, {"name": "王明", "resident_id": ID_A}, {"name": "李明", "phone": "13905140002"}])
def test_link_account_with_wrong_proof_says_no_match(tree, proof):
    make(tree)
    with pytest.raises(DomainError) as exc:
        linking.start_account_link(user=tree.worker, **proof)
    assert exc.value.code == "no_match"
    assert selectors.my_person(tree.worker) is None


def test_link_account_needs_some_proof(tree):
    with pytest.raises(ValidationFailed) as exc:
        linking.start_account_link(user=tree.worker, name="", resident_id="", phone="")
    assert {"name", "resident_id"} <= set(exc.value.errors)


def _sheet(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))


def test_export_is_masked_by_default_and_audited(tree):
    make(tree)
    rows = _sheet(services.export_people(selectors.visible_people(tree.county_leader), actor=tree.county_leader))
    assert len(rows) == 2 and "*" * 17 + ID_A[-1] in rows[1] and "139****0001" in rows[1]
    assert ID_A not in str(rows)
    event = AuditEvent.objects.get(action="person.exported")
    assert event.new == {"rows": 1, "unmasked": False}


def test_export_unmasked_needs_a_staff_role_and_is_audited(tree):
    make(tree)
    with pytest.raises(PermissionDenied):
        services.export_people(selectors.visible_people(tree.county_leader), actor=tree.county_leader, unmasked=True)
    rows = _sheet(services.export_people(selectors.visible_people(tree.county_staff), actor=tree.county_staff, unmasked=True))
    assert ID_A in rows[1] and "13905140001" in rows[1]
    assert AuditEvent.objects.get(action="person.exported_unmasked").new["unmasked"] is True


def test_search_people_filters(tree):
    make(tree)
    make(tree, name="王芳", resident_id=ID_B, phone="13905140002", sector="medical", title_level="intermediate", is_frontline=True)
    staff = tree.county_staff
    assert [p.name for p in selectors.search_people(staff, text="wang")] == ["王芳"]
    assert [p.name for p in selectors.search_people(staff, text="li ming")] == ["李明"]
    assert [p.name for p in selectors.search_people(staff, sector="medical")] == ["王芳"]
    assert [p.name for p in selectors.search_people(staff, frontline=False)] == ["李明"]
    assert [p.name for p in selectors.search_people(staff, title_level="senior")] == ["李明"]
    assert selectors.search_people(staff, organization=tree.my).count() == 0
    assert selectors.search_people(tree.nj_staff, organization=tree.xw).count() == 2
    assert selectors.search_people(tree.sibling_staff).count() == 0


# ---- seed_demo --people ----------------------------------------------------------------------


class _Undo(Exception):
    pass


def _seed_people(seed: int, people: int = 400) -> list[tuple]:
    from django.core.management import call_command
    from django.db import transaction

    try:
        with transaction.atomic():
            call_command("seed_demo", orgs=300, people=people, seed=seed, stdout=io.StringIO())
            rows = list(
                Person.objects.order_by("pk").values_list(
                    "name",
                    "name_pinyin",
                    "gender",
                    "birth_date",
                    "id_hash",
                    "id_masked",
                    "phone_hash",
                    "employer_name",
                    "sector",
                    "title",
                    "title_level",
                    "expertise",
                    "research_summary",
                    "is_frontline",
                    "three_chiefs",
                    "region_id",
                )
            )
            raise _Undo(rows)
    except _Undo as done:
        return done.args[0]


def test_seed_demo_people_is_deterministic(reference):
    first = _seed_people(7)
    assert len(first) == 400
    assert first == _seed_people(7)
    assert first != _seed_people(8)


def test_seed_demo_people_are_valid_listed_and_partly_duplicated(reference):
    import time

    from django.core.management import call_command

    from kejia.core import pii
    from kejia.core.validators import validate_resident_id
    from kejia.reference.models import Region

    started = time.perf_counter()
    out = io.StringIO()
    call_command("seed_demo", orgs=300, people=1000, stdout=out)
    assert time.perf_counter() - started < 60 and "1000 people (60 duplicates)" in out.getvalue()
    people = list(Person.objects.all())
    assert len(people) == 1000
    counties = set(Region.objects.filter(level=3, code__startswith="32").values_list("code", flat=True))
    with_id = [p for p in people if p.id_sealed]
    assert len(with_id) > 800
    for p in with_id[:200]:
        number = pii.decrypt(p.id_sealed)
        assert validate_resident_id(number) == number and number[:6] in counties
        assert p.birth_date.strftime("%Y%m%d") == number[6:14] and p.id_masked == pii.mask_resident_id(number)
        assert pii.blind_index(number) == p.id_hash
    assert all(pii.decrypt(p.phone_sealed).startswith("139") for p in people if p.phone_sealed)
    assert Listing.objects.values("person").distinct().count() == 1000
    assert Person.objects.filter(name__contains=" ").exists() or Person.objects.filter(name__contains="\u3000").exists()
    assert Person.objects.exclude(three_chiefs="none").exists() and Person.objects.filter(is_frontline=True).exists()
    assert Person.objects.filter(achievements__isnull=False).distinct().count() > 300
    assert Person.objects.filter(disciplines__isnull=False).distinct().count() == 1000
    # Duplicates: the same name (without the space) listed twice, one record without an ID number.
    by_name: dict[str, list] = {}
    for p in people:
        by_name.setdefault(p.name.replace(" ", "").replace("\u3000", ""), []).append(p)
    pairs = [ps for ps in by_name.values() if len(ps) > 1 and any(not p.id_hash for p in ps)]
    assert len(pairs) >= 50
    assert AuditEvent.objects.filter(action="person.demo_seeded").get().new["people"] == 1000


def test_seed_demo_people_on_a_seeded_province_with_if_empty(reference):
    from django.core.management import call_command

    call_command("seed_demo", orgs=300, stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", orgs=300, people=100, if_empty=True, stdout=out)
    assert Person.objects.count() == 100 and "added 100 people" in out.getvalue()
    call_command("seed_demo", orgs=300, people=100, if_empty=True, stdout=io.StringIO())
    assert Person.objects.count() == 100
    # The demo S&T worker can link their account by the phone on file.
    from kejia.accounts.models import User

    worker = User.objects.get(username="worker")
    from kejia.core import pii

    person = link(worker, worker.display_name, phone=pii.decrypt(worker.phone_sealed))
    assert person.user == worker
