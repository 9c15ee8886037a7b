"""docs/governance.md shows every shipped rule with its seed source (issue 15, "Done when"): a rule
added to, or changed in, `kejia.governance.rulesets` without its row in the table fails here."""

from itertools import takewhile
from pathlib import Path

import pytest

from kejia.core.sources import DOCUMENTS
from kejia.governance.rulesets import RULE_SETS

DOCS = Path(__file__).resolve().parents[3] / "docs"

BODY_WORDS = {
    "congress": "congress",
    "committee": "committee",
    "standing_committee": "standing committee",
    "council": "council",
    "standing_council": "standing council",
    "supervisory_board": "supervisory board",
}
ORG_WORDS = {
    "national_assoc": "national association",
    "provincial_assoc": "provincial",
    "municipal_assoc": "municipal",
    "county_assoc": "county",
    "provincial_society": "provincial",
    "municipal_society": "municipal",
}


def _measure_words(rule) -> str:
    if rule.measure == "frontline_share":
        return "front-line"
    if rule.measure == "aged_at_most_share":
        return f"aged ≤ {rule.param}"
    if rule.measure == "women_share":
        return "women"
    if rule.measure.startswith("official_"):
        return "officials"
    return {"days_overdue": "overdue"}[rule.measure]


def _names_organizations(cell: str, kinds: list[str]) -> bool:
    if "all association levels" in cell:
        return all(kind.endswith("_assoc") for kind in kinds)
    return all(kind in ORG_WORDS and ORG_WORDS[kind] in cell for kind in kinds) and ("societ" in cell) == any("society" in k for k in kinds)


def _table_rows() -> list[list[str]]:
    """The rows of the table of shipped rules: | rule set | bodies | organizations | rule | source |."""
    text = (DOCS / "governance.md").read_text(encoding="utf-8")
    lines = text.split("### The shipped rules and their sources", 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| rule set |"))
    table = takewhile(lambda line: line.startswith("|"), lines[start + 2 :])
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in table]
    return [row for row in rows if len(row) == 5]


def _seed(source: str) -> tuple[str, str]:
    """A rule set's source in words → (seed number, section)."""
    for number, title in DOCUMENTS.items():
        if source.startswith(title):
            return number, source[len(title) :]
    raise AssertionError(f"no policy text for {source!r}")


@pytest.mark.parametrize("spec", RULE_SETS, ids=[s.name for s in RULE_SETS])
def test_every_shipped_rule_has_its_row_with_the_seed_source(spec):
    number, section = _seed(spec.source)
    rows = [row for row in _table_rows() if row[0] == spec.name]
    assert rows, f"docs/governance.md: no row for the rule set {spec.name}"
    for rule in spec.rules:
        matching = [
            row
            for row in rows
            if all(BODY_WORDS[kind] in row[1] for kind in rule.body_kinds) and _names_organizations(row[2], rule.org_kinds) and _measure_words(rule) in row[3]
        ]
        assert matching, f"docs/governance.md: no row for {spec.name} {rule.body_kinds} {rule.measure}"
        row = matching[0]
        assert number in row[4] and section in row[4], f"{spec.name} {rule.measure}: the row cites {row[4]!r}, not {number} {section}"
        if rule.baseline:
            assert f"baseline {rule.baseline[0] * 100 // rule.baseline[1]} %" in row[3]
        if rule.param_local:
            assert "local setting" in row[3]
        if rule.against_previous:
            assert "previous term" in row[3]


def test_every_seed_cited_in_the_table_is_named_with_its_file_once():
    """The table names each seed's file where it first cites it; later rows may shorten it to its number."""
    sources = " ".join(row[4] for row in _table_rows())
    for spec in RULE_SETS:
        number, _section = _seed(spec.source)
        assert f"seeds/{number}_" in sources
