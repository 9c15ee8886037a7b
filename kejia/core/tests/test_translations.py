"""The zh-hans catalogue is complete and its compiled form matches it."""

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "kejia" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _unquote(lines: list[str]) -> str:
    return "".join(re.match(r'^"(.*)"$', line).group(1).encode().decode("unicode_escape").encode("latin-1").decode() for line in lines)


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


TRANSLATION_FUNCTIONS = {"gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy", "npgettext", "npgettext_lazy"}
CONTEXT_FIRST = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}


def _sources():
    root = Path(settings.BASE_DIR) / "kejia"
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_translation_functions_are_not_aliased():
    """makemessages only knows gettext, _ and their siblings by name: a string passed to `gettext as _g`
    is never extracted, so it stays English in the Chinese interface."""
    aliased = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                aliased += [
                    f"{path}:{node.lineno}: {a.name} as {a.asname}" for a in node.names if a.name in TRANSLATION_FUNCTIONS and a.asname not in (None, "_")
                ]
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and node.value.id in TRANSLATION_FUNCTIONS | {"_"}:
                aliased.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
    assert not aliased, "translation functions under other names: " + "; ".join(aliased)


def test_every_literal_message_in_the_code_is_in_the_catalogue():
    catalogue = {(e.get("msgctxt"), e["msgid"]) for e in parse_po(PO.read_text(encoding="utf-8")) if e.get("msgid")}
    missing = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in TRANSLATION_FUNCTIONS | {"_"}):
                continue
            args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args[:2]]
            context, msgid = [*args, None, None][:2] if node.func.id in CONTEXT_FIRST else (None, (args or [None])[0])
            if msgid and (node.func.id not in CONTEXT_FIRST or context) and (context, msgid) not in catalogue:
                missing.append(f"{path.name}:{node.lineno}: {msgid!r}")
    assert not missing, f"{len(missing)} messages not in the catalogue (run `make messages` and translate): {missing[:10]}"


TEMPLATE_TRANSLATE = re.compile(r"""\{%\s*translate\s+(["'])(.*?)\1(?:\s+context\s+(["'])(.*?)\3)?\s*(?:as\s+\w+\s*)?%\}""")


def test_every_template_message_is_in_the_catalogue():
    """`{% translate "…" %}` and `{% translate "…" context "…" %}` in the templates: a message or a
    context missing from the catalogue shows English (a new context is a new message)."""
    catalogue = {(e.get("msgctxt"), e["msgid"]) for e in parse_po(PO.read_text(encoding="utf-8")) if e.get("msgid")}
    missing, seen = [], 0
    for path in sorted((Path(settings.BASE_DIR) / "kejia").rglob("*.html")):
        for match in TEMPLATE_TRANSLATE.finditer(path.read_text(encoding="utf-8")):
            seen += 1
            key = (match.group(4), match.group(2))
            # makemessages writes a template's % as %% (the tag formats the message).
            if key not in catalogue and (key[0], key[1].replace("%", "%%")) not in catalogue:
                missing.append(f"{path.name}: {key[1]!r}" + (f" (context {key[0]!r})" if key[0] else ""))
    assert seen > 500
    assert not missing, f"{len(missing)} template messages not in the catalogue: {missing[:20]}"


HAN = r"[\u4e00-\u9fff]"
ASCII_PUNCTUATION_IN_CHINESE = re.compile(rf"{HAN} ?[,:;?!()]|[,;:?!()] ?{HAN}|\([^()]*{HAN}[^()]*\)")
# Where the ASCII comma is what the code reads: yesno's argument.
TYPED_COMMAS = ("yes,no",)


def test_chinese_messages_use_chinese_punctuation():
    """，（）：；？！ in Chinese text, not their ASCII forms (placeholders, tags and typed formats aside)."""
    wrong = []
    for entry in parse_po(PO.read_text(encoding="utf-8")):
        msgid = entry.get("msgid", "")
        if not msgid or any(marker in msgid for marker in TYPED_COMMAS):
            continue
        for key, value in entry.items():
            if key.startswith("msgstr"):
                text = re.sub(r"%\(\w+\)[sd]|%[sd]|\{[^}]*\}|<[^>]+>|https?://\S+", " ", value)
                if ASCII_PUNCTUATION_IN_CHINESE.search(text):
                    wrong.append(value)
    assert ASCII_PUNCTUATION_IN_CHINESE.search("请填写(必填)") and not ASCII_PUNCTUATION_IN_CHINESE.search("请填写（必填）：姓名，电话")
    assert not wrong, f"{len(wrong)} messages with ASCII punctuation in Chinese: {wrong[:10]}"
