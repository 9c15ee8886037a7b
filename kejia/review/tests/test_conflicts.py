import pytest

from kejia.core.errors import DomainError
from kejia.organizations.models import encode_segment
from kejia.review.assignment import AssignmentProblem, assign_reviewers
from kejia.review.conflicts import (
    ALL_RULES,
    ApplicationFacts,
    ConflictPolicy,
    ConflictRule,
    DeclaredRelation,
    ReviewerFacts,
    find_conflicts,
    normalise_name,
    policy_from_data,
    work_key,
)


def path(*ids: int) -> str:
    return "".join(encode_segment(i) for i in ids)


JS, NJ, XW, GL, SZ = 1, 2, 3, 4, 5  # province, city, two counties of the city, another city
APPS = [
    ApplicationFacts(
        id="p1",
        applicant_people=frozenset({100}),
        applicant_employers=frozenset({normalise_name("南京大学")}),
        applicant_organization=XW,
        recommending_organization=NJ,
        organization_path=path(JS, NJ, XW),
        works=frozenset({work_key("光学成像新方法", 2023)}),
    ),
    ApplicationFacts(
        id="p2",
        applicant_people=frozenset({200}),
        applicant_employers=frozenset({normalise_name("苏州大学")}),
        applicant_organization=SZ,
        organization_path=path(JS, SZ),
    ),
]


def reviewer(rid, **facts) -> ReviewerFacts:
    return ReviewerFacts(id=rid, person=facts.pop("person", 1000 + rid), **facts)


def reasons(found, pair):
    return [c.rule for c in found.get(pair, ())]


def test_find_conflicts_gives_each_rule_its_reason():
    reviewers = [
        reviewer(1, person=100),  # the applicant
        reviewer(2, employers=frozenset({normalise_name(" 南京大学 ")})),
        reviewer(3, organizations=frozenset({XW})),
        reviewer(4, organizations=frozenset({NJ})),
        reviewer(5, organization_paths=frozenset({path(JS, NJ, GL)})),  # same city, other county
        reviewer(6, person=600),
        reviewer(7, works=frozenset({work_key("光学成像 新方法", 2023)})),
        reviewer(8),
        reviewer(9, employers=frozenset({normalise_name("东南大学")}), works=frozenset({work_key("光学成像新方法", 2019)})),
    ]
    policy = ConflictPolicy(rules=ALL_RULES, subtree_depth=2)
    found = find_conflicts(APPS, reviewers, policy, relations=[DeclaredRelation(200, 600, "supervisor")], self_declared=[("p2", 8)])
    assert reasons(found, ("p1", 1)) == [ConflictRule.IS_APPLICANT]
    assert reasons(found, ("p1", 2)) == [ConflictRule.SAME_EMPLOYER]
    assert reasons(found, ("p1", 3)) == [ConflictRule.APPLICANT_ORGANIZATION]
    assert reasons(found, ("p1", 4)) == [ConflictRule.RECOMMENDING_ORGANIZATION]
    assert reasons(found, ("p1", 5)) == [ConflictRule.SAME_SUBTREE]
    assert reasons(found, ("p2", 6)) == [ConflictRule.DECLARED_RELATION]
    assert found[("p2", 6)][0].evidence == "supervisor"
    assert reasons(found, ("p1", 7)) == [ConflictRule.CO_AUTHOR]
    assert reasons(found, ("p2", 8)) == [ConflictRule.SELF_DECLARED]
    assert ("p1", 9) not in found and ("p2", 9) not in found  # another year, another employer
    assert not any(pair[1] == 5 for pair in found if pair[0] == "p2")  # Suzhou is outside Nanjing


def test_find_conflicts_applies_only_the_rules_of_the_policy():
    reviewers = [reviewer(2, employers=frozenset({normalise_name("南京大学")}), organizations=frozenset({XW}))]
    both = find_conflicts(APPS, reviewers, ConflictPolicy())
    assert reasons(both, ("p1", 2)) == [ConflictRule.SAME_EMPLOYER, ConflictRule.APPLICANT_ORGANIZATION]
    only = find_conflicts(APPS, reviewers, policy_from_data({"rules": ["applicant_organization"]}))
    assert reasons(only, ("p1", 2)) == [ConflictRule.APPLICANT_ORGANIZATION]
    assert find_conflicts(APPS, reviewers, policy_from_data({"rules": []})) == {}


def test_find_conflicts_same_subtree_depth_decides_the_area():
    reviewers = [reviewer(5, organization_paths=frozenset({path(JS, NJ, GL)}))]
    city = find_conflicts(APPS, reviewers, ConflictPolicy(rules=frozenset({ConflictRule.SAME_SUBTREE}), subtree_depth=2))
    county = find_conflicts(APPS, reviewers, ConflictPolicy(rules=frozenset({ConflictRule.SAME_SUBTREE}), subtree_depth=3))
    assert ("p1", 5) in city and ("p1", 5) not in county


def test_find_conflicts_coauthor_since_year():
    reviewers = [reviewer(7, works=frozenset({work_key("光学成像新方法", 2023)}))]
    recent = find_conflicts(APPS, reviewers, policy_from_data({"rules": ["co_author"], "coauthor_since_year": 2024}))
    assert recent == {}
    assert ("p1", 7) in find_conflicts(APPS, reviewers, policy_from_data({"rules": ["co_author"], "coauthor_since_year": 2020}))


def test_conflicted_pairs_are_never_assigned():
    reviewers = [reviewer(i, employers=frozenset({normalise_name("南京大学")}) if i % 2 else frozenset()) for i in range(1, 7)]
    found = find_conflicts(APPS, reviewers, ConflictPolicy())
    candidates = {(a.id, r.id): 1.0 for a in APPS for r in reviewers}
    result = assign_reviewers(
        AssignmentProblem(
            applications=["p1", "p2"], reviewers=[r.id for r in reviewers], candidates=candidates, per_application=3, max_load=1, conflicts=frozenset(found)
        )
    )
    assert set(result.reviewers_of["p1"]) == {2, 4, 6}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"rules": ["same_employer", "nepotism"]}, "rules"),
        ({"rules": "same_employer"}, "rules"),
        ({"rules": ["same_subtree"]}, "subtree_depth"),
        ({"subtree_depth": -1}, "subtree_depth"),
        ({"coauthor_since_year": "2020"}, "coauthor_since_year"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_policy_from_data_refuses_bad_data_with_the_field(data, field):
    with pytest.raises(DomainError) as caught:
        policy_from_data(data)
    assert caught.value.field == field


def test_rule_labels_are_translated():
    from django.utils import translation

    for rule in ConflictRule:
        with translation.override("en"):
            english = str(rule.label)
        with translation.override("zh-hans"):
            assert str(rule.label) != english
