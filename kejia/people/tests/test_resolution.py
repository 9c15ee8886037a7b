"""Identity resolution: the exact ID match, the scored match on typical spreadsheet variations,
the thresholds, blocking through indexes, and the resolve_people command."""

import datetime
import json
import math
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kejia.core.validators import resident_id_check_char
from kejia.people import resolution, services
from kejia.people.bulk_resolution import resolve_all
from kejia.people.choices import PersonStatus
from kejia.people.models import CandidateStatus, MatchCandidate, Person
from kejia.people.resolution import Profile, compare, decide, jaro_winkler, match_person, normalize_employer


def rid(birth: str, seq: str = "069") -> str:
    """A valid resident ID for a birth date YYYYMMDD (odd 17th digit: male)."""
    first17 = f"320102{birth}{seq}"
    return first17 + resident_id_check_char(first17)


def make(tree, org=None, **over):
    data = dict(
        name="李明",
        resident_id="",
        phone="",
        gender="M",
        birth_date=datetime.date(1980, 3, 7),
        employer_name="东南大学",
        sector="university",
        title="教授",
        title_level="senior",
    )
    data.update(over)
    return services.create_person(actor=tree.platform, organization=org or tree.xw, consent_source="form", **data)


def incoming(**over):
    data = dict(name="李明", resident_id="", phone="", gender="M", birth_date=datetime.date(1980, 3, 7), employer_name="东南大学", email="")
    data.update(over)
    return services.clean_profile(data)


# ---- The pieces -------------------------------------------------------------------------------


def test_jaro_winkler_known_values():
    assert jaro_winkler("martha", "marhta") == pytest.approx(0.9611, abs=1e-4)
    assert jaro_winkler("dwayne", "duane") == pytest.approx(0.84, abs=1e-4)
    assert jaro_winkler("dixon", "dicksonx") == pytest.approx(0.8133, abs=1e-4)
    assert jaro_winkler("abc", "abc") == 1.0
    assert jaro_winkler("", "abc") == 0.0 and jaro_winkler("abc", "xyz") == 0.0


def test_normalize_employer_removes_legal_forms_and_notes():
    assert normalize_employer("南京紫金科技有限公司") == normalize_employer("南京紫金科技股份有限公司") == "南京紫金科技"
    assert normalize_employer("东南大学（九龙湖校区）") == normalize_employer("东南大学") == "东南"
    assert normalize_employer("中国南京紫金科技有限责任公司") == "南京紫金科技"


def test_weights_are_log_likelihood_ratios():
    m, u = resolution.LEVELS["birth_date"]["exact"]
    assert resolution.weight("birth_date", "exact") == pytest.approx(math.log2(m / u))
    for field_levels in resolution.LEVELS.values():
        assert sum(m for m, _u in field_levels.values()) == pytest.approx(1.0)
        assert sum(u for _m, u in field_levels.values()) == pytest.approx(1.0)


def test_decide_thresholds_at_the_boundary():
    assert decide(resolution.UPPER) == "same"
    assert decide(resolution.UPPER - 0.01) == "review"
    assert decide(resolution.LOWER) == "review"
    assert decide(resolution.LOWER - 0.01) == "new"


def test_reference_pairs_fall_on_each_side_of_the_upper_threshold(tree):
    make(tree, phone="13905140001")
    typo = match_person(incoming(phone="13905140009"))  # everything agrees but the phone
    assert typo.decision == "same" and resolution.UPPER <= typo.score < resolution.UPPER + 2
    homophone = match_person(incoming(name="黎明"))  # nothing to confirm the homophone
    assert homophone.decision == "review" and resolution.UPPER - 2 < homophone.score < resolution.UPPER


# ---- match_person -------------------------------------------------------------------------------


def test_match_person_exact_id_is_same(tree):
    person = make(tree, resident_id=rid("19800307"))
    match = match_person(incoming(name="李小明", resident_id=rid("19800307"), employer_name="别处"))
    assert match.decision == "same" and match.person == person and match.reasons == ["resident_id"]


def test_match_person_no_candidate_is_new(tree):
    make(tree)
    assert match_person(incoming(name="王芳", gender="F", birth_date=datetime.date(1975, 5, 5))).decision == "new"


def test_match_person_name_spacing_is_same(tree):
    person = make(tree, phone="13905140001")
    match = match_person(incoming(name="李 明"))
    assert match.decision == "same" and match.person == person
    assert match.details["name"]["level"] == "exact"


def test_match_person_stored_spaced_name_is_found(tree):
    person = make(tree, name="李 明", phone="13905140001")
    match = match_person(incoming())
    assert match.person == person and match.details["name"]["level"] == "exact" and match.decision == "same"


def test_match_person_homophone_same_birth_and_employer_is_review(tree):
    person = make(tree, name="李明")
    match = match_person(incoming(name="黎明"))
    assert match.decision == "review" and match.person == person
    assert match.details["name"]["level"] == "pinyin"


def test_match_person_homophone_with_same_phone_is_same(tree):
    person = make(tree, name="李明", phone="13905140001")
    match = match_person(incoming(name="黎明", phone="13905140001"))
    assert match.decision == "same" and match.person == person


def test_match_person_transposed_birth_date(tree):
    person = make(tree, birth_date=datetime.date(1980, 3, 7), phone="13905140001")
    match = match_person(incoming(birth_date=datetime.date(1980, 7, 3)))
    assert match.decision == "review" and match.person == person
    assert match.details["birth_date"]["level"] == "transposed"
    match = match_person(incoming(birth_date=datetime.date(1980, 7, 3), phone="13905140001"))
    assert match.decision == "same"


def test_match_person_employer_suffix_variants_is_same(tree):
    person = make(tree, employer_name="南京紫金科技有限公司")
    match = match_person(incoming(employer_name="南京紫金科技股份有限公司"))
    assert match.decision == "same" and match.person == person
    assert match.details["employer"]["level"] == "same"


def test_match_person_missing_id_on_one_side(tree):
    person = make(tree, resident_id=rid("19800307"), phone="13905140001")
    match = match_person(incoming(phone="13905140001"))
    assert match.decision == "same" and match.person == person and "resident_id" not in match.details
    other = make(tree, name="张伟", resident_id="", birth_date=datetime.date(1970, 2, 2), employer_name="南京大学")
    match = match_person(incoming(name="张伟", resident_id=rid("19700202"), birth_date=None, employer_name="南京大学"))
    assert match.person == other and match.decision == "same"  # the birth date comes from the ID


def test_match_person_conflicting_ids_never_same(tree):
    make(tree, resident_id=rid("19800307", "069"), phone="13905140001", email="li@example.cn")
    match = match_person(incoming(resident_id=rid("19800307", "079"), phone="13905140001", email="li@example.cn"))
    assert match.decision == "new"


def test_match_person_same_name_and_birth_other_person_is_not_same(tree):
    make(tree, phone="13905140001", employer_name="东南大学")
    match = match_person(incoming(phone="13800000000", employer_name="无锡市第一人民医院"))
    assert match.decision == "review"


def test_compare_conflicting_ids_is_minus_infinity():
    a = Profile.build(pk=1, name="李明", birth_date=None, gender="M", employer_name="", phone_hash="p", email="", id_hash="x")
    b = Profile.build(pk=2, name="李明", birth_date=None, gender="M", employer_name="", phone_hash="p", email="", id_hash="y")
    score, details = compare(a, b)
    assert score == -math.inf and details["resident_id"]["level"] == "conflict"


def test_match_person_blocking_uses_indexes(tree):
    make(tree, phone="13905140001")
    with CaptureQueriesContext(connection) as ctx:
        match_person(incoming(name="黎明", phone="13905140001"))
    people_queries = [q["sql"] for q in ctx.captured_queries if "people_person" in q["sql"]]
    assert 1 <= len(people_queries) <= 6
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for sql in people_queries:
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                plan = " ".join(str(row[-1]) for row in cursor.fetchall())
                assert "SEARCH people_person USING" in plan and "status" not in plan, plan


def test_block_key_is_stored_and_serves_the_surname_block(tree):
    assert resolution.block_key_of("li ming", datetime.date(1980, 3, 7)) == "li|1980"
    assert resolution.block_key_of("li", datetime.date(1980, 3, 7)) == ""  # no "li " prefix: in no surname block
    assert resolution.block_key_of("li ming", None) == resolution.block_key_of("", datetime.date(1980, 3, 7)) == ""
    assert len(resolution.block_key_of("x" * 60 + " y", datetime.date(1980, 1, 1))) == 40
    person = make(tree, birth_date=datetime.date(1980, 3, 7))
    assert person.block_key == "li|1980"
    services.update_person(person, actor=tree.platform, birth_date=datetime.date(1981, 5, 2))
    person.refresh_from_db()
    assert person.block_key == "li|1981"
    # Same surname and year, other given name, day, employer: found only through the key's block.
    data = incoming(name="李强", birth_date=datetime.date(1981, 11, 20), email="li@example.cn")  # else the block cannot reach LOWER
    assert [row["pk"] for row in resolution._blocks(Profile.from_data(data), "李强")] == [person.pk]
    services.anonymize_person(person, actor=tree.platform, reason="test")
    person.refresh_from_db()
    assert person.block_key == ""


# ---- resolve_all and the command -------------------------------------------------------------------


def _register(tree):
    a = make(tree, phone="13905140001")
    b = make(tree, org=tree.qh, name="李 明", employer_name="东南大学（九龙湖校区）", phone="13905140001")  # certain
    c = make(tree, org=tree.wx, name="黎明")  # homophone, no phone: uncertain
    d = make(tree, org=tree.wx, name="王芳", gender="F", birth_date=datetime.date(1990, 1, 2))  # unrelated
    return a, b, c, d


def test_resolve_all_dry_run_changes_nothing(tree):
    a, b, c, d = _register(tree)
    report = resolve_all(dry_run=True)
    assert [(x, y) for x, y, _s in report.same] == [(a.pk, b.pk)]
    assert {(x, y) for x, y, _s in report.review} == {(a.pk, c.pk), (b.pk, c.pk)}
    assert Person.objects.filter(status=PersonStatus.ACTIVE).count() == 4 and not MatchCandidate.objects.exists()


def test_resolve_all_merges_certain_and_queues_uncertain(tree):
    a, b, c, d = _register(tree)
    report = resolve_all()
    assert report.merged == 1
    b.refresh_from_db()
    assert b.status == PersonStatus.MERGED and b.merged_into_id == a.pk
    assert set(a.listings.values_list("organization__code", flat=True)) == {"XW", "QH"}
    pairs = list(MatchCandidate.objects.values_list("person_a_id", "person_b_id", "status"))
    assert pairs == [(a.pk, c.pk, CandidateStatus.OPEN)]
    again = resolve_all()
    assert again.merged == 0 and MatchCandidate.objects.count() == 1


def test_resolve_all_leaves_kept_apart_pairs(tree):
    a, b, c, d = _register(tree)
    MatchCandidate.objects.create(person_a=a, person_b=b, score=40, status=CandidateStatus.KEPT_APART)
    assert resolve_all().merged == 0


def test_resolve_people_command(tree):
    a, b, c, d = _register(tree)
    out = StringIO()
    call_command("resolve_people", "--dry-run", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["same_pairs"] == 1 and summary["review_pairs"] == 2 and summary["merged"] == 0
    assert Person.objects.filter(status=PersonStatus.MERGED).count() == 0
    out = StringIO()
    call_command("resolve_people", stdout=out)
    assert "merged 1" in out.getvalue()
    assert Person.objects.filter(status=PersonStatus.MERGED).count() == 1


def test_resolve_all_phone_and_undated_passes(tree):
    a = make(tree, phone="13905140001", birth_date=datetime.date(1980, 3, 7))
    b = make(tree, org=tree.qh, phone="13905140001", birth_date=datetime.date(1981, 3, 7))  # another year: the phone pass
    c = make(tree, org=tree.wx, name="王芳", gender="F", birth_date=datetime.date(1990, 1, 2), email="wf@example.cn")
    d = make(tree, org=tree.wx, name="王芳", gender="F", birth_date=None, email="wf@example.cn")  # no birth date: the undated pass
    report = resolve_all(dry_run=True, batch_size=1)
    assert {(x, y) for x, y, _s in report.same} == {(a.pk, b.pk), (c.pk, d.pk)}
