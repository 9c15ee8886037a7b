"""The search engine behind a small interface, so a cluster search service can replace the
embedded one at national scale without touching the services.

`TantivyBackend` keeps an embedded tantivy index in a directory. Documents arrive already
analysed (`IndexDoc`, built by kejia.search.documents): text fields hold space-separated tokens
indexed with tantivy's whitespace tokenizer, so tantivy's BM25 ranks our jieba tokens. Filters
are exact terms or numbers checked inside the query, never after it, so the top k is the top k of
what the caller may see. Region and organization paths are indexed as the set of their prefixes
(one term per level), so "this subtree" is one term lookup — a facet without facet machinery."""

import logging
import os
import shutil
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import tantivy
from django.utils.translation import gettext as _

from kejia.core.api import MAX_LIMIT, MAX_OFFSET
from kejia.core.errors import DomainError
from kejia.search.text import QueryWord

log = logging.getLogger(__name__)


def _drop_inherited_index_locks() -> None:
    """In a process just forked (the import's and the index rebuild's worker pools): close the
    tantivy lock files it inherited. tantivy locks them with flock, whose lock belongs to the open
    file that fork shares: had one of the parent's tantivy threads held the meta lock at the
    moment of the fork, the parent's next reload or commit would wait for as long as the child
    lives (seen as a hung rebuild). The children never touch the index."""
    try:
        fds = os.listdir("/proc/self/fd")
    except OSError:  # no /proc (not Linux): nothing to look through
        return
    for name in fds:
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue
        base = target.rsplit("/", 1)[-1]
        if base.startswith(".tantivy-") and base.endswith(".lock"):
            try:
                os.close(int(name))
            except OSError:
                pass


os.register_at_fork(after_in_child=_drop_inherited_index_locks)

# 2: the stored terms say which field each token came from ("why matched"), and the jieba user
# dictionary (kejia/search/userdict.txt) keeps terms such as 机器学习 whole.
SCHEMA_VERSION = "3"  # 3: English stems, stop list, hyphenated words, accents folded; achievement details
# Field → BM25 boost. Expertise keywords and names say most about a person; a word in the
# research summary counts, but less.
TEXT_FIELDS: dict[str, float] = {
    "name": 4.0,
    "expertise": 3.0,
    "disciplines": 2.0,
    "achievements": 1.5,
    "summary": 1.0,
    "employer": 1.0,
}
CHARS_BOOST = 0.3
KEYWORD_FIELDS = ("sector", "title_level", "frontline", "status", "disc", "region", "org")


@dataclass
class IndexDoc:
    """One person as the engine sees it: analysed text and filter values, no personal data
    beyond the name and the employer that results show anyway."""

    id: int
    name: str = ""
    expertise: str = ""
    disciplines: str = ""
    achievements: str = ""
    summary: str = ""
    employer: str = ""
    chars: str = ""
    sector: str = ""
    title_level: str = ""
    frontline: bool = False
    status: str = "active"
    birth_year: int | None = None
    disc: list[str] = field(default_factory=list)
    region: list[str] = field(default_factory=list)
    org: list[str] = field(default_factory=list)


@dataclass
class Filters:
    """Exact filters. Sequences mean "any of"; region and organization are path prefixes."""

    sector: Sequence[str] = ()
    title_level: Sequence[str] = ()
    discipline: Sequence[str] = ()
    region_path: str | None = None
    org_path: str | None = None
    frontline: bool | None = None
    birth_year_min: int | None = None
    birth_year_max: int | None = None
    status: str | None = None
    exclude_ids: Sequence[int] = ()
    include_ids: Sequence[int] | None = None  # only these people (a call's pool of reviewers)


@dataclass
class Hit:
    id: int
    score: float
    matched: list[str]  # the query words found in the person's texts, whole (机器学习, not 机器 + 学习)
    fields: dict[str, list[str]] = field(default_factory=dict)  # word → the text fields it was found in


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int


def check_window(*, limit: int, offset: int) -> None:
    """Tantivy keeps offset + limit hits on a heap it allocates up front: an offset of 10¹¹ asks for
    terabytes and aborts the process. Every caller bounds the window; this is the last guard."""
    if not 0 <= offset <= MAX_OFFSET:
        raise DomainError("invalid", _("Rows to skip: at most %(max)s.") % {"max": MAX_OFFSET}, field="offset")
    if not 1 <= limit <= MAX_LIMIT:
        raise DomainError("invalid", _("Rows per page: from 1 to %(max)s.") % {"max": MAX_LIMIT}, field="limit")


class SearchBackend(Protocol):
    def index_documents(self, docs: Iterable[IndexDoc], *, delete_ids: Iterable[int] = ()) -> int: ...

    def delete(self, ids: Iterable[int]) -> None: ...

    def search(
        self,
        words: Sequence[QueryWord],
        *,
        filters: Filters | None = None,
        scope_paths: Sequence[str] | None = None,
        limit: int = 10,
        offset: int = 0,
        require_all: bool = True,
    ) -> SearchResult: ...

    def refresh(self) -> None: ...

    def count(self) -> int: ...


class IndexOutdated(RuntimeError):
    """The index on disk was built with another schema: run `manage.py rebuild_search_index`."""


class WriterBusy(RuntimeError):
    """Another process held the index writer longer than the timeout."""


def path_prefixes(path: str, segment: int) -> list[str]:
    return [path[:i] for i in range(segment, len(path) + 1, segment)]


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_unsigned_field("id", stored=False, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        b.add_text_field(name, stored=False, tokenizer_name="whitespace", index_option="freq")
    b.add_text_field("chars", stored=False, tokenizer_name="whitespace", index_option="basic")
    for name in KEYWORD_FIELDS:
        b.add_text_field(name, stored=False, tokenizer_name="raw", index_option="basic")
    b.add_integer_field("birth_year", stored=False, indexed=True, fast=True)
    # The distinct tokens of the person per text field ("field\ttoken token…" lines), to tell
    # which query words matched each hit, and where.
    b.add_bytes_field("terms", stored=True, indexed=False)
    return b.build()


_SCHEMA = _schema()


def document_data(doc: IndexDoc) -> dict:
    """The field values of the engine's document for `doc` (plain data: the rebuild's worker
    processes make them, the writer turns them into documents)."""
    data: dict = {
        "id": doc.id,
        "chars": doc.chars,
        "sector": doc.sector,
        "title_level": doc.title_level,
        "frontline": "1" if doc.frontline else "0",
        "status": doc.status,
    }
    lines = []
    for name in TEXT_FIELDS:
        value = getattr(doc, name)
        if value:
            data[name] = value
            lines.append(f"{name}\t{' '.join(sorted(set(value.split())))}")
    for name in ("disc", "region", "org"):
        values = getattr(doc, name)
        if values:
            data[name] = values
    if doc.birth_year is not None:
        data["birth_year"] = doc.birth_year
    data["terms"] = "\n".join(lines).encode()
    return data


def _document(doc: IndexDoc) -> tantivy.Document:
    return tantivy.Document.from_dict(document_data(doc), _SCHEMA)


class TantivyBackend:
    """An embedded index in `path`. Reads are served by one Index per process; writes take
    tantivy's directory lock, retrying while another process (the task worker, a rebuild)
    holds it, and release it after each commit."""

    def __init__(self, path: Path | str, *, writer_timeout: float = 60.0, heap_size: int = 128_000_000):
        self.path = Path(path)
        self.writer_timeout = writer_timeout
        self.heap_size = heap_size
        self.schema = _SCHEMA
        self._lock = threading.Lock()
        self._index = self._open()

    # -- lifecycle -----------------------------------------------------------------------

    def _open(self) -> tantivy.Index:
        self.path.mkdir(parents=True, exist_ok=True)
        marker = self.path / "KEJIA_SCHEMA"
        if any(self.path.glob("meta.json")) and (not marker.exists() or marker.read_text().strip() != SCHEMA_VERSION):
            raise IndexOutdated(f"search index at {self.path} has another schema; run manage.py rebuild_search_index")
        try:
            index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        except ValueError as exc:
            raise IndexOutdated(f"cannot open search index at {self.path}: {exc}") from exc
        marker.write_text(SCHEMA_VERSION)
        return index

    @classmethod
    def recreate(cls, path: Path | str, **kwargs) -> "TantivyBackend":
        """An empty index in place of whatever was there (the rebuild of a changed schema)."""
        path = Path(path)
        if path.exists():
            shutil.rmtree(path)
        return cls(path, **kwargs)

    def refresh(self) -> None:
        self._index.reload()

    def count(self) -> int:
        return self._index.searcher().num_docs

    def document_frequencies(self, terms: Iterable[str], fields: Sequence[str] = ("expertise", "achievements", "summary")) -> tuple[dict[str, int], int]:
        """For each term, the number of people whose `fields` hold it (the largest count over
        the fields, a close lower bound of the union), and the number of people indexed."""
        searcher = self._index.searcher()
        out = {t: max(searcher.doc_freq(f, t) for f in fields) for t in set(terms)}
        return out, searcher.num_docs

    # -- writing ---------------------------------------------------------------------------

    def writer(self, *, num_threads: int = 0, heap_size: int | None = None):
        """The index writer, once the directory lock is free (a context manager)."""
        return _Writer(self, num_threads=num_threads, heap_size=heap_size or self.heap_size)

    def index_documents(self, docs: Iterable[IndexDoc], *, delete_ids: Iterable[int] = ()) -> int:
        """Upsert `docs` and remove `delete_ids`, in one commit."""
        n = 0
        with self.writer() as w:
            for pk in delete_ids:
                w.delete(pk)
            for doc in docs:
                w.upsert(doc)
                n += 1
        return n

    def delete(self, ids: Iterable[int]) -> None:
        self.index_documents((), delete_ids=ids)

    # -- reading ---------------------------------------------------------------------------

    def _word_query(self, word: QueryWord) -> tantivy.Query:
        schema = self.schema
        clauses = [(tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.term_query(schema, f, word.text), boost)) for f, boost in TEXT_FIELDS.items()]
        if word.chars:
            chars = [(tantivy.Occur.Must, tantivy.Query.term_query(schema, "chars", c)) for c in word.chars]
            chars_q = chars[0][1] if len(chars) == 1 else tantivy.Query.boolean_query(chars)
            clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(chars_q, CHARS_BOOST)))
        query = tantivy.Query.boolean_query(clauses)
        return query if word.weight == 1.0 else tantivy.Query.boost_query(query, word.weight)

    def _filter_queries(self, filters: Filters | None, scope_paths: Sequence[str] | None) -> list[tantivy.Query]:
        schema, out = self.schema, []

        def terms(name: str, values: Sequence[str]) -> None:
            values = [v for v in values if v]
            if values:
                out.append(tantivy.Query.term_query(schema, name, values[0]) if len(values) == 1 else tantivy.Query.term_set_query(schema, name, values))

        if scope_paths is not None:
            out.append(tantivy.Query.term_set_query(schema, "org", list(scope_paths)) if scope_paths else tantivy.Query.empty_query())
        if filters is not None:
            terms("sector", filters.sector)
            terms("title_level", filters.title_level)
            terms("disc", filters.discipline)
            terms("region", [filters.region_path] if filters.region_path else [])
            terms("org", [filters.org_path] if filters.org_path else [])
            terms("status", [filters.status] if filters.status else [])
            if filters.frontline is not None:
                terms("frontline", ["1" if filters.frontline else "0"])
            if filters.birth_year_min is not None or filters.birth_year_max is not None:
                out.append(tantivy.Query.range_query(schema, "birth_year", tantivy.FieldType.Integer, filters.birth_year_min, filters.birth_year_max))
        return out

    def build_query(
        self, words: Sequence[QueryWord], *, filters: Filters | None = None, scope_paths: Sequence[str] | None = None, require_all: bool = True
    ) -> tantivy.Query:
        occur = tantivy.Occur.Must if require_all else tantivy.Occur.Should
        clauses = [(occur, self._word_query(w)) for w in words]
        # Filters score nothing: a constant zero keeps BM25 alone in charge of the ranking.
        clauses += [(tantivy.Occur.Must, tantivy.Query.const_score_query(q, 0.0)) for q in self._filter_queries(filters, scope_paths)]
        if filters is not None and filters.include_ids is not None:
            clauses.append(
                (
                    tantivy.Occur.Must,
                    tantivy.Query.const_score_query(tantivy.Query.term_set_query(self.schema, "id", [int(i) for i in filters.include_ids]), 0.0),
                )
            )
        if filters is not None and filters.exclude_ids:
            clauses.append((tantivy.Occur.MustNot, tantivy.Query.term_set_query(self.schema, "id", [int(i) for i in filters.exclude_ids])))
        if not words:
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)

    def search(
        self,
        words: Sequence[QueryWord],
        *,
        filters: Filters | None = None,
        scope_paths: Sequence[str] | None = None,
        limit: int = 10,
        offset: int = 0,
        require_all: bool = True,
        count: bool = True,
        matched: bool = True,
    ) -> SearchResult:
        """`matched=False`: hits without "why matched" (ids and scores only; the stored terms are not read)."""
        check_window(limit=limit, offset=offset)
        if scope_paths is not None and not scope_paths:
            return SearchResult([], 0)
        query = self.build_query(words, filters=filters, scope_paths=scope_paths, require_all=require_all)
        searcher = self._index.searcher()
        result = searcher.search(query, limit=limit, offset=offset, count=count)
        addresses = [addr for _, addr in result.hits]
        ids = searcher.fast_field_values("id", addresses) if addresses else []
        hits = []
        for (score, addr), pk in zip(result.hits, ids, strict=True):
            if not matched:
                hits.append(Hit(int(pk), float(score), []))
                continue
            by_field = stored_terms(bytes(searcher.doc(addr).get_first("terms") or b"").decode())
            matched = _matched(words, by_field)
            hits.append(Hit(int(pk), float(score), list(matched), matched))
        return SearchResult(hits, result.count if count and result.count is not None else len(hits))


def stored_terms(text: str) -> dict[str, set[str]]:
    """The stored terms of a document: field → its distinct tokens."""
    out: dict[str, set[str]] = {}
    for line in text.splitlines():
        name, _sep, tokens = line.partition("\t")
        out[name] = set(tokens.split())
    return out


def _matched(words: Sequence[QueryWord], by_field: dict[str, set[str]]) -> dict[str, list[str]]:
    """Each query word found in the document, in query order, with the fields it was found in
    (a word looked for character by character counts where all its characters are)."""
    out: dict[str, list[str]] = {}
    for w in words:
        where = [name for name, tokens in by_field.items() if w.text in tokens or (w.chars and all(any(c in t for t in tokens) for c in w.chars))]
        if where:
            out[w.shown] = where
    return out


class _Writer:
    def __init__(self, backend: TantivyBackend, *, num_threads: int, heap_size: int):
        self.backend, self.num_threads, self.heap_size = backend, num_threads, heap_size
        self._w = None

    def __enter__(self) -> "_Writer":
        self.backend._lock.acquire()
        deadline = time.monotonic() + self.backend.writer_timeout
        delay = 0.05
        while True:
            try:
                self._w = self.backend._index.writer(heap_size=self.heap_size, num_threads=self.num_threads)
                return self
            except ValueError as exc:  # LockBusy: another process writes
                if time.monotonic() > deadline:
                    self.backend._lock.release()
                    raise WriterBusy(f"search index writer busy for {self.backend.writer_timeout}s: {exc}") from exc
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def upsert(self, doc: IndexDoc) -> None:
        self._w.delete_documents_by_query(tantivy.Query.term_query(_SCHEMA, "id", doc.id))
        self._w.add_document(_document(doc))

    def add(self, doc: IndexDoc) -> None:
        self._w.add_document(_document(doc))

    def add_data(self, data: dict) -> None:
        """Add a document given as `document_data` made it."""
        self._w.add_document(tantivy.Document.from_dict(data, _SCHEMA))

    def delete(self, pk: int) -> None:
        self._w.delete_documents_by_query(tantivy.Query.term_query(_SCHEMA, "id", pk))

    def delete_all(self) -> None:
        self._w.delete_all_documents()

    def commit(self) -> None:
        self._w.commit()

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._w.commit()
                self._w.wait_merging_threads()  # also releases the directory lock
            else:
                self._w.rollback()
        finally:
            self._w = None
            self.backend._lock.release()
            if exc_type is None:
                self.backend.refresh()
