"""Identity resolution: one person appears once however many organizations list them.

Interface used by the importer and the services (keep it stable):
    match_person(data) -> Match
where `data` is a cleaned profile dict (services.clean_profile output: name, resident_id,
phone, birth_date, gender, employer_name, ...). Match.decision is
    "same"   — certain: attach to Match.person,
    "review" — uncertain: create a new record and queue the pair for staff review
               (kejia.people.merging.queue_review),
    "new"    — no candidate.

The method is classic record linkage (Fellegi–Sunter):
1. An equal resident-ID hash decides at once; two different ones are never the same person.
2. Blocking: only records sharing a key are compared — same birth date (or day and month
   swapped), same name pinyin, same phone hash, same birth year and surname pinyin. Each key
   is one indexed query (see `_blocks`), never a scan of the table.
3. Field comparisons put each field of a pair on an agreement level (`compare`).
4. The score is the sum of the levels' weights log2(m/u), m and u being the probabilities of
   that level among true and false pairs (`LEVELS`, the only place they live).
5. Two thresholds: score ≥ UPPER → "same", LOWER ≤ score < UPPER → "review", else "new".
The m/u values and the thresholds are explained in docs/identity.md and checked by
bench/identity.py."""

import datetime
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import Q
from pypinyin import lazy_pinyin

from kejia.core import pii
from kejia.people.choices import Gender, PersonStatus
from kejia.people.models import Person
from kejia.people.names import BLOCK_KEY_LENGTH, block_key_of, name_pinyin, normalize_name, surname_pinyin  # noqa: F401 (the interface)

# ---- The model: agreement levels, their m/u probabilities, the thresholds ----------------------
# m = P(level | same person), u = P(level | different people drawn at random from the register).
# u values follow from the distributions: one birth date among ~40 years of birth dates (1/14 600),
# a given name shared by ~1 in 2 000 people in a provincial register, a phone or e-mail shared by
# different people almost never. m values allow for the errors seen in organizations' spreadsheets
# (homophone characters, swapped day and month, old phone numbers, changed employers).
LEVELS: dict[str, dict[str, tuple[float, float]]] = {
    "name": {
        "exact": (0.90, 0.0005),  # same characters once spaces and dots are removed
        "pinyin": (0.04, 0.0003),  # same sound, other characters (李明 / 黎明)
        "similar": (0.03, 0.002),  # Jaro–Winkler on pinyin ≥ 0.92 (one syllable typed wrong)
        "close": (0.01, 0.01),  # Jaro–Winkler ≥ 0.85
        "different": (0.02, 0.9872),
    },
    "birth_date": {
        "exact": (0.93, 0.00007),
        "transposed": (0.02, 0.00007),  # day and month swapped (01-12 / 12-01)
        "year": (0.03, 0.025),
        "different": (0.02, 0.97486),
    },
    "gender": {
        "agree": (0.98, 0.5),
        "different": (0.02, 0.5),
    },
    "employer": {
        "same": (0.60, 0.01),  # character-bigram Jaccard ≥ 0.8 after removing legal forms
        "similar": (0.15, 0.03),  # Jaccard ≥ 0.5
        "different": (0.25, 0.96),  # people change jobs
    },
    "phone": {
        "agree": (0.70, 0.000001),
        "different": (0.30, 0.999999),  # a typo or a new number
    },
    "email": {
        "agree": (0.60, 0.000001),
        "different": (0.40, 0.999999),
    },
}
# UPPER sits between two reference pairs (see docs/identity.md): same name, birth date, gender and
# employer with a mistyped phone (29.6) is merged; the same with a homophone name and no phone
# or e-mail to confirm (李明 / 黎明: 27.6) is left to a person.
UPPER = 28.5  # ≥: the same person — merged or attached without asking
LOWER = 14.0  # ≥ (and < UPPER): staff decide in the review queue
MAX_BLOCK = 200  # a block larger than this (a very common surname in one year) is not compared pairwise

NAME_SIMILAR, NAME_CLOSE = 0.92, 0.85
EMPLOYER_SAME, EMPLOYER_SIMILAR = 0.8, 0.5


def weight(field_name: str, level: str) -> float:
    m, u = LEVELS[field_name][level]
    return math.log2(m / u)


WEIGHTS = {name: {level: round(weight(name, level), 2) for level in levels} for name, levels in LEVELS.items()}


def surname_block_ceiling(*, with_email: bool) -> float:
    """The best score a pair found only through the birth-year + surname block can reach: its
    birth dates differ (else the date block), its pinyin differs (else the pinyin block), its
    phones differ (else the phone block). Below LOWER the block cannot change a decision, so it
    is not queried (see `_blocks`, bulk_resolution._year_pairs)."""
    best = WEIGHTS["name"]["similar"] + WEIGHTS["birth_date"]["year"] + WEIGHTS["gender"]["agree"] + WEIGHTS["employer"]["same"]
    return best + (WEIGHTS["email"]["agree"] if with_email else 0.0)


# ---- Normalization ---------------------------------------------------------------------------

_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团公司", "集团", "公司")
_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_PLACE_PREFIX = re.compile(r"^(中国|中华人民共和国)")


def normalize_employer(name: str) -> str:
    """Drop what varies between spreadsheets: width, spaces, bracketed notes (campus, old
    name), the legal form (有限公司 / 股份有限公司 …) and the generic 大学 ending, so that
    what remains is the distinctive part of the name."""
    text = unicodedata.normalize("NFKC", name or "")
    text = _BRACKETS.sub("", re.sub(r"\s+", "", text))
    text = _PLACE_PREFIX.sub("", text)
    for suffix in _LEGAL_FORMS:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)]
            break
    if text.endswith("大学") and len(text) > 3:
        text = text[:-2]
    return text.lower()


@lru_cache(maxsize=8192)
def employer_key(name: str) -> tuple[str, frozenset[str]]:
    """normalize_employer and its bigrams, cached: the people of one spreadsheet mostly share a
    handful of employers."""
    employer = normalize_employer(name)
    return employer, frozenset(bigrams(employer))


def bigrams(text: str) -> set[str]:
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def jaro_winkler(s1: str, s2: str, *, prefix_scale: float = 0.1) -> float:
    """Jaro–Winkler similarity in [0, 1] (Winkler 1990): matching characters within half the
    longer length, transpositions halved, a bonus for a common prefix of up to four."""
    if s1 == s2:
        return 1.0 if s1 else 0.0
    n1, n2 = len(s1), len(s2)
    if not n1 or not n2:
        return 0.0
    window = max(max(n1, n2) // 2 - 1, 0)
    used1, used2 = [False] * n1, [False] * n2
    matches = 0
    for i, c in enumerate(s1):
        for j in range(max(0, i - window), min(n2, i + window + 1)):
            if not used2[j] and s2[j] == c:
                used1[i] = used2[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    transpositions, j = 0, 0
    for i in range(n1):
        if used1[i]:
            while not used2[j]:
                j += 1
            if s1[i] != s2[j]:
                transpositions += 1
            j += 1
    m = float(matches)
    jaro = (m / n1 + m / n2 + (m - transpositions / 2) / m) / 3
    prefix = 0
    for a, b in zip(s1[:4], s2[:4], strict=False):
        if a != b:
            break
        prefix += 1
    return jaro + prefix * prefix_scale * (1 - jaro)


# ---- Profiles and comparison -------------------------------------------------------------------


@dataclass(slots=True)
class Profile:
    """The fields resolution compares, from a stored Person or from incoming data."""

    pk: int | None
    name: str
    pinyin: str
    birth_date: datetime.date | None
    gender: str
    employer: str
    phone_hash: str
    email: str
    id_hash: str
    employer_grams: set[str] | frozenset[str] = field(default_factory=frozenset)  # shared between profiles: never changed

    @classmethod
    def build(cls, *, pk, name, birth_date, gender, employer_name, phone_hash, email, id_hash, pinyin: str = "") -> "Profile":
        employer, grams = employer_key(employer_name or "")
        return cls(
            pk=pk,
            name=normalize_name(name),
            pinyin=pinyin or name_pinyin(name),
            birth_date=birth_date,
            gender=gender if gender in (Gender.MALE, Gender.FEMALE) else "",
            employer=employer,
            phone_hash=phone_hash or "",
            email=(email or "").strip().lower(),
            id_hash=id_hash or "",
            employer_grams=grams,
        )

    @classmethod
    def from_person(cls, person: Person, *, stored: bool = False) -> "Profile":
        """With `stored`, the pinyin is read from the record (`name_pinyin`, written with the
        name) instead of being worked out again from the name."""
        return cls.build(
            pk=person.pk,
            name=person.name,
            birth_date=person.birth_date,
            gender=person.gender,
            employer_name=person.employer_name,
            phone_hash=person.phone_hash,
            email=person.email,
            id_hash=person.id_hash,
            pinyin=stored_pinyin(person.name_pinyin) if stored else "",
        )

    @classmethod
    def from_values(cls, row: dict[str, Any]) -> "Profile":
        return cls.build(
            pk=row["pk"],
            name=row["name"],
            birth_date=row["birth_date"],
            gender=row["gender"],
            employer_name=row["employer_name"],
            phone_hash=row["phone_hash"],
            email=row["email"],
            id_hash=row["id_hash"],
            pinyin=stored_pinyin(row["name_pinyin"]),
        )

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "Profile":
        birth = data.get("birth_date")
        return cls.build(
            pk=None,
            name=str(data.get("name") or ""),
            birth_date=birth if isinstance(birth, datetime.date) else None,
            gender=data.get("gender") or "",
            employer_name=str(data.get("employer_name") or ""),
            phone_hash=pii.blind_index(data.get("phone") or ""),
            email=str(data.get("email") or ""),
            id_hash=pii.blind_index(data.get("resident_id") or ""),
        )


PROFILE_COLUMNS = ("pk", "name", "name_pinyin", "birth_date", "gender", "employer_name", "phone_hash", "email", "id_hash")


def stored_pinyin(value: str) -> str:
    """Person.name_pinyin as `name_pinyin()` spells it, without calling pypinyin again: the
    stored form may keep the name's spaces and dots as tokens (李 明 → "li   ming")."""
    return " ".join(token for token in (value or "").lower().split() if token.isalnum())


def _name_level(a: Profile, b: Profile) -> str | None:
    if not a.name or not b.name:
        return None
    if a.name == b.name:
        return "exact"
    if a.pinyin == b.pinyin:
        return "pinyin"
    similarity = jaro_winkler(a.pinyin, b.pinyin)
    if similarity >= NAME_SIMILAR:
        return "similar"
    return "close" if similarity >= NAME_CLOSE else "different"


def _birth_level(a: Profile, b: Profile) -> str | None:
    x, y = a.birth_date, b.birth_date
    if x is None or y is None:
        return None
    if x == y:
        return "exact"
    if x.year == y.year and x.month == y.day and x.day == y.month:
        return "transposed"
    return "year" if x.year == y.year else "different"


def _employer_level(a: Profile, b: Profile) -> tuple[str | None, float]:
    if not a.employer or not b.employer:
        return None, 0.0
    similarity = 1.0 if a.employer == b.employer else jaccard(a.employer_grams, b.employer_grams)
    if similarity >= EMPLOYER_SAME:
        return "same", similarity
    return ("similar" if similarity >= EMPLOYER_SIMILAR else "different"), similarity


def compare(a: Profile, b: Profile) -> tuple[float, dict[str, dict[str, Any]]]:
    """The score of a pair and, per field, the level reached and its weight (None: a side is
    empty, weight 0). Conflicting resident IDs give -inf: never the same person."""
    details: dict[str, dict[str, Any]] = {}
    if a.id_hash and b.id_hash:
        same = a.id_hash == b.id_hash
        details["resident_id"] = {"level": "agree" if same else "conflict", "weight": None}
        if not same:
            return -math.inf, details
        return math.inf, details
    employer_level, employer_similarity = _employer_level(a, b)
    levels = {
        "name": _name_level(a, b),
        "birth_date": _birth_level(a, b),
        "gender": (None if not a.gender or not b.gender else "agree" if a.gender == b.gender else "different"),
        "employer": employer_level,
        "phone": (None if not a.phone_hash or not b.phone_hash else "agree" if a.phone_hash == b.phone_hash else "different"),
        "email": (None if not a.email or not b.email else "agree" if a.email == b.email else "different"),
    }
    score = 0.0
    for name, level in levels.items():
        w = WEIGHTS[name][level] if level else 0.0
        score += w
        details[name] = {"level": level, "weight": w}
    if employer_level:
        details["employer"]["similarity"] = round(employer_similarity, 2)
    return round(score, 2), details


def decide(score: float) -> str:
    if score >= UPPER:
        return "same"
    return "review" if score >= LOWER else "new"


def json_score(score: float) -> float:
    """Scores as stored and shown: ±inf (resident IDs decided) as ±999."""
    return max(-999.0, min(999.0, score))


# ---- Blocking (one record against the database) ------------------------------------------------


def _transposed(date: datetime.date) -> datetime.date | None:
    if date.day > 12 or date.day == date.month:
        return None
    try:
        return date.replace(month=date.day, day=date.month)
    except ValueError:
        return None


def keyed():
    """People found by a blocking key. Status is not in the query, on purpose: given a filter on
    `status` (true of nearly every row) SQLite may walk the status index — the whole table —
    instead of the key's index. Callers drop inactive rows (`BLOCK_COLUMNS` carries status)."""
    return Person.objects.order_by()


BLOCK_COLUMNS = (*PROFILE_COLUMNS, "status")


def block_filter(profile: Profile, raw_name: str) -> Q | None:
    """One OR of the blocking keys; each term is served by its own index (SQLite's multi-index
    OR, PostgreSQL's BitmapOr), so the database reads only the blocks, in one round trip."""
    terms = []
    if profile.id_hash:
        terms.append(Q(id_hash=profile.id_hash))
    if profile.birth_date:
        dates = [profile.birth_date]
        swapped = _transposed(profile.birth_date)
        if swapped:
            dates.append(swapped)
        terms.append(Q(birth_date__in=dates))
    if profile.pinyin:
        # services.pinyin_of may keep inner spaces (李 明 → "li   ming"): ask for both spellings.
        spellings = {profile.pinyin, " ".join(lazy_pinyin(raw_name.strip())).lower()}
        terms.append(Q(name_pinyin__in=sorted(spellings)))
    if profile.phone_hash:
        terms.append(Q(phone_hash=profile.phone_hash))
    if profile.birth_date and profile.pinyin and surname_block_ceiling(with_email=bool(profile.email)) >= LOWER:
        key = block_key_of(surname_pinyin(profile.pinyin) + " ", profile.birth_date)  # the surname's block
        if key:
            terms.append(Q(block_key=key))
    if not terms:
        return None
    q = terms[0]
    for term in terms[1:]:
        q |= term
    return q


def _blocks(profile: Profile, raw_name: str, *, limit: int = 4 * MAX_BLOCK) -> list[dict[str, Any]]:
    q = block_filter(profile, raw_name)
    return [] if q is None else list(keyed().filter(q).values(*BLOCK_COLUMNS)[:limit])


@dataclass
class Match:
    decision: str
    person: Person | None = None
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def best_candidate(profile: Profile, raw_name: str, *, exclude: Iterable[int] = (), rows: list[dict[str, Any]] | None = None) -> tuple[int | None, float, dict]:
    excluded = set(exclude)
    best: tuple[int | None, float, dict] = (None, -math.inf, {})
    for row in _blocks(profile, raw_name) if rows is None else rows:
        if row["pk"] in excluded or row["status"] != PersonStatus.ACTIVE:
            continue
        score, details = compare(profile, Profile.from_values(row))
        if score > best[1]:
            best = (row["pk"], score, details)
    return best


def match_person(data: dict, *, exclude: Iterable[int] = ()) -> Match:
    """Decide whether incoming profile data describes a person already in the database."""
    excluded = set(exclude)
    profile = Profile.from_data(data)
    rows = _blocks(profile, str(data.get("name") or ""))
    if profile.id_hash:
        holders = rows
        if len(rows) >= 4 * MAX_BLOCK:  # the row with this ID may lie beyond the limit: ask for it alone
            holders = list(keyed().filter(id_hash=profile.id_hash).values(*BLOCK_COLUMNS))
        same_id = [r["pk"] for r in holders if r["id_hash"] == profile.id_hash and r["status"] == PersonStatus.ACTIVE and r["pk"] not in excluded]
        if same_id:
            return Match("same", Person.objects.get(pk=same_id[0]), 1.0, ["resident_id"], {"resident_id": {"level": "agree", "weight": None}})
    if not profile.name:
        return Match("new")
    pk, score, details = best_candidate(profile, str(data.get("name") or ""), exclude=excluded, rows=rows)
    if pk is None or score == -math.inf:
        return Match("new")
    decision = decide(score)
    if decision == "new":
        return Match("new", score=score, details=details)
    reasons = [name for name, d in details.items() if d.get("weight") and d["weight"] > 0]
    return Match(decision, Person.objects.get(pk=pk), score, reasons, details)


def score_people(a: Person, b: Person) -> tuple[float, dict]:
    return compare(Profile.from_person(a), Profile.from_person(b))
