import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kejia.core import pii
from kejia.core.bulk import insert_returning
from kejia.people.choices import Gender, ListingRole, PersonStatus, ThreeChiefs, TitleLevel
from kejia.people.models import Listing, Person
from kejia.reference.choices import Sector
from kejia.reference.models import Region

pytestmark = pytest.mark.django_db

SKIP = {"id", "created_at", "updated_at"}


def _people(tag: str, n: int = 6) -> list[Person]:
    region = Region.objects.get(code="320102")
    out = []
    for i in range(n):
        number = f"32010219800101{i:03d}X"
        out.append(
            Person(
                name=f"张{tag}{i}",
                name_pinyin=f"zhang {tag}{i}",
                gender=Gender.MALE if i % 2 else "F",  # an enum member and a plain str
                birth_date=None if i == 0 else datetime.date(1950 + i % 50, 1 + i % 12, 1 + i % 28),
                block_key=f"zhang|{1950 + i}",
                id_sealed=pii.encrypt(number),
                id_hash=f"{tag}-{pii.blind_index(number)[:48]}",
                id_masked=pii.mask_resident_id(number),
                phone_sealed=pii.encrypt(f"139{i:08d}"),
                phone_hash=f"{tag}-{i}",
                phone_masked=pii.mask_phone(f"139{i:08d}"),
                email=f"p{i}@example.cn",
                region=region if i % 3 else None,
                employer_name="东南大学 ‘引号’ %s %% ?",
                employer_uscc="",
                sector=Sector.OTHER,
                is_frontline=bool(i % 2),
                title="教授",
                title_level=TitleLevel.NONE if i % 2 else "senior",
                education="",
                expertise="机器学习",
                research_summary="长期从事\n研究。" * i,
                overseas_status="none",
                three_chiefs=ThreeChiefs.NONE,
                programmes=[] if i % 2 else ["青年人才托举", {"year": 2020 + i, "名称": "双创"}],
                consent_at=datetime.datetime(2024, 5, 1 + i % 28, 8, 30, 15, 123456, tzinfo=datetime.UTC) if i % 2 else None,
                consent_source="import" if i % 2 else "",
                status=PersonStatus.ACTIVE,
            )
        )
    return out


def _row(person: Person) -> dict:
    row = {f.attname: getattr(person, f.attname) for f in Person._meta.concrete_fields if f.attname not in SKIP}
    for key in ("name", "name_pinyin", "id_hash", "phone_hash"):
        row[key] = row[key].replace("lean", "orm")
    for key in ("id_sealed", "phone_sealed"):  # sealed with a random nonce each time: compare what they open to
        row[key] = pii.decrypt(row[key])
    return row


def test_person_rows_round_trip_like_bulk_create(reference):
    before = timezone.now()
    orm = Person.objects.bulk_create(_people("orm"))
    lean = insert_returning(Person, _people("lean"))
    after = timezone.now()
    assert [p.pk for p in lean] == sorted(p.pk for p in lean) and len({p.pk for p in lean}) == len(lean)
    assert all(not p._state.adding and p._state.db == "default" for p in lean)
    stored_orm = {p.name: p for p in Person.objects.filter(pk__in=[p.pk for p in orm])}
    stored_lean = {p.name: p for p in Person.objects.filter(pk__in=[p.pk for p in lean])}
    assert len(stored_lean) == len(lean)
    for obj in lean:
        db = stored_lean[obj.name]
        twin = stored_orm[obj.name.replace("lean", "orm")]
        assert _row(db) == _row(twin)  # every stored field as bulk_create stores it
        assert {f.attname: getattr(db, f.attname) for f in Person._meta.concrete_fields} == {
            f.attname: getattr(obj, f.attname) for f in Person._meta.concrete_fields
        }  # the object holds what was stored
        assert before <= db.created_at <= db.updated_at <= after
    assert stored_lean["张lean0"].birth_date is None and stored_lean["张lean0"].region_id is None
    assert stored_lean["张lean1"].region_id == "320102" and stored_lean["张lean1"].is_frontline is True
    assert stored_lean["张lean2"].programmes == ["青年人才托举", {"year": 2022, "名称": "双创"}]
    assert pii.decrypt(stored_lean["张lean3"].id_sealed) == "32010219800101003X"
    assert Person.objects.filter(pk__in=[p.pk for p in lean], birth_date__year=1952).count() == 1  # stored as a real date


def test_repeated_values_are_stored_as_bulk_create_stores_them(reference):
    """Dates, datetimes and empty JSON containers are converted once per distinct value of a
    column; [] and {} and equal non-empty lists stay what each row holds."""

    def build(tag: str) -> list[Person]:
        people = _people(tag, 12)
        for i, person in enumerate(people):
            person.birth_date = datetime.date(1980, 1, 1) if i % 3 else datetime.date(1981, 2, 2)
            person.programmes = [[], {}, ["青年人才托举"], ["青年人才托举"]][i % 4]
            person.consent_at = datetime.datetime(2024, 5, 1, 8, 30, tzinfo=datetime.UTC) if i % 2 else None
        return people

    orm = Person.objects.bulk_create(build("orm"))
    lean = insert_returning(Person, build("lean"))
    stored_orm = {p.name.replace("orm", ""): _row(p) for p in Person.objects.filter(pk__in=[p.pk for p in orm])}
    stored_lean = {p.name.replace("lean", ""): _row(p) for p in Person.objects.filter(pk__in=[p.pk for p in lean])}
    assert stored_lean == stored_orm
    assert [stored_lean[f"张{i}"]["programmes"] for i in range(4)] == [[], {}, ["青年人才托举"], ["青年人才托举"]]


def test_ids_in_order_over_many_batches(reference):
    people = _people("many", 250)
    for i, person in enumerate(people):
        person.id_hash = f"many-{i}"
    fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
    per_statement = connection.ops.bulk_batch_size(fields, people)
    if connection.vendor == "sqlite":
        assert per_statement * len(fields) <= connection.features.max_query_params < len(people) * len(fields)
    with CaptureQueriesContext(connection) as queries:
        insert_returning(Person, people)
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == -(-len(people) // min(per_statement, len(people))) and "RETURNING" in inserts[0]["sql"]
    ids = [p.pk for p in people]
    assert ids == sorted(ids) and len(set(ids)) == 250
    stored = dict(Person.objects.filter(pk__in=ids).values_list("pk", "id_hash"))
    assert stored == {p.pk: p.id_hash for p in people}


def test_listings(tree):
    people = insert_returning(Person, _people("list", 3))
    listings = insert_returning(Listing, [Listing(person=p, organization=tree.xw, role=ListingRole.MEMBER, note=f"n{i}") for i, p in enumerate(people)])
    stored = list(Listing.objects.filter(pk__in=[item.pk for item in listings]).order_by("pk").values_list("person_id", "organization_id", "role", "note"))
    assert stored == [(p.pk, tree.xw.pk, "member", f"n{i}") for i, p in enumerate(people)]
    assert all(item.created_at and item.updated_at for item in listings)


def test_a_related_object_saved_after_assignment_gives_its_pk(tree):
    person = Person(name="李四")
    listing = Listing(person=person, organization=tree.xw, role=ListingRole.MEMBER)
    with pytest.raises(ValueError):
        insert_returning(Listing, [listing])
    insert_returning(Person, [person])
    insert_returning(Listing, [listing])
    assert Listing.objects.get(pk=listing.pk).person_id == person.pk


def test_empty_list_runs_no_query(db):
    with CaptureQueriesContext(connection) as queries:
        assert insert_returning(Person, []) == []
    assert not queries.captured_queries


def test_falls_back_to_bulk_create_without_returning(reference, monkeypatch):
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    with CaptureQueriesContext(connection) as queries:
        insert_returning(Person, _people("fb", 2))
    assert Person.objects.filter(name__startswith="张fb").count() == 2
    assert not any("RETURNING" in q["sql"] for q in queries.captured_queries)


def test_sqlite_statements_with_question_marks_translate_errors(reference):
    """On SQLite, when queries are not logged, the statement goes to the sqlite3 cursor written
    with ? (no %s rewriting): the values still arrive as they are, a failure is still Django's."""
    from django.db import IntegrityError

    people = _people("qm", 3)
    people[2].employer_name = "含 %s 与 %% 与 ? 的单位"
    insert_returning(Person, people)
    assert Person.objects.get(pk=people[2].pk).employer_name == "含 %s 与 %% 与 ? 的单位"
    twins = _people("qm", 1)  # the same active ID hash again: the unique constraint refuses it
    with pytest.raises(IntegrityError):
        insert_returning(Person, twins)
