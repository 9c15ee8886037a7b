"""Conflicts of interest between reviewers and applications, as pure functions over facts the
caller gathers (a calls app from its applications, the talent database, the organization tree).

Which rules apply is data: a `ConflictPolicy` names them (a call keeps it in its rule set, e.g.
`{"rules": ["same_employer", "co_author"], "subtree_depth": 3}`), and `find_conflicts` returns,
for every conflicted (application, reviewer) pair, each reason found — the rule and the evidence
(the employer, the organization, the relation, the shared work) — so a page can say why.

The rules:
- `is_applicant`: the reviewer is one of the applicants;
- `same_employer`: the reviewer works for an employer (unit) of an applicant;
- `applicant_organization` / `recommending_organization`: the reviewer is one of the organization's
  own people (its staff, committee members — whatever the caller counts);
- `same_subtree` (for a local call): the reviewer's organization and the applicant organization
  have the same ancestor at `subtree_depth` levels of the organization tree (depth 3 under a
  province root = the same county); a reviewer from outside the subtree is not conflicted;
- `declared_relation`: a relation declared between the reviewer and an applicant (supervisor,
  student, relative, …), in either direction of the pair;
- `co_author`: the reviewer and an applicant share a work (an achievement with the same
  normalised title and year, see `work_key`), optionally only works since `coauthor_since_year`;
- `self_declared`: the reviewer declared a conflict with the application.

Every rule is computed through an index keyed by the shared fact, so the cost grows with the
number of facts and of conflicts found, not with applications × reviewers.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kejia.core.errors import DomainError
from kejia.organizations.models import PATH_SEGMENT

Pair = tuple[Hashable, Hashable]


class ConflictRule(models.TextChoices):
    IS_APPLICANT = "is_applicant", gettext_lazy("The reviewer is an applicant")
    SAME_EMPLOYER = "same_employer", gettext_lazy("Same employer as an applicant")
    APPLICANT_ORGANIZATION = "applicant_organization", gettext_lazy("One of the applicant organization's own people")
    RECOMMENDING_ORGANIZATION = "recommending_organization", gettext_lazy("One of the recommending organization's own people")
    SAME_SUBTREE = "same_subtree", gettext_lazy("From the same area as the applicant (local call)")
    DECLARED_RELATION = "declared_relation", gettext_lazy("Declared relation with an applicant")
    CO_AUTHOR = "co_author", gettext_lazy("Co-author of an applicant")
    SELF_DECLARED = "self_declared", gettext_lazy("Declared by the reviewer")


def normalise_name(text: str) -> str:
    """Compare names of employers and works alike: NFKC (full-width → half-width), case folded,
    spaces and punctuation dropped."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return re.sub(r"[\W_]+", "", text)


def work_key(title: str, year: int | None) -> tuple[str, int | None]:
    """What two people's achievements must share to count as one work (co-authorship)."""
    return normalise_name(title), year


@dataclass(frozen=True)
class ReviewerFacts:
    id: Hashable
    person: Hashable | None = None
    employers: frozenset[str] = frozenset()  # normalise_name() of employers, or unit ids as strings
    organizations: frozenset[Hashable] = frozenset()  # organizations whose own people the reviewer is
    organization_paths: frozenset[str] = frozenset()  # materialized paths of the reviewer's home organizations
    works: frozenset[tuple[str, int | None]] = frozenset()  # work_key() of the reviewer's achievements


@dataclass(frozen=True)
class ApplicationFacts:
    id: Hashable
    applicant_people: frozenset[Hashable] = frozenset()
    applicant_employers: frozenset[str] = frozenset()
    applicant_organization: Hashable | None = None
    recommending_organization: Hashable | None = None
    organization_path: str = ""  # the applicant organization's materialized path
    works: frozenset[tuple[str, int | None]] = frozenset()  # work_key() of the applicants' achievements


@dataclass(frozen=True)
class DeclaredRelation:
    """A relation between two people that bars one from reviewing the other (either way round)."""

    person: Hashable
    other: Hashable
    kind: str = ""


@dataclass(frozen=True)
class Conflict:
    rule: ConflictRule
    evidence: str = ""

    @property
    def label(self) -> str:
        return str(self.rule.label)


ALL_RULES = frozenset(ConflictRule)
DEFAULT_RULES = ALL_RULES - {ConflictRule.SAME_SUBTREE}


@dataclass(frozen=True)
class ConflictPolicy:
    rules: frozenset[ConflictRule] = DEFAULT_RULES
    subtree_depth: int = 0  # for same_subtree: levels of the organization tree in common
    coauthor_since_year: int | None = None  # for co_author: older works do not count

    def __post_init__(self):
        if ConflictRule.SAME_SUBTREE in self.rules and self.subtree_depth < 1:
            raise DomainError("invalid_subtree_depth", _("The same-area rule needs a depth of at least 1."), field="subtree_depth")


def policy_from_data(data: Mapping) -> ConflictPolicy:
    """A policy from stored data: {"rules": [codes], "subtree_depth": int, "coauthor_since_year": int}."""
    if not isinstance(data, Mapping):
        raise DomainError("invalid_policy", _("The conflict rules must be an object."), field="rules")
    unknown_keys = set(data) - {"rules", "subtree_depth", "coauthor_since_year"}
    if unknown_keys:
        raise DomainError(
            "invalid_policy", _("Unknown settings: %(keys)s.") % {"keys": ", ".join(sorted(map(str, unknown_keys)))}, field=sorted(map(str, unknown_keys))[0]
        )
    codes = data.get("rules", [rule.value for rule in DEFAULT_RULES])
    if not isinstance(codes, list | tuple):
        raise DomainError("invalid_policy", _("The rules must be a list."), field="rules")
    unknown = [code for code in codes if code not in ConflictRule.values]
    if unknown:
        raise DomainError("unknown_rule", _("Unknown conflict rules: %(codes)s.") % {"codes": ", ".join(map(str, unknown))}, field="rules")
    depth = data.get("subtree_depth", 0)
    if not isinstance(depth, int) or isinstance(depth, bool) or depth < 0:
        raise DomainError("invalid_subtree_depth", _("The depth must be a whole number, 0 or more."), field="subtree_depth")
    since = data.get("coauthor_since_year")
    if since is not None and (not isinstance(since, int) or isinstance(since, bool)):
        raise DomainError("invalid_year", _("The year must be a whole number."), field="coauthor_since_year")
    return ConflictPolicy(rules=frozenset(ConflictRule(code) for code in codes), subtree_depth=depth, coauthor_since_year=since)


def _subtree(path: str, depth: int) -> str | None:
    """The ancestor path at `depth` levels; None when the organization is higher than that."""
    return path[: depth * PATH_SEGMENT] if len(path) >= depth * PATH_SEGMENT else None


def find_conflicts(
    applications: Iterable[ApplicationFacts],
    reviewers: Iterable[ReviewerFacts],
    policy: ConflictPolicy,
    *,
    relations: Iterable[DeclaredRelation] = (),
    self_declared: Iterable[Pair] = (),
) -> dict[Pair, tuple[Conflict, ...]]:
    """Every conflicted (application id, reviewer id) pair with its reasons, in rule order."""
    applications, reviewers = list(applications), list(reviewers)
    rules = policy.rules
    found: dict[Pair, dict[Conflict, None]] = defaultdict(dict)  # a dict keeps the order and drops repeats

    def index(keys_of) -> dict:
        idx: dict = defaultdict(set)
        for app in applications:
            for key in keys_of(app):
                if key is not None and key != "":
                    idx[key].add(app.id)
        return idx

    def match(rule: ConflictRule, idx: Mapping, keys_of, evidence=str) -> None:
        for rev in reviewers:
            for key in keys_of(rev):
                for app_id in idx.get(key, ()):
                    found[(app_id, rev.id)][Conflict(rule, evidence(key))] = None

    if ConflictRule.IS_APPLICANT in rules:
        match(ConflictRule.IS_APPLICANT, index(lambda a: a.applicant_people), lambda r: [r.person])
    if ConflictRule.SAME_EMPLOYER in rules:
        match(ConflictRule.SAME_EMPLOYER, index(lambda a: a.applicant_employers), lambda r: r.employers)
    if ConflictRule.APPLICANT_ORGANIZATION in rules:
        match(ConflictRule.APPLICANT_ORGANIZATION, index(lambda a: [a.applicant_organization]), lambda r: r.organizations)
    if ConflictRule.RECOMMENDING_ORGANIZATION in rules:
        match(ConflictRule.RECOMMENDING_ORGANIZATION, index(lambda a: [a.recommending_organization]), lambda r: r.organizations)
    if ConflictRule.SAME_SUBTREE in rules:
        depth = policy.subtree_depth
        match(
            ConflictRule.SAME_SUBTREE,
            index(lambda a: [_subtree(a.organization_path, depth)]),
            lambda r: {_subtree(path, depth) for path in r.organization_paths} - {None},
        )
    if ConflictRule.DECLARED_RELATION in rules:
        related: dict = defaultdict(set)
        for rel in relations:
            related[rel.person].add((rel.other, rel.kind))
            related[rel.other].add((rel.person, rel.kind))
        by_person = index(lambda a: a.applicant_people)
        for rev in reviewers:
            for other, kind in sorted(related.get(rev.person, ()), key=str) if rev.person is not None else ():
                for app_id in by_person.get(other, ()):
                    found[(app_id, rev.id)][Conflict(ConflictRule.DECLARED_RELATION, kind)] = None
    if ConflictRule.CO_AUTHOR in rules:
        since = policy.coauthor_since_year

        def recent(works):
            return [w for w in works if since is None or (w[1] is not None and w[1] >= since)]

        match(ConflictRule.CO_AUTHOR, index(lambda a: recent(a.works)), lambda r: recent(r.works), evidence=lambda w: w[0])
    if ConflictRule.SELF_DECLARED in rules:
        app_ids, rev_ids = {a.id for a in applications}, {r.id for r in reviewers}
        for app_id, rev_id in self_declared:
            if app_id in app_ids and rev_id in rev_ids:
                found[(app_id, rev_id)][Conflict(ConflictRule.SELF_DECLARED)] = None
    order = {rule: i for i, rule in enumerate(ConflictRule)}
    return {pair: tuple(sorted(reasons, key=lambda c: order[c.rule])) for pair, reasons in found.items()}
