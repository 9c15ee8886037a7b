"""Identity resolution for an import, chunk by chunk, against blocks kept in memory.

kejia.people.resolution.match_person decides one row with one query; over 100 000 rows that is
100 000 queries, and the candidates' profiles rebuilt each time. Here one `Candidates` object
lives for the whole import:

- each blocking key (birth date and its day/month transposition, name pinyin, phone hash,
  birth year + surname `block_key`, resident-ID hash) is asked of the database once, the first
  time a row of the file needs it, with one `IN (...)` query per kind of key and chunk (at most
  IN_BATCH keys a query), fetching only the profile columns (`values_list`), never instances;
- a database that held no person when the import began is never asked at all;
- every record found is profiled once and filed in the in-memory blocks; the people the import
  writes are filed there as they are written (and re-filed when a fill changes their keys), so
  later chunks see them exactly as the database would show them, without asking it;
- a row carrying a resident ID is compared only with candidates *without* one: a candidate with
  another ID scores -inf (never the same person) and one with the same ID is decided by the ID
  alone, so the blocks are kept in two halves and the ID-less half is all such a row reads.

Each row is scored with the resolution module's own `Profile`, `compare` and `decide`: the model,
weights and thresholds stay in one place; the surname block is used when
`resolution.surname_block_ceiling` says it can reach LOWER, as in match_person. Rows of one chunk
do not see each other (they are written together after the chunk is decided), as before.
tests/test_matching.py checks that the decisions equal match_person's, row by row."""

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from pypinyin import lazy_pinyin

from kejia.people import resolution
from kejia.people.choices import PersonStatus
from kejia.people.models import Person

Match = resolution.Match
Profile = resolution.Profile
IN_BATCH = 500  # keys in one IN (...): well under SQLite's 999 bound variables (and PostgreSQL's 65 535)
# Person columns read for a candidate: resolution.BLOCK_COLUMNS plus the stored keys it is filed under.
COLUMNS = ("pk", "name", "name_pinyin", "birth_date", "gender", "employer_name", "phone_hash", "email", "id_hash", "status", "block_key")


def _transposed(date: datetime.date) -> datetime.date | None:
    if date.day > 12 or date.day == date.month:
        return None
    try:
        return date.replace(month=date.day, day=date.month)
    except ValueError:
        return None


def _batches(keys: Iterable, size: int = IN_BATCH) -> Iterator[list]:
    keys = sorted(keys, key=str)
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


class _Half:
    """Blocks of the records with (or without) a resident ID: key → record pks, in filing order."""

    __slots__ = ("date", "name", "phone", "block")

    def __init__(self):
        self.date: dict[datetime.date, list[int]] = defaultdict(list)
        self.name: dict[str, list[int]] = defaultdict(list)
        self.phone: dict[str, list[int]] = defaultdict(list)
        self.block: dict[str, list[int]] = defaultdict(list)


class Candidates:
    """The candidate records of one import, profiled once and filed by blocking key."""

    def __init__(self, *, database: bool = True):
        self.profiles: dict[int, Profile] = {}
        self.spelled: dict[int, str] = {}  # pk → stored name_pinyin (the name block's key)
        self.filed: dict[int, list[tuple[dict, Any]]] = {}  # pk → the blocks it is in
        self.with_id, self.without_id = _Half(), _Half()
        # Records with an ID waiting to be put in their blocks: only a row without an ID reads
        # them, and a file where every row has one never does (pk → (profile, spelled, block key)).
        self._unfiled_with_id: dict[int, tuple[Profile, str, str]] = {}
        self.by_id: dict[str, int] = {}
        self.people: dict[int, Person] = {}  # instances already in hand (written by this import, or fetched)
        # A table empty at the start holds, during the import, only what the import writes: all in memory.
        self.database = database and Person.objects.exists()
        self._asked: dict[str, set] = {"date": set(), "name": set(), "phone": set(), "block": set(), "id": set()}
        self._asked_with_id = False  # whether the ID-bearing records of the asked keys were kept
        self.queries = 0

    # ---- filing --------------------------------------------------------------------------------

    def file(self, profile: Profile, spelled: str, block_key: str) -> None:
        """File an active record (pk set) under its keys; a record filed already is left as it is."""
        pk = profile.pk
        if pk in self.profiles:
            return
        self.profiles[pk] = profile
        self.spelled[pk] = spelled
        if profile.id_hash:
            self.by_id[profile.id_hash] = pk
            self._unfiled_with_id[pk] = (profile, spelled, block_key)
            return
        self._place(self.without_id, pk, profile, spelled, block_key)

    def _file_with_id(self) -> None:
        """The records with an ID put in their blocks, in the order they were filed."""
        for pk, (profile, spelled, block_key) in self._unfiled_with_id.items():
            self._place(self.with_id, pk, profile, spelled, block_key)
        self._unfiled_with_id.clear()

    def _place(self, half: _Half, pk: int, profile: Profile, spelled: str, block_key: str) -> None:
        places = []
        if profile.birth_date:
            places.append((half.date, profile.birth_date))
        if spelled:
            places.append((half.name, spelled))
        if profile.phone_hash:
            places.append((half.phone, profile.phone_hash))
        if block_key:
            places.append((half.block, block_key))
        for blocks, key in places:
            blocks[key].append(pk)
        self.filed[pk] = places

    def unfile(self, pk: int) -> None:
        profile = self.profiles.pop(pk, None)
        if profile is None:
            return
        if self._unfiled_with_id.pop(pk, None) is not None:
            places = ()
        else:
            places = self.filed.pop(pk)
        for blocks, key in places:
            members = blocks[key]
            members.remove(pk)
            if not members:
                del blocks[key]
        self.spelled.pop(pk, None)
        if profile.id_hash and self.by_id.get(profile.id_hash) == pk:
            del self.by_id[profile.id_hash]

    def file_person(self, person: Person, profile: Profile | None = None) -> None:
        """A person the import has just written (created, or changed by a fill): filed anew under
        its current values, as the database now holds them."""
        self.people[person.pk] = person
        self.unfile(person.pk)
        if person.status != PersonStatus.ACTIVE:
            return
        if profile is None:
            profile = Profile.from_person(person, stored=True)
        else:
            profile.pk = person.pk
        self.file(profile, person.name_pinyin, person.block_key)

    # ---- asking the database -------------------------------------------------------------------

    def load(self, profiles: list[Profile], spellings: list[set[str]]) -> None:
        """Read from the database the records of every key these rows need and no earlier chunk
        asked for. ID-bearing records are kept only when some row lacks an ID (only such a row
        can be compared with them); when they are first needed, the keys asked before are asked again."""
        if not self.database:
            return
        keep_with_id = self._asked_with_id or any(p.name and not p.id_hash for p in profiles)
        if keep_with_id and not self._asked_with_id:
            for kind in ("date", "name", "phone", "block"):
                self._asked[kind].clear()
            self._asked_with_id = True
        wanted: dict[str, set] = {"date": set(), "name": set(), "phone": set(), "block": set(), "id": set()}
        ceiling = _surname_ceilings()
        for profile, spelled in zip(profiles, spellings, strict=True):
            if profile.id_hash:
                wanted["id"].add(profile.id_hash)
            if not profile.name:
                continue
            if profile.birth_date:
                wanted["date"].add(profile.birth_date)
                swapped = _transposed(profile.birth_date)
                if swapped:
                    wanted["date"].add(swapped)
            wanted["name"] |= spelled
            if profile.phone_hash:
                wanted["phone"].add(profile.phone_hash)
            key = _surname_key(profile, ceiling)
            if key:
                wanted["block"].add(key)
        lookups = {"date": "birth_date__in", "name": "name_pinyin__in", "phone": "phone_hash__in", "block": "block_key__in", "id": "id_hash__in"}
        people = resolution.keyed()
        for kind, keys in wanted.items():
            keys -= self._asked[kind]
            if not keys:
                continue
            self._asked[kind] |= keys
            for batch in _batches(keys):
                self.queries += 1
                for values in people.filter(**{lookups[kind]: batch}).values_list(*COLUMNS):
                    if values[9] != PersonStatus.ACTIVE or values[0] in self.profiles:
                        continue
                    if values[8] and not keep_with_id and kind != "id":
                        continue
                    pk, name, name_pinyin, birth_date, gender, employer, phone_hash, email, id_hash, _status, block_key = values
                    self.file(
                        Profile.build(
                            pk=pk,
                            name=name,
                            birth_date=birth_date,
                            gender=gender,
                            employer_name=employer,
                            phone_hash=phone_hash,
                            email=email,
                            id_hash=id_hash,
                            pinyin=resolution.stored_pinyin(name_pinyin),
                        ),
                        name_pinyin,
                        block_key,
                    )

    def instances(self, pks: Iterable[int]) -> dict[int, Person]:
        """Person instances for these pks: those in hand, the rest in one query (then kept)."""
        missing = [pk for pk in pks if pk not in self.people]
        if missing:
            self.people.update(Person.objects.in_bulk(missing))
        return {pk: self.people[pk] for pk in pks}

    # ---- reading the blocks --------------------------------------------------------------------

    def blocks(self, profile: Profile, spelled: set[str], ceiling: tuple[bool, bool]) -> list[list[int]]:
        """The row's blocks as match_person forms them (each cut at MAX_BLOCK), from the half (or
        halves) the row can be compared with."""
        if profile.id_hash:
            halves = (self.without_id,)
        else:
            if self._unfiled_with_id:
                self._file_with_id()
            halves = (self.with_id, self.without_id)
        if not any(half.date or half.name or half.phone or half.block for half in halves):
            return []  # nobody to compare with (e.g. every record so far has an ID, and so has this row)
        cap = resolution.MAX_BLOCK
        out = []
        if profile.birth_date:
            dates = [profile.birth_date]
            swapped = _transposed(profile.birth_date)
            if swapped:
                dates.append(swapped)
            out.append([pk for d in dates for half in halves for pk in half.date.get(d, ())][:cap])
        if spelled:
            out.append([pk for s in sorted(spelled) for half in halves for pk in half.name.get(s, ())][:cap])
        if profile.phone_hash:
            out.append([pk for half in halves for pk in half.phone.get(profile.phone_hash, ())][:cap])
        key = _surname_key(profile, ceiling)
        if key:
            prefix = resolution.surname_pinyin(profile.pinyin) + " "
            spelled_of = self.spelled
            out.append([pk for half in halves for pk in half.block.get(key, ()) if spelled_of[pk].startswith(prefix)][:cap])
        return out


def _surname_ceilings() -> tuple[bool, bool]:
    """Whether the birth-year + surname block can reach LOWER without / with an e-mail."""
    return (resolution.surname_block_ceiling(with_email=False) >= resolution.LOWER, resolution.surname_block_ceiling(with_email=True) >= resolution.LOWER)


def _surname_key(profile: Profile, ceiling: tuple[bool, bool]) -> str:
    if not (profile.birth_date and profile.pinyin and ceiling[bool(profile.email)]):
        return ""
    return resolution.block_key_of(resolution.surname_pinyin(profile.pinyin) + " ", profile.birth_date)


def spellings_of(rows: list[dict[str, Any]], profiles: list[Profile], pinyins: list[str] | None) -> list[set[str]]:
    """The name-pinyin spellings each row's name block is asked under (as match_person asks)."""
    out = []
    for index, (data, profile) in enumerate(zip(rows, profiles, strict=True)):
        if not profile.pinyin:
            out.append(set())
            continue
        spelled = pinyins[index] if pinyins is not None else " ".join(lazy_pinyin(str(data.get("name") or "").strip())).lower()
        out.append({profile.pinyin, spelled})
    return out


def match_rows(
    rows: list[dict[str, Any]], *, pinyins: list[str] | None = None, index: Candidates | None = None, profiles: list[Profile] | None = None
) -> list[Match]:
    """One Match per cleaned profile dict, as match_person would decide it.

    `pinyins`: the rows' names already spelled by services.pinyin_of (the importer has them);
    `profiles`: their resolution profiles already built (from the sealed Person: no second HMAC);
    `index`: the import's Candidates (kept across chunks); without it, a fresh one for these rows."""
    if profiles is None:
        profiles = [Profile.from_data(data) for data in rows]
    spellings = spellings_of(rows, profiles, pinyins)
    index = index if index is not None else Candidates()
    index.load(profiles, spellings)
    ceiling = _surname_ceilings()
    compare, known = resolution.compare, index.profiles
    decided: list[tuple[str, int | None, float, dict]] = []
    for profile, spelled in zip(profiles, spellings, strict=True):
        holder = index.by_id.get(profile.id_hash) if profile.id_hash else None
        if holder is not None:
            decided.append(("id", holder, 1.0, {"resident_id": {"level": "agree", "weight": None}}))
            continue
        if not profile.name:
            decided.append(("new", None, 0.0, {}))
            continue
        best: tuple[int | None, float, dict] = (None, -math.inf, {})
        seen: set[int] = set()
        for block in index.blocks(profile, spelled, ceiling):
            for pk in block:
                if pk in seen:
                    continue
                seen.add(pk)
                score, details = compare(profile, known[pk])
                if score > best[1]:
                    best = (pk, score, details)
        pk, score, details = best
        if pk is None or score == -math.inf:
            decided.append(("new", None, 0.0, {}))
            continue
        decided.append((resolution.decide(score), pk, score, details))
    found = index.instances({pk for decision, pk, _s, _d in decided if decision != "new" and pk is not None})
    out = []
    for decision, pk, score, details in decided:
        if decision == "id":
            out.append(Match("same", found[pk], score, ["resident_id"], details))
        elif decision == "new":
            out.append(Match("new", score=score, details=details) if pk else Match("new"))
        else:
            reasons = [name for name, d in details.items() if d.get("weight") and d["weight"] > 0]
            out.append(Match(decision, found[pk], score, reasons, details))
    return out
