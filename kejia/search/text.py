"""Text analysis shared by indexing and querying, so both sides cut text the same way.

Chinese is segmented by jieba in search mode (`cut_for_search`: the word and its dictionary
sub-words), English is lower-cased; the engine indexes the resulting tokens with a plain
whitespace tokenizer, so BM25 ranks exactly these tokens. jieba never emits a lone character
of a dictionary word (光学 → 光学, not 光), so each document also carries the set of its
Chinese characters: 1-character queries and words jieba does not know are matched on them."""

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jieba

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

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Function words and filler that carry no expertise; punctuation is dropped by isalnum().
STOPWORDS = frozenset(
    "的 了 和 与 及 或 在 对 等 为 是 以 于 中 其 之 并 将 把 被 从 由 向 也 而 及其 以及 进行 开展 有关 相关 方面 方向 研究 主要 "
    "a an and the of for in on to with by at from as or is are be this that we our its".split()
)
_ascii_lower = str.lower


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def _normal(token: str) -> str | None:
    token = _ascii_lower(token.strip())
    if not token or not token.isalnum() or token in STOPWORDS:
        return None
    return token


def index_tokens(text: str) -> list[str]:
    """Search-mode tokens of a text, in order (duplicates kept: BM25 counts them)."""
    if not text:
        return []
    if not _dictionary_ready:
        ensure_dictionary()
    # _normal, inlined: this runs for every token of every profile a rebuild reads.
    stop = STOPWORDS
    return [t for t in (_ascii_lower(raw.strip()) for raw in jieba.cut_for_search(text)) if t and t.isalnum() and t not in stop]


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
    which a document may have segmented differently."""

    text: str
    weight: float = 1.0
    chars: tuple[str, ...] = field(default=())


def _query_word(text: str, weight: float = 1.0) -> QueryWord:
    chars: tuple[str, ...] = ()
    if is_cjk(text) and (len(text) == 1 or not known_word(text)):
        chars = tuple(dict.fromkeys(_CJK.findall(text)))
    return QueryWord(text, weight, chars)


def parse_query(text: str) -> list[QueryWord]:
    """The words of a search-box query: jieba's precise cut (a query is short; search mode
    would add sub-words that only widen it), lower-cased, de-duplicated, in order."""
    ensure_dictionary()
    seen: dict[str, QueryWord] = {}
    for raw in jieba.cut(text or ""):
        token = _normal(raw)
        if token is not None and token not in seen:
            seen[token] = _query_word(token)
    if not seen and text and is_cjk(text):
        # A query made only of stop characters (e.g. "中"): look for the characters themselves.
        for char in dict.fromkeys(_CJK.findall(text)):
            seen[char] = QueryWord(char, 1.0, (char,))
    return list(seen.values())


_EN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")


def key_terms(text: str, *, limit: int = 20) -> list[QueryWord]:
    """Weighted key terms of a pasted text (a project description, a need): jieba's TF-IDF for
    Chinese, term frequency for English words; weights normalized so the best is 1."""
    import jieba.analyse

    ensure_dictionary()
    weights: dict[str, float] = {}
    for word, weight in jieba.analyse.extract_tags(text or "", topK=limit * 2, withWeight=True):
        token = _normal(word)
        if token is not None and not token.isascii():
            weights[token] = weight
    english: dict[str, int] = {}
    for word in _EN_WORD.findall(text or ""):
        token = _normal(word)
        if token is not None and len(token) > 2:
            english[token] = english.get(token, 0) + 1
    if english:
        top = max(weights.values(), default=1.0)
        most = max(english.values())
        for token, count in english.items():
            weights[token] = max(weights.get(token, 0.0), top * (0.5 + 0.5 * count / most))
    ranked = sorted(weights.items(), key=lambda kv: -kv[1])[:limit]
    if not ranked:
        return []
    best = ranked[0][1] or 1.0
    return [_query_word(word, round(weight / best, 4)) for word, weight in ranked]
