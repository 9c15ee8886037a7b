"""Text analysis shared by indexing and querying, so both sides cut text the same way.

Chinese is segmented by jieba in search mode (`cut_for_search`: the word and its dictionary
sub-words), English is lower-cased; the engine indexes the resulting tokens with a plain
whitespace tokenizer, so BM25 ranks exactly these tokens. jieba never emits a lone character
of a dictionary word (光学 → 光学, not 光), so each document also carries the set of its
Chinese characters: 1-character queries and words jieba does not know are matched on them."""

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jieba
import snowballstemmer

jieba.setLogLevel(logging.WARNING)

# Terms of science and technology that jieba's dictionary lacks and would cut in two
# (机器学习 → 机器 + 学习): one word each, so a query for 机器学习 is one term and "why matched"
# names it whole. Changing this list changes the tokens: rebuild the index (SCHEMA_VERSION).
USER_DICTIONARY = Path(__file__).with_name("userdict.txt")
_dictionary_ready = False


def ensure_dictionary() -> None:
    """jieba's dictionary and ours, loaded once per process (lazily: importing this module stays cheap)."""
    global _dictionary_ready
    if not _dictionary_ready:
        jieba.initialize()
        jieba.load_userdict(str(USER_DICTIONARY))
        _dictionary_ready = True


_CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK = re.compile(f"[{_CJK_CLASS}]")
# A text is cut into runs of Chinese characters (segmented by jieba) and the rest, where a word is
# a run of letters and digits of any script ("3D", "Müller", "h2o"), hyphenated parts joined by "-".
_CJK_RUN = re.compile(f"([{_CJK_CLASS}]+)")
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
# Chinese function words and filler that carry no expertise.
CHINESE_STOPWORDS = frozenset(
    "的 了 和 与 及 或 在 对 等 为 是 以 于 中 其 之 并 将 把 被 从 由 向 也 而 及其 以及 进行 开展 有关 相关 方面 方向 研究 主要".split()
)
# English function words, and the filler of abstracts and project descriptions ("we propose a
# novel approach … results show"), which say nothing about a field.
ENGLISH_STOPWORDS = frozenset(
    """
a about above across after again against all almost along already also although always am among an and another any
anyone anything are around as at be became because become becomes been before being below between both but by can
cannot could did do does doing done down during each either else enough etc even ever every for from further get gets
given had has have having he her here hers herself him himself his how however i if in into is it its itself just
least less made make makes many may me might more most much must my myself neither no nor not now of off often on
once one only onto or other others otherwise our ours ourselves out over own per perhaps rather same several shall
she should since so some such than that the their theirs them themselves then there thereby therefore these they
this those though through thus to too toward towards under until up upon us very via was we well were what whatever
when where whereas whether which while who whom whose why will with within without would yet you your yours yourself
yourselves
able abstract across additionally approach approaches based consider considered demonstrate demonstrated
describe described et al existing furthermore hence introduce introduced moreover new novel paper papers present
presented propose proposed provide provides result results show shown shows study studied use used uses using work
""".split()
)
STOPWORDS = CHINESE_STOPWORDS | ENGLISH_STOPWORDS
_ascii_lower = str.lower
_stemmer = snowballstemmer.stemmer("english")


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def _fold(word: str) -> str:
    word = word.lower()
    if not word.isascii():
        word = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return word


@lru_cache(maxsize=200_000)
def latin_term(word: str) -> str | None:
    """One word outside Chinese as it is indexed: lower-cased, accents folded (Müller → muller),
    stemmed by the Snowball English (Porter 2) stemmer (models → model, networks → network);
    None for a stop word. Words with digits ("3d", "h2o") are kept as they are."""
    word = _fold(word)
    if not word or word in ENGLISH_STOPWORDS:
        return None
    if word.isalpha() and len(word) > 3:
        word = _stemmer.stemWord(word)
    return word or None


def _latin_tokens(text: str, *, compounds: bool) -> list[str]:
    """The words of a non-Chinese run. A hyphenated word gives its parts, and also (`compounds`)
    the parts joined (state-of-the-art → state, art, stateoftheart): a query for the whole word
    finds it whole, a query for a part finds the part."""
    out: list[str] = []
    for m in _WORD.finditer(text):
        word = m.group()
        if "-" not in word:
            term = latin_term(word)
            if term is not None:
                out.append(term)
            continue
        parts = [t for t in (latin_term(p) for p in word.split("-")) if t is not None]
        out += parts
        if compounds and len(parts) > 1:
            out.append(_fold("".join(word.split("-"))))
    return out


@lru_cache(maxsize=100_000)
def _short_run(run: str) -> tuple[str, ...]:
    """Search-mode tokens of a short run of Chinese characters (mixed texts have many; a jieba
    call costs tens of microseconds whatever the length)."""
    return tuple(t for t in jieba.cut_for_search(run) if t not in CHINESE_STOPWORDS)


def _analysed(text: str, cut, *, compounds: bool = True) -> list[str]:
    out: list[str] = []
    stop = CHINESE_STOPWORDS
    search_mode = cut is jieba.cut_for_search
    for i, part in enumerate(_CJK_RUN.split(text)):
        if not part:
            continue
        if i % 2:  # a run of Chinese characters
            if search_mode and len(part) <= 8:
                out += _short_run(part)
            else:
                out += [t for t in cut(part) if t not in stop]
        else:
            out += _latin_tokens(part, compounds=compounds)
    return out


def index_tokens(text: str) -> list[str]:
    """Search-mode tokens of a text, in order (duplicates kept: BM25 counts them)."""
    if not text:
        return []
    if not _dictionary_ready:
        ensure_dictionary()
    return _analysed(text, jieba.cut_for_search)


_SEPARATORS = re.compile(r"[、，,;；/|\s]+")


@lru_cache(maxsize=200_000)
def _short_tokens(text: str) -> tuple[str, ...]:
    return tuple(index_tokens(text))


def short_text_tokens(text: str) -> list[str]:
    """Tokens of a short, often repeated text (an employer, a title, a discipline, a keyword
    list): each piece is segmented once per process and remembered."""
    out: list[str] = []
    for piece in _SEPARATORS.split(text or ""):
        if piece:
            out += _short_tokens(piece) if len(piece) <= 32 else index_tokens(piece)
    return out


def cjk_chars(text: str) -> set[str]:
    return set(_CJK.findall(text))


def known_word(word: str) -> bool:
    """Whether jieba's dictionary holds the word (then documents carry it as a token)."""
    ensure_dictionary()
    return bool(jieba.dt.FREQ.get(word))


@dataclass(frozen=True)
class QueryWord:
    """One word of the user's query. `chars` is set when the word must (also) be looked for
    character by character: a single character, or a Chinese word jieba's dictionary lacks,
    which a document may have segmented differently. `label` is the word as written, when the
    indexed form differs (networks → network, Müller → muller): "why matched" shows it."""

    text: str
    weight: float = 1.0
    chars: tuple[str, ...] = field(default=())
    label: str = ""

    @property
    def shown(self) -> str:
        return self.label or self.text


def _query_word(text: str, weight: float = 1.0, label: str = "") -> QueryWord:
    chars: tuple[str, ...] = ()
    if is_cjk(text) and (len(text) == 1 or not known_word(text)):
        chars = tuple(dict.fromkeys(_CJK.findall(text)))
    return QueryWord(text, weight, chars, label if label and label != text else "")


def _query_latin(word: str) -> tuple[str, str] | None:
    """(indexed form, label) of one query word outside Chinese; a hyphenated word is looked for
    whole (x-ray → xray, which the index holds for every hyphenated word)."""
    if "-" in word:
        parts = [p for p in word.split("-") if p]
        if len(parts) > 1:
            return _fold("".join(parts)), word.lower()
        word = parts[0] if parts else ""
    term = latin_term(word) if word else None
    return (term, word.lower()) if term is not None else None


def parse_query(text: str) -> list[QueryWord]:
    """The words of a search-box query: jieba's precise cut for Chinese (a query is short; search
    mode would add sub-words that only widen it), the same English analysis as the index (stop
    words out, stems), de-duplicated, in order."""
    ensure_dictionary()
    seen: dict[str, QueryWord] = {}
    for i, part in enumerate(_CJK_RUN.split(text or "")):
        if not part:
            continue
        if i % 2:
            for token in jieba.cut(part):
                if token not in CHINESE_STOPWORDS and token not in seen:
                    seen[token] = _query_word(token)
        else:
            for m in _WORD.finditer(part):
                found = _query_latin(m.group())
                if found is not None and found[0] not in seen:
                    seen[found[0]] = _query_word(found[0], label=found[1])
    if not seen and text and is_cjk(text):
        # A query made only of stop characters (e.g. "中"): look for the characters themselves.
        for char in dict.fromkeys(_CJK.findall(text)):
            seen[char] = QueryWord(char, 1.0, (char,))
    return list(seen.values())


def key_terms(text: str, *, limit: int = 20, idf=None) -> list[QueryWord]:
    """Weighted key terms of a pasted text (a project description, a need): jieba's TF-IDF for
    Chinese; for the other words a BM25-like weight, saturated term frequency × inverse document
    frequency (`idf(term)`, from the index; 1 without it). Each language's weights are scaled so
    its best term is 1, then the best `limit` kept; the best overall is 1."""
    import jieba.analyse

    ensure_dictionary()
    text = text or ""
    weights: dict[str, float] = {}
    chinese = "".join(_CJK_RUN.findall(text))
    if chinese:
        tags = jieba.analyse.extract_tags(" ".join(_CJK_RUN.findall(text)), topK=limit * 2, withWeight=True)
        tags = [(w, x) for w, x in tags if w not in CHINESE_STOPWORDS and is_cjk(w)]
        best = max((x for _w, x in tags), default=1.0) or 1.0
        weights.update({w: x / best for w, x in tags})
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    for part in _CJK_RUN.split(text)[::2]:
        for m in _WORD.finditer(part):
            for term in _latin_tokens(m.group(), compounds=True):
                if len(term) > 1:
                    counts[term] = counts.get(term, 0) + 1
                    labels.setdefault(term, m.group().lower() if "-" not in m.group() else "")
    if counts:
        k1 = 1.2
        english = {t: (c * (k1 + 1) / (c + k1)) * (idf(t) if idf else 1.0) for t, c in counts.items()}
        best = max(english.values()) or 1.0
        for term, weight in english.items():
            weights[term] = max(weights.get(term, 0.0), weight / best)
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    if not ranked:
        return []
    best = ranked[0][1] or 1.0
    return [_query_word(word, round(weight / best, 4), labels.get(word, "")) for word, weight in ranked]
