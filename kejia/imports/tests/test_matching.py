"""The chunk matcher decides every row exactly as kejia.people.resolution.match_person does."""

import datetime

from kejia.imports.matching import match_rows
from kejia.imports.tests.sheets import person_id
from kejia.people import resolution
from kejia.people import services as people_services


def test_match_rows_agrees_with_match_person(tree):
    def add(name, **kw):
        return people_services.create_person(actor=tree.county_staff, organization=tree.xw, name=name, **kw)

    add("李明", birth_date=datetime.date(1980, 1, 1), gender="M", employer_name="东南大学", phone="13905140001")
    add("王芳", resident_id=person_id(3, birth="19750312", male=False), employer_name="南京大学")
    add("黎明", birth_date=datetime.date(1980, 2, 1), gender="M", employer_name="东南大学")
    add("张伟", birth_date=datetime.date(1990, 5, 6), gender="M", phone="13905140009")
    rows = [
        {"name": "李明", "birth_date": datetime.date(1980, 1, 1), "gender": "M", "employer_name": "东南大学", "phone": "13905140001"},
        {"name": "李 明", "birth_date": datetime.date(1980, 1, 1), "gender": "M", "employer_name": "东南大学（九龙湖校区）"},
        {"name": "李明", "birth_date": datetime.date(1980, 1, 1), "gender": "M", "employer_name": "河海大学"},
        {"name": "黎明", "birth_date": datetime.date(1980, 1, 2), "gender": "M", "employer_name": "东南大学"},
        {"name": "王芳", "resident_id": person_id(3, birth="19750312", male=False), "birth_date": datetime.date(1975, 3, 12)},
        {"name": "王芳", "birth_date": datetime.date(1975, 12, 3), "gender": "F", "employer_name": "南京大学"},
        {"name": "张薇", "birth_date": datetime.date(1990, 5, 6), "gender": "F", "phone": "13905140009"},
        {"name": "赵六", "birth_date": datetime.date(2001, 1, 1), "gender": "M"},
        {"name": "", "birth_date": datetime.date(1980, 1, 1)},
    ]
    expected = [resolution.match_person(data) for data in rows]
    got = match_rows(rows)
    spelled = match_rows(rows, pinyins=[people_services.pinyin_of(r["name"]) for r in rows])
    assert [(m.decision, m.person and m.person.pk) for m in spelled] == [(m.decision, m.person and m.person.pk) for m in got]
    assert [(m.decision, m.person and m.person.pk) for m in got] == [(m.decision, m.person and m.person.pk) for m in expected]
    assert [round(m.score, 6) for m in got] == [round(m.score, 6) for m in expected]
    assert {m.decision for m in expected} >= {"same", "new"}


def test_records_with_an_id_are_put_in_blocks_only_when_a_row_without_one_asks():
    from kejia.imports.matching import Candidates

    index = Candidates(database=False)
    born = datetime.date(1980, 1, 1)

    def profile(pk, name, id_hash=""):
        return resolution.Profile.build(
            pk=pk,
            name=name,
            birth_date=born,
            gender="M",
            employer_name="东南大学",
            phone_hash="",
            email="",
            id_hash=id_hash,
            pinyin=people_services.pinyin_of(name),
        )

    with_id = [profile(1, "李明", "h1"), profile(2, "李明", "h2"), profile(3, "李敏", "h3")]
    for p in with_id:
        index.file(p, people_services.pinyin_of(p.name), "")
    ceiling = (True, True)
    assert index.blocks(profile(None, "李明", "h9"), {"li ming"}, ceiling) == []  # an ID-bearing row reads only records without one
    assert not index.with_id.date  # … so the ID-bearing records are not in blocks yet
    index.unfile(2)  # taken out before it was ever placed
    blocks = index.blocks(profile(None, "李明"), {"li ming"}, ceiling)
    assert blocks[0] == [1, 3] and blocks[1] == [1]  # same birth date; same name, in filing order, without the unfiled one
    assert index.by_id == {"h1": 1, "h3": 3}
    index.unfile(3)
    assert index.blocks(profile(None, "李明"), {"li ming"}, ceiling)[0] == [1]
