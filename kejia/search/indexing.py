"""From the database to the index. The database is the source of truth: a person is read back
from it (with listings, disciplines and achievements, in four queries per batch), analysed, and
upserted; a person who is gone, merged or anonymized is removed.

Rows are turned into plain dicts (`records`) before analysis so that segmentation, the costly
part, can run in worker processes (`analyse` is a pure function) while one process writes."""

import logging
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from kejia.organizations.models import PATH_SEGMENT
from kejia.search.engine import IndexDoc, IndexOutdated, TantivyBackend, path_prefixes
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
    "id": "id", "name": "name", "name_pinyin": "name_pinyin", "expertise": "expertise", "summary": "research_summary",
    "employer": "employer_name", "title": "title", "sector": "sector", "title_level": "title_level", "frontline": "is_frontline",
    "status": "status", "birth_date": "birth_date", "region_path": "region__path",
}


def _records(person_filter: dict, *, order: bool = False, limit: int | None = None) -> list[dict]:
    """Active people as plain dicts, with their listings' organization paths, disciplines and
    achievement titles: four queries, no model instances (the rebuild reads a million)."""
    from kejia.people.choices import PersonStatus
    from kejia.people.models import Achievement, Listing, Person

    qs = Person.objects.filter(status=PersonStatus.ACTIVE, **person_filter).values_list(*_PERSON_COLUMNS.values())
    if order:
        qs = qs.order_by("pk")
    if limit:
        qs = qs[:limit]
    records: dict[int, dict] = {}
    for row in qs:
        rec = dict(zip(_PERSON_COLUMNS, row, strict=True))
        birth = rec.pop("birth_date")
        rec["birth_year"] = birth.year if birth else None
        rec["region_path"] = rec["region_path"] or ""
        rec["org_paths"], rec["disciplines"], rec["achievements"] = [], [], []
        records[rec["id"]] = rec
    if not records:
        return []
    ids = list(records)
    for pk, path in Listing.objects.filter(person_id__in=ids).values_list("person_id", "organization__path"):
        records[pk]["org_paths"].append(path)
    through = Person.disciplines.through
    for pk, code, name, name_en in through.objects.filter(person_id__in=ids).values_list(
            "person_id", "discipline__code", "discipline__name", "discipline__name_en"):
        records[pk]["disciplines"].append((code, name, name_en))
    for pk, title in Achievement.objects.filter(person_id__in=ids).values_list("person_id", "title"):
        records[pk]["achievements"].append(title)
    return list(records.values())


def records_for(ids: Iterable[int]) -> list[dict]:
    return _records({"pk__in": list(ids)})


def iter_record_batches(batch_size: int = 2000) -> Iterator[list[dict]]:
    """Every active person, in primary-key order, a batch at a time (keyset pagination)."""
    last = 0
    while True:
        batch = _records({"pk__gt": last}, order=True, limit=batch_size)
        if not batch:
            return
        last = batch[-1]["id"]
        yield batch


# -- analysis: records to index documents (pure; runs in worker processes) -----------------------

def _join(tokens: list[str]) -> str:
    return " ".join(tokens)


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
    achievements = " ".join(rec.get("achievements") or ())
    employer = rec.get("employer") or ""
    expertise, summary = rec.get("expertise") or "", rec.get("summary") or ""
    chars = cjk_chars(expertise) | cjk_chars(summary) | cjk_chars(achievements) | cjk_chars(employer) | cjk_chars(rec.get("title") or "")
    for _code, dname, _en in rec.get("disciplines") or ():
        chars |= cjk_chars(dname)
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
        region=path_prefixes(rec["region_path"], REGION_SEGMENT) if rec.get("region_path") else [],
        org=sorted({p for path in rec.get("org_paths") or () for p in path_prefixes(path, PATH_SEGMENT)}),
    )


def analyse_batch(records: list[dict]) -> list[IndexDoc]:
    return [analyse(r) for r in records]


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
        docs += analyse_batch(records_for(ids[start:start + 1000]))
    present = {d.id for d in docs}
    gone = [i for i in ids if i not in present]
    backend.index_documents(docs, delete_ids=gone)
    return {"indexed": len(docs), "removed": len(gone)}


def _worker_init() -> None:
    import jieba

    jieba.initialize()


def rebuild_index(*, batch_size: int = 2000, processes: int | None = None, progress: Callable[[int, float], None] | None = None,
                  backend: TantivyBackend | None = None, record_batches: Iterable[list[dict]] | None = None,
                  sink: Callable[[list[IndexDoc]], None] | None = None) -> dict:
    """Re-create the index from the database: every active person, in one commit, so readers
    see the old index until the new one is complete. Segmentation runs in `processes` worker
    processes (default: the CPU count), the writer in this one. People changed while the
    rebuild ran are indexed again at the end. `sink`, if given, also receives every analysed
    batch (the benchmark feeds its comparison tables with it)."""
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
    batches = record_batches if record_batches is not None else iter_record_batches(batch_size)
    done = 0
    # Batches are read here (the database connection belongs to this thread) and analysed by the
    # pool, a bounded number in flight, in order.
    pool = multiprocessing.get_context("fork").Pool(processes, initializer=_worker_init) if processes > 1 else None
    try:
        with backend.writer(heap_size=256_000_000) as w:
            w.delete_all()

            def write(docs: list[IndexDoc]) -> None:
                nonlocal done
                for doc in docs:
                    w.add(doc)
                if sink:
                    sink(docs)
                done += len(docs)
                if progress:
                    progress(done, time.perf_counter() - t0)

            pending: deque = deque()
            for records in batches:
                if pool is None:
                    write(analyse_batch(records))
                    continue
                pending.append(pool.apply_async(analyse_batch, (records,)))
                if len(pending) > 2 * processes:
                    write(pending.popleft().get())
            while pending:
                write(pending.popleft().get())
    finally:
        if pool:
            pool.close()
            pool.join()
    changed = 0
    if record_batches is None:
        late = list(Person.objects.filter(updated_at__gte=started_at).values_list("pk", flat=True))
        if late:
            changed = index_people(late, backend=backend)["indexed"]
    elapsed = time.perf_counter() - t0
    return {"documents": done, "seconds": round(elapsed, 2), "per_second": round(done / elapsed) if elapsed else None,
            "reindexed_after": changed}
