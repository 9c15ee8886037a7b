"""From the database to the index. The database is the source of truth: a person is read back
from it (with listings, disciplines and achievements, in four queries per batch), analysed, and
upserted; a person who is gone, merged or anonymized is removed.

Rows are turned into plain data before analysis so that segmentation, the costly part, can run
in worker processes (`analyse` is a pure function) while one process writes. A rebuild sends
the workers packed tuples and gets back each document's field values (`document_data`), so the
writer only reads the database and hands documents to tantivy (bench/index_people.py measures
the rate against jieba alone). jieba's HMM stays on: turning it off would change the tokens of
words outside its dictionary (治未病 → 治/未/病)."""

import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from kejia.core.parallel import ordered_map
from kejia.organizations.models import PATH_SEGMENT
from kejia.search.engine import IndexDoc, IndexOutdated, TantivyBackend, document_data, path_prefixes
from kejia.search.text import cjk_chars, index_tokens, short_text_tokens

log = logging.getLogger(__name__)
REGION_SEGMENT = 9  # kejia.reference.models.Region.path: 9 digits per level


def index_dir() -> Path:
    return Path(getattr(settings, "SEARCH_INDEX_DIR", Path(settings.VAR_DIR) / "search"))


@lru_cache(maxsize=8)
def _backend_at(path: str) -> TantivyBackend:
    return TantivyBackend(path, writer_timeout=float(getattr(settings, "SEARCH_WRITER_TIMEOUT", 60)))


def get_backend() -> TantivyBackend:
    """The engine for the configured directory, one per process (readers are shared)."""
    return _backend_at(str(index_dir()))


def reset_backend() -> None:
    _backend_at.cache_clear()


# -- records: database rows as plain data ---------------------------------------------------------

_PERSON_COLUMNS = {
    "id": "id",
    "name": "name",
    "name_pinyin": "name_pinyin",
    "expertise": "expertise",
    "summary": "research_summary",
    "employer": "employer_name",
    "title": "title",
    "sector": "sector",
    "title_level": "title_level",
    "frontline": "is_frontline",
    "status": "status",
    "birth_date": "birth_date",
    "region_path": "region__path",
}
_PERSON_KEYS = tuple(_PERSON_COLUMNS)

# A packed record: (person row in _PERSON_COLUMNS order, org paths, disciplines, achievements: title and detail).
# Tuples of plain values are what crosses to the worker processes: cheaper to read and pickle
# than dicts; `unpack` makes the record dict there.
Packed = tuple[tuple, list[str], list[tuple[str, str, str]], list[str]]


def _packed(person_filter: dict, *, order: bool = False, limit: int | None = None, related_range: bool = False) -> list[Packed]:
    """Active people with their listings' organization paths, disciplines and achievement
    titles: four queries, no model instances (the rebuild reads a million). `related_range`:
    the people are a primary-key range (a rebuild batch), so the three related queries select
    that range instead of an IN list of every id."""
    from kejia.people.choices import PersonStatus
    from kejia.people.models import Achievement, Listing, Person

    qs = Person.objects.filter(status=PersonStatus.ACTIVE, **person_filter).values_list(*_PERSON_COLUMNS.values())
    if order:
        qs = qs.order_by("pk")
    if limit:
        qs = qs[:limit]
    records: dict[int, Packed] = {row[0]: (row, [], [], []) for row in qs}
    if not records:
        return []
    if related_range:
        related = {"person_id__gte": min(records), "person_id__lte": max(records)}
    else:
        related = {"person_id__in": list(records)}
    for pk, path in Listing.objects.filter(**related).values_list("person_id", "organization__path"):
        if pk in records:
            records[pk][1].append(path)
    through = Person.disciplines.through
    for pk, code, name, name_en in through.objects.filter(**related).values_list("person_id", "discipline__code", "discipline__name", "discipline__name_en"):
        if pk in records:
            records[pk][2].append((code, name, name_en))
    for pk, title, detail in Achievement.objects.filter(**related).values_list("person_id", "title", "detail"):
        if pk in records:
            # The detail (an abstract, what the achievement is about) is searched with the title.
            records[pk][3].append(f"{title}\n{detail}" if detail else title)
    return list(records.values())


def unpack(packed: Packed) -> dict:
    """The record dict `analyse` takes."""
    row, org_paths, disciplines, achievements = packed
    rec = dict(zip(_PERSON_KEYS, row, strict=True))
    birth = rec.pop("birth_date")
    rec["birth_year"] = birth.year if birth else None
    rec["region_path"] = rec["region_path"] or ""
    rec["org_paths"], rec["disciplines"], rec["achievements"] = org_paths, disciplines, achievements
    return rec


def records_for(ids: Iterable[int]) -> list[dict]:
    return [unpack(p) for p in _packed({"pk__in": list(ids)})]


def iter_packed_batches(batch_size: int = 2000) -> Iterator[list[Packed]]:
    """Every active person, in primary-key order, a batch at a time (keyset pagination)."""
    last = 0
    while True:
        batch = _packed({"pk__gt": last}, order=True, limit=batch_size, related_range=True)
        if not batch:
            return
        last = batch[-1][0][0]
        yield batch


def iter_record_batches(batch_size: int = 2000) -> Iterator[list[dict]]:
    for batch in iter_packed_batches(batch_size):
        yield [unpack(p) for p in batch]


# -- analysis: records to index documents (pure; runs in worker processes) -----------------------


def _join(tokens: list[str]) -> str:
    return " ".join(tokens)


@lru_cache(maxsize=100_000)
def _prefixes(path: str, segment: int) -> tuple[str, ...]:
    """path_prefixes, remembered: the same organizations and regions recur across people."""
    return tuple(path_prefixes(path, segment))


def analyse(rec: dict) -> IndexDoc:
    name = (rec.get("name") or "").strip().lower()
    pinyin = (rec.get("name_pinyin") or "").split()
    name_tokens = [name, *dict.fromkeys(name)] if name else []
    # Every run of syllables: "ou yang ming" → ou, ouyang, ouyangming, yang, yangming, ming.
    name_tokens += ["".join(pinyin[i:j]) for i in range(len(pinyin)) for j in range(i + 1, min(len(pinyin), i + 4) + 1)]
    disc_text, disc_codes = [], set()
    for code, dname, dname_en in rec.get("disciplines") or ():
        disc_text += [code, *short_text_tokens(dname), *short_text_tokens(dname_en or "")]
        disc_codes.update(code[:n] for n in (3, 5, 7) if len(code) >= n)
    achievements = "\n".join(rec.get("achievements") or ())
    employer = rec.get("employer") or ""
    expertise, summary = rec.get("expertise") or "", rec.get("summary") or ""
    # One pass over all the texts (the regex matches single characters, so joining changes nothing).
    chars = cjk_chars(
        " ".join((expertise, summary, achievements, employer, rec.get("title") or "", *(dname for _code, dname, _en in rec.get("disciplines") or ())))
    )
    return IndexDoc(
        id=rec["id"],
        name=_join([t for t in name_tokens if t and " " not in t]),
        expertise=_join(short_text_tokens(expertise) + short_text_tokens(rec.get("title") or "")),
        disciplines=_join(disc_text),
        achievements=_join(index_tokens(achievements)),
        summary=_join(index_tokens(summary)),
        employer=_join(short_text_tokens(employer)),
        chars=" ".join(sorted(chars)),
        sector=rec.get("sector") or "",
        title_level=rec.get("title_level") or "",
        frontline=bool(rec.get("frontline")),
        status=rec.get("status") or "active",
        birth_year=rec.get("birth_year"),
        disc=sorted(disc_codes),
        region=list(_prefixes(rec["region_path"], REGION_SEGMENT)) if rec.get("region_path") else [],
        org=sorted({p for path in rec.get("org_paths") or () for p in _prefixes(path, PATH_SEGMENT)}),
    )


def analyse_batch(records: list[dict]) -> list[IndexDoc]:
    return [analyse(r) for r in records]


def analyse_packed(batch: list[Packed]) -> list[dict]:
    """The rebuild's worker task: packed records in, the engine's document data out (so the
    writer only hands them to tantivy)."""
    return [document_data(analyse(unpack(p))) for p in batch]


# -- writes -------------------------------------------------------------------------------------


def index_people(person_ids: Iterable[int], *, backend: TantivyBackend | None = None) -> dict[str, int]:
    """Bring the index in line with the database for these people: upsert the active ones,
    remove the others (deleted, merged, anonymized). One commit."""
    ids = sorted({int(i) for i in person_ids})
    if not ids:
        return {"indexed": 0, "removed": 0}
    backend = backend or get_backend()
    docs: list[IndexDoc] = []
    for start in range(0, len(ids), 1000):  # bounded IN lists (an import re-indexes thousands)
        docs += analyse_batch(records_for(ids[start : start + 1000]))
    present = {d.id for d in docs}
    gone = [i for i in ids if i not in present]
    backend.index_documents(docs, delete_ids=gone)
    return {"indexed": len(docs), "removed": len(gone)}


def _worker_init() -> None:
    from kejia.search.text import ensure_dictionary

    ensure_dictionary()


def rebuild_index(
    *,
    batch_size: int = 2000,
    processes: int | None = None,
    progress: Callable[[int, float], None] | None = None,
    backend: TantivyBackend | None = None,
    sink: Callable[[list[dict]], None] | None = None,
) -> dict:
    """Re-create the index from the database: every active person, in one commit, so readers
    see the old index until the new one is complete. Segmentation runs in `processes` worker
    processes (default: the CPU count), the writer in this one. People changed while the
    rebuild ran are indexed again at the end. `sink`, if given, also receives every analysed
    batch as `document_data` dicts (the benchmark feeds its comparison tables with it)."""
    from django.utils import timezone

    from kejia.people.models import Person

    started_at = timezone.now()
    t0 = time.perf_counter()
    if backend is None:
        reset_backend()
        try:
            backend = get_backend()
        except IndexOutdated:
            backend = TantivyBackend.recreate(index_dir(), writer_timeout=float(getattr(settings, "SEARCH_WRITER_TIMEOUT", 60)))
            reset_backend()
    processes = processes or os.cpu_count() or 1
    done, waited = 0, 0.0
    # Batches are read here (the database connection belongs to this thread), packed as tuples,
    # and analysed by the pool, a bounded number in flight, in order; the workers return the
    # documents' data, this process only adds them to the index.
    pool = multiprocessing.get_context("fork").Pool(processes, initializer=_worker_init) if processes > 1 else None
    try:
        with backend.writer(heap_size=256_000_000) as w:
            w.delete_all()

            def write(docs: list[dict]) -> None:
                nonlocal done
                for data in docs:
                    w.add_data(data)
                if sink:
                    sink(docs)
                done += len(docs)
                if progress:
                    progress(done, time.perf_counter() - t0)

            def wait(seconds: float) -> None:
                nonlocal waited
                waited += seconds

            if pool is None:
                for batch in iter_packed_batches(batch_size):
                    write(analyse_packed(batch))
            else:
                for docs in ordered_map(pool, analyse_packed, iter_packed_batches(batch_size), in_flight=2 * processes, waited=wait):
                    write(docs)
    finally:
        if pool:
            pool.close()
            pool.join()
    late = list(Person.objects.filter(updated_at__gte=started_at).values_list("pk", flat=True))
    changed = index_people(late, backend=backend)["indexed"] if late else 0
    elapsed = time.perf_counter() - t0
    return {
        "documents": done,
        "seconds": round(elapsed, 2),
        "per_second": round(done / elapsed) if elapsed else None,
        "reindexed_after": changed,
        "writer_waited_seconds": round(waited, 2),
    }
