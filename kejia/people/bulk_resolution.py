"""Resolving the whole register at once (data loaded before resolution existed, or a new
threshold): `resolve_all()` and `python manage.py resolve_people [--dry-run]`.

Blocking passes, each reading indexed ranges, never comparing everyone with everyone:
1. one birth year at a time (`birth_date` range): pairs sharing the birth date (day and month
   in either order), the name pinyin, or the surname pinyin (blocks over MAX_BLOCK skipped);
2. phone hashes held by more than one record (GROUP BY on the indexed column), any birth date;
3. records without a birth date, against the name-pinyin and phone blocks.
Pairs scoring ≥ UPPER are merged (clusters into their oldest record), pairs in between are
queued for review; pairs already kept apart by staff are left alone."""

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count

from kejia.core.errors import DomainError
from kejia.people.choices import PersonStatus
from kejia.people.models import CandidateStatus, MatchCandidate, Person
from kejia.people.resolution import (
    BLOCK_COLUMNS,
    LOWER,
    MAX_BLOCK,
    Profile,
    compare,
    decide,
    json_score,
    keyed,
    surname_block_ceiling,
    surname_pinyin,
)


@dataclass
class Report:
    scanned: int = 0
    compared: int = 0
    same: list[tuple[int, int, float]] = field(default_factory=list)
    review: list[tuple[int, int, float]] = field(default_factory=list)
    merged: int = 0
    queued: int = 0
    refused: int = 0
    dry_run: bool = False

    def summary(self) -> dict:
        return {
            "scanned": self.scanned,
            "compared": self.compared,
            "same_pairs": len(self.same),
            "review_pairs": len(self.review),
            "merged": self.merged,
            "queued": self.queued,
            "refused": self.refused,
            "dry_run": self.dry_run,
        }


def _active():
    return Person.objects.filter(status=PersonStatus.ACTIVE).order_by()


def _profiles(qs) -> list[Profile]:
    """Active people of a keyed query (see resolution.keyed: status is filtered here)."""
    return [Profile.from_values(row) for row in qs.values(*BLOCK_COLUMNS) if row["status"] == PersonStatus.ACTIVE]


def _pairs_in(groups: Iterable[list[Profile]], *, cap: int | None = None) -> Iterator[tuple[Profile, Profile]]:
    for members in groups:
        if len(members) < 2 or (cap is not None and len(members) > cap):
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                yield a, b


def _year_pairs(profiles: list[Profile]) -> Iterator[tuple[Profile, Profile]]:
    by_date, by_pinyin, by_surname = defaultdict(list), defaultdict(list), defaultdict(list)
    # Pairs met only in a surname block can reach LOWER only if both sides have an e-mail (with
    # today's weights); otherwise the block would be compared for nothing.
    surname_needs_email = surname_block_ceiling(with_email=False) < LOWER
    surname_possible = surname_block_ceiling(with_email=True) >= LOWER
    for p in profiles:
        d = p.birth_date
        by_date[(min(d.month, d.day), max(d.month, d.day))].append(p)  # a date and its transposition
        if p.pinyin:
            by_pinyin[p.pinyin].append(p)
            if surname_possible and (p.email or not surname_needs_email):
                by_surname[surname_pinyin(p.pinyin)].append(p)
    yield from _pairs_in(by_date.values())
    yield from _pairs_in(by_pinyin.values())
    yield from _pairs_in(by_surname.values(), cap=MAX_BLOCK)


def candidate_pairs(*, batch_size: int = 2000) -> Iterator[tuple[Profile, Profile]]:
    """Every blocked pair, possibly more than once (the caller keeps the first)."""
    first = keyed().filter(birth_date__isnull=False).order_by("birth_date").values_list("birth_date", flat=True).first()
    last = keyed().filter(birth_date__isnull=False).order_by("-birth_date").values_list("birth_date", flat=True).first()
    for year in range(first.year, last.year + 1) if first and last else ():
        span = (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        yield from _year_pairs(_profiles(keyed().filter(birth_date__range=span)))
    # Inactive records keep their phone hash: a group may hold fewer than two active records.
    shared = keyed().exclude(phone_hash="").values("phone_hash").annotate(n=Count("pk")).filter(n__gt=1).values_list("phone_hash", flat=True)
    hashes = list(shared)
    for start in range(0, len(hashes), batch_size):
        groups = defaultdict(list)
        for p in _profiles(keyed().filter(phone_hash__in=hashes[start : start + batch_size])):
            groups[p.phone_hash].append(p)
        yield from _pairs_in(groups.values(), cap=MAX_BLOCK)
    last_pk = 0
    while True:
        rows = list(keyed().filter(birth_date__isnull=True, pk__gt=last_pk).order_by("pk").values(*BLOCK_COLUMNS)[:batch_size])
        if not rows:
            break
        last_pk = rows[-1]["pk"]
        batch = [Profile.from_values(row) for row in rows if row["status"] == PersonStatus.ACTIVE]
        pinyins = sorted({p.pinyin for p in batch if p.pinyin})
        by_pinyin = defaultdict(list)
        for other in _profiles(keyed().filter(name_pinyin__in=pinyins)):
            by_pinyin[other.pinyin].append(other)
        for p in batch:
            for other in by_pinyin.get(p.pinyin, [])[:MAX_BLOCK]:
                if other.pk != p.pk:
                    yield p, other


class Clusters:
    """Union–find over record ids; each cluster merges into its oldest record."""

    def __init__(self):
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while self.parent.get(x, x) != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for x in list(self.parent):
            out[self.find(x)].append(x)
        for root, members in out.items():
            if root not in members:
                members.append(root)
            members.sort()
        return out


def resolve_all(*, batch_size: int = 2000, dry_run: bool = False, actor=None) -> Report:
    from kejia.people import merging

    report = Report(dry_run=dry_run, scanned=_active().count())
    kept = {(a, b) for a, b in MatchCandidate.objects.filter(status=CandidateStatus.KEPT_APART).values_list("person_a_id", "person_b_id")}
    seen: set[tuple[int, int]] = set()
    clusters = Clusters()
    for a, b in candidate_pairs(batch_size=batch_size):
        key = (a.pk, b.pk) if a.pk < b.pk else (b.pk, a.pk)
        if key in seen or key in kept:
            continue
        seen.add(key)
        report.compared += 1
        score, _details = compare(a, b)
        decision = decide(score)
        if decision == "same":
            report.same.append((*key, json_score(score)))
            clusters.union(*key)
        elif decision == "review" and score != -math.inf:
            report.review.append((*key, json_score(score)))
    if dry_run:
        return report
    merged_away: dict[int, int] = {}
    for root, members in clusters.groups().items():
        survivor = Person.objects.get(pk=root)
        for pk in members:
            if pk == root:
                continue
            try:
                merging.merge_people(survivor, Person.objects.get(pk=pk), actor=actor)
            except DomainError:
                # Two resident IDs in one cluster (linked through a record without one): staff decide.
                report.refused += 1
                merging.queue_review(survivor, Person.objects.get(pk=pk))
                report.queued += 1
            else:
                report.merged += 1
                merged_away[pk] = root
    for a_pk, b_pk, _score in report.review:
        a_pk, b_pk = merged_away.get(a_pk, a_pk), merged_away.get(b_pk, b_pk)
        if a_pk == b_pk:
            continue
        a, b = Person.objects.get(pk=a_pk), Person.objects.get(pk=b_pk)
        if a.status == b.status == PersonStatus.ACTIVE and not merging.kept_apart(a_pk, b_pk):
            candidate = merging.queue_review(a, b)
            report.queued += candidate is not None
    return report
