"""docs/memberships.md shows each membership rule with its seed source and the default that ships
(issue 15, "Done when"), and names one verdict for full-time staff."""

from itertools import takewhile
from pathlib import Path

from kejia.memberships.models import DEFAULT_GROWTH_BANDS, DEFAULT_STAFF_BANDS

DOCS = Path(__file__).resolve().parents[3] / "docs"


def _rows() -> dict[str, list[str]]:
    """The table of "Rules and where they come from", keyed by the rule's first words."""
    lines = (DOCS / "memberships.md").read_text(encoding="utf-8").split("## Rules and where they come from", 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| rule |"))
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in takewhile(lambda line: line.startswith("|"), lines[start + 2 :])]
    return {row[0].split(" ", 2)[1]: row for row in rows}


def test_growth_and_staff_rules_cite_the_seed_and_ship_the_documented_local_bands():
    rows = _rows()
    growth, staff = rows["new"], rows["staff"]
    assert "003_73f9d7d21f6b67ef.txt` 三.1" in growth[1] and "003_73f9d7d21f6b67ef.txt` 三.3" in staff[1]
    assert f"`{DEFAULT_GROWTH_BANDS}`".replace(" ", "") in growth[3].replace(" ", "") and "local setting" in growth[3]
    assert f"`{DEFAULT_STAFF_BANDS}`".replace(" ", "") in staff[3].replace(" ", "") and "local setting" in staff[3]
    assert "comprehensive demonstration" in staff[2]


def test_full_time_staff_has_one_verdict_in_the_docs():
    """Governance migration 0004 removed its staff rule: the docs must not describe it as judging."""
    text = (DOCS / "memberships.md").read_text(encoding="utf-8")
    assert "secretariat staff seats ÷ active members" not in text
    assert "the governance rule sets do not judge it" in " ".join(text.split())
