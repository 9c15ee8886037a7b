"""Disciplines as people write them: codes, GB/T 13745 names and their common variants."""

import pytest

from kejia.reference.selectors import discipline_names, find_discipline


@pytest.mark.parametrize(
    "text, code",
    [
        ("520", "520"),
        ("52020", "52020"),
        ("５２０", "520"),
        (" 520 ", "520"),
        ("计算机科学技术", "520"),
        ("计算机科学与技术", "520"),
        ("计算机 科学 技术", "520"),
        ("计算机科学技术　", "520"),
        ("520 计算机科学技术", "520"),
        ("520-计算机科学技术", "520"),
        ("520－计算机科学技术", "520"),
        ("520计算机科学技术", "520"),
        ("５２０　计算机科学技术", "520"),
        ("计算机科学技术(520)", "520"),
        ("计算机科学技术（520）", "520"),
        ("人工智能", "52020"),
        ("52020 人工智能", "52020"),
        ("畜牧、兽医科学", "230"),
        ("畜牧兽医科学", "230"),
        ("Computer science and technology", "520"),
        ("数学", "110"),
    ],
)
def test_find_discipline_reads_codes_names_and_variants(reference, text, code):
    assert find_discipline(text) == code


@pytest.mark.parametrize("text", ["", "999", "量子玄学", "52", "计算机", "1234567"])
def test_find_discipline_unknown_is_none(reference, text):
    assert find_discipline(text) is None


def test_find_discipline_table_is_built_once_for_many(reference, django_assert_num_queries):
    names = discipline_names()
    with django_assert_num_queries(0):
        assert [find_discipline(t, names) for t in ("520", "人工智能", "x")] == ["520", "52020", None]
