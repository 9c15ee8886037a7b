"""The zh-hans catalogue is complete and its compiled form matches it."""

import gettext
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "kejia" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _unquote(lines: list[str]) -> str:
    return "".join(re.match(r'^"(.*)"$', line).group(1).encode().decode("unicode_escape").encode("latin-1").decode()
                   for line in lines)


def parse_po(text: str) -> list[dict]:
    entries, current, key = [], {}, None
    for raw in [*text.splitlines(), ""]:
        line = raw.strip()
        if not line:
            if current:
                entries.append(current)
            current, key = {}, None
            continue
        if line.startswith("#,"):
            current.setdefault("flags", line[2:])
            continue
        if line.startswith("#"):
            continue
        match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$", line)
        if match:
            key = match.group(1)
            current.setdefault(key, []).append(match.group(2))
        elif line.startswith('"') and key:
            current[key].append(line)
    return [{k: (_unquote(v) if isinstance(v, list) else v) for k, v in e.items()} for e in entries]


def test_catalogue_has_no_untranslated_or_fuzzy_entries():
    entries = [e for e in parse_po(PO.read_text(encoding="utf-8")) if e.get("msgid")]
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not any(v for k, v in e.items() if k.startswith("msgstr"))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", "")]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_compiled_catalogue_matches_source():
    with open(PO.with_suffix(".mo"), "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for entry in parse_po(PO.read_text(encoding="utf-8")):
        if not entry.get("msgid") or "msgid_plural" in entry:
            continue
        msgid = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
        assert compiled._catalog.get(msgid) == entry["msgstr"], f"stale .mo for {entry['msgid']!r}: run `make messages`"
