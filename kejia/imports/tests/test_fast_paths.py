"""The import's fast paths give the same results as the general ones they replace: the in-memory
candidate blocks (kejia.imports.matching.Candidates), the planned cell converters, the instance
factory and the character-by-character pinyin."""

import datetime
import gc
import random
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypinyin import lazy_pinyin

from kejia.core.bulk import instance_factory
from kejia.imports import people as people_import
from kejia.imports import tasks as import_tasks
from kejia.imports.columns import CellError, convert, converter_for
from kejia.imports.matching import Candidates, match_rows
from kejia.imports.tests.sheets import person_id, row, xlsx
from kejia.imports.tests.test_services import run
from kejia.people import resolution
from kejia.people import services as people_services
from kejia.people.models import Listing, MatchCandidate, Person


def _decisions(matches):
    return [(m.decision, m.person and m.person.pk, round(m.score, 6)) for m in matches]


def test_match_rows_with_one_index_across_chunks_agrees_with_match_person(tree):
    people_services.create_person(
        actor=tree.county_staff, organization=tree.xw, name="李明", resident_id=person_id(7), employer_name="东南大学", phone="13905140001"
    )
    people_services.create_person(
        actor=tree.county_staff,
        organization=tree.xw,
        name="王芳",
        birth_date=datetime.date(1975, 3, 12),
        gender="F",
        employer_name="南京大学",
        email="wf@example.cn",
    )
    index = Candidates()
    # Chunk 1: rows with resident IDs only — the ID-bearing records of their blocks are not kept.
    first = [
        {"name": "李明", "resident_id": person_id(8), "birth_date": datetime.date(1980, 1, 1), "gender": "M", "phone": "13905140001"},
        {
            "name": "王芳",
            "resident_id": person_id(9, birth="19750312", male=False),
            "birth_date": datetime.date(1975, 3, 12),
            "gender": "F",
            "employer_name": "南京大学",
            "email": "wf@example.cn",
        },
        {"name": "赵六", "resident_id": person_id(7), "birth_date": datetime.date(1980, 1, 1), "gender": "M"},
    ]
    # Chunk 2: rows without — now the ID-bearing records are read as well.
    second = [
        {"name": "李明", "birth_date": datetime.date(1980, 1, 1), "gender": "M", "employer_name": "东南大学", "phone": "13905140001"},
        {"name": "黎明", "birth_date": datetime.date(1980, 1, 1), "gender": "M", "employer_name": "东南大学"},
        {"name": "王芳", "birth_date": datetime.date(1975, 12, 3), "gender": "F", "email": "wf@example.cn"},
    ]
    for rows in (first, second):
        expected = [resolution.match_person(data) for data in rows]
        assert _decisions(match_rows(rows, index=index)) == _decisions(expected)
    assert {m.decision for m in [resolution.match_person(d) for d in first + second]} >= {"same", "new"}


def test_candidates_skip_the_database_when_it_was_empty(tree):
    index = Candidates()
    rows = [{"name": "李明", "birth_date": datetime.date(1980, 1, 1), "gender": "M", "phone": "13905140001"}]
    with CaptureQueriesContext(connection) as queries:
        assert match_rows(rows, index=index)[0].decision == "new"
    assert not index.database and index.queries == 0 and not queries.captured_queries


def test_import_matches_a_row_to_a_person_written_by_an_earlier_chunk(tree):
    size = people_import.CHUNK + 5
    rows = [row(n, 身份证号=person_id(n, birth=f"19{60 + n // 500:02d}0101"), 出生日期=None) for n in range(size)]
    twin = dict(rows[0], 身份证号="")  # the first person again, without the ID, in the second chunk
    twin["出生日期"] = "1960-01-01"
    batch = run(tree, xlsx([*rows, twin]), mode="good")
    assert batch.committed and batch.bad == 0
    assert (batch.created_count, batch.listed_count) == (size, size)
    assert Person.objects.filter(name=rows[0]["姓名"]).count() == 1


def test_import_fill_refiles_the_person_for_later_chunks(tree):
    """A person found in chunk 1 gets their birth date filled; in chunk 2 only that date can find
    them (a similar name, no phone or e-mail): the in-memory blocks follow the fill."""
    existing = people_services.create_person(actor=tree.nj_staff, organization=tree.nj, name="钱七", employer_name="东南大学", phone="13700000077")
    filler = [row(n, 身份证号=person_id(n, birth=f"19{60 + n // 500:02d}0101"), 出生日期=None) for n in range(people_import.CHUNK - 1)]
    first = row(5000, 姓名="钱七", 身份证号="", 出生日期="1970-07-07", 手机号="13700000077", 邮箱="")
    again = row(5001, 姓名="钱曲", 身份证号="", 出生日期="1970-07-07", 手机号="", 邮箱="")
    batch = run(tree, xlsx([*filler, first, again]), mode="good")
    assert batch.committed and batch.bad == 0, batch.message
    existing.refresh_from_db()
    assert existing.birth_date == datetime.date(1970, 7, 7) and existing.gender == "M"
    assert (batch.updated_count, batch.review_count) == (1, 1)
    assert MatchCandidate.objects.filter(person_a=existing).count() + MatchCandidate.objects.filter(person_b=existing).count() == 1


@pytest.mark.parametrize(
    "field",
    [
        "name",
        "resident_id",
        "phone",
        "birth_date",
        "gender",
        "title_level",
        "education",
        "sector",
        "is_frontline",
        "overseas_status",
        "three_chiefs",
        "disciplines",
        "expertise",
        "email",
    ],
)
def test_converter_for_agrees_with_convert(field):
    values = [
        None,
        "",
        "  ",
        "李明",
        " 李 明 ",
        "３２０１０２",
        "男",
        "女",
        "正高",
        "本科",
        "高校",
        "是",
        "否",
        "无",
        "bogus",
        "#REF!",
        " #N/A ",
        "1980-01-01",
        "1980-02-30",
        "0000-01-01",
        "1980/1/1",
        "1980年1月1日",
        "19800101",
        "29221",
        29221,
        29221.0,
        1.5,
        "3.20102E+17",
        320102198001010000,
        True,
        datetime.date(1980, 1, 1),
        datetime.datetime(1980, 1, 1, 8, 0),
        "520；110",
        "p1@example.cn",
        "１３９０５１４０００１",
        "1980-01-01 ",
    ]
    planned = converter_for(field)
    for _round in range(2):  # the second time from the label memo
        for value in values:
            try:
                expected = convert(field, value)
            except CellError as exc:
                with pytest.raises(CellError) as caught:
                    planned(value)
                assert str(caught.value.message) == str(exc.message)
            else:
                assert planned(value) == expected, (field, value)


def test_instance_factory_builds_what_the_constructor_builds(tree):
    for model, values in ((Person, {"name": "李明", "gender": "M"}), (Listing, {"person_id": 5, "organization_id": tree.xw.pk})):
        made, built = instance_factory(model)(**values), model(**values)
        assert {k: v for k, v in made.__dict__.items() if k != "_state"} == {k: v for k, v in built.__dict__.items() if k != "_state"}
        assert made._state.adding and made._state.db is None and made.pk is None
    first, second = instance_factory(Person)(), instance_factory(Person)()
    assert first.programmes == [] and first.programmes is not second.programmes  # a callable default, called per instance


def test_name_pinyin_character_path_agrees_with_lazy_pinyin():
    rnd = random.Random(7)
    common = [chr(c) for c in range(0x4E00, 0x9FA6)]
    names = ["".join(rnd.choice(common) for _ in range(rnd.choice((2, 3, 4)))) for _ in range(3000)]
    names += ["李明", "欧阳娜娜", "单雄信", "曾国藩", "长孙无忌", "尉迟恭", "重庆", "解缙", "〇一", "John Smith", "李 明", "王·伟", "张三a"]
    for name in names:
        assert resolution.name_pinyin(name) == " ".join(lazy_pinyin(resolution.normalize_name(name))).lower(), name


def test_cycles_uncollected_restores_the_collector_after_an_error():
    assert gc.isenabled()
    with pytest.raises(ValueError), import_tasks.cycles_uncollected():
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled()


def test_cycles_uncollected_overlapping_batches_share_one_pause():
    """Two batches in two threads, the first ending while the second runs: the collector stays
    paused until the second ends, then runs again."""
    first_in, first_out, second_in = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with import_tasks.cycles_uncollected():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with import_tasks.cycles_uncollected():
            second_in.set()
            first_out.wait(5)
            seen["after_first"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"after_first": False}
    assert gc.isenabled()
