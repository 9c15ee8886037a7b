"""Names as the talent database stores and matches them: normalized, spelled in pinyin, and the
birth-year + surname blocking key. A leaf: the services (storage) and the identity resolution
(matching) both import it, so both use one normalisation."""

import datetime
import re
import unicodedata
from functools import lru_cache

from pypinyin import lazy_pinyin
from pypinyin.constants import PHRASES_DICT as _PHRASES_DICT
from pypinyin.constants import PINYIN_DICT as _PINYIN_DICT
from pypinyin.constants import RE_HANS as _RE_HANS

_NAME_NOISE = re.compile(r"[\s·•・.\-_]+")


def normalize_name(name: str) -> str:
    """李 明 / 李明 / 李·明 are one name: full-width folded, spaces and dots removed."""
    return _NAME_NOISE.sub("", unicodedata.normalize("NFKC", name or "")).lower()


@lru_cache(maxsize=65536)
def name_pinyin(name: str) -> str:
    """Pinyin without tones, syllables separated by one space: `li ming`. Matches
    services.pinyin_of for names without inner spaces. Cached: names repeat (王伟, 李娜 …); a
    name of Chinese characters none of whose runs is a pypinyin phrase (nearly every name) is
    spelled character by character (`_chars_pinyin`), the same result as `lazy_pinyin` at a
    fraction of its cost (~0.1 ms a name, most of an import's time once matching was fast)."""
    text = normalize_name(name)
    syllables = _chars_pinyin(text)
    return " ".join(syllables if syllables is not None else lazy_pinyin(text)).lower()


@lru_cache(maxsize=16384)
def _char_pinyin(char: str) -> str:
    return " ".join(lazy_pinyin(char))


def _chars_pinyin(text: str) -> list[str] | None:
    """`lazy_pinyin(text)` when it is certain to be the pinyin of each character in turn: every
    character is a Chinese character pypinyin knows (so its segmenter keeps the text as one run)
    and no run of two or more characters is in its phrase dictionary (so each word it cuts out
    is spelled character by character, as lazy_pinyin spells a word it has no phrase for).
    None otherwise: the caller asks lazy_pinyin. tests/test_resolution.py compares both."""
    if not text or not _RE_HANS.match(text):
        return None
    known = _PINYIN_DICT
    for char in text:
        if ord(char) not in known:
            return None
    n = len(text)
    if n > 1:
        phrases = _PHRASES_DICT
        for start in range(n - 1):
            for end in range(start + 2, n + 1):
                if text[start:end] in phrases:
                    return None
    return [_char_pinyin(char) for char in text]


def surname_pinyin(pinyin: str) -> str:
    return pinyin.split(" ", 1)[0] if pinyin else ""


BLOCK_KEY_LENGTH = 40  # Person.block_key's max_length


def block_key_of(name_pinyin: str, birth_date: datetime.date | str | None) -> str:
    """Person.block_key, the birth-year + surname blocking key: "<surname pinyin>|<birth year>"
    ("li|1980"), empty without a birth date or a pinyin of two syllables or more. The one
    spelling for what is stored (from the stored name_pinyin; the date may still be its ISO
    string before the save) and what is asked (`block_key_of(surname + " ", date)`): a record
    is in a surname's block exactly when its name_pinyin starts with the surname and a space.
    A surname too long for the column is cut, the same way on both sides."""
    if not birth_date or not name_pinyin or " " not in name_pinyin:
        return ""
    surname = name_pinyin.split(" ", 1)[0]
    if not surname:
        return ""
    year = str(birth_date.year if isinstance(birth_date, datetime.date) else datetime.date.fromisoformat(str(birth_date)[:10]).year)
    return f"{surname[: BLOCK_KEY_LENGTH - len(year) - 1]}|{year}"
