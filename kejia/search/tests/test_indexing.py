"""The analyser's output is pinned: a faster indexing path must produce the very same documents
(`analyse_golden.json` was written by the analyser before the indexing-rate work of issue 3, and
rewritten when English stems, stop words and hyphenated words came in, issue 18)."""

import datetime
import json
from dataclasses import asdict
from pathlib import Path

import pytest

from kejia.search.engine import IndexDoc
from kejia.search.indexing import analyse

GOLDEN = json.loads((Path(__file__).parent / "analyse_golden.json").read_text(encoding="utf-8"))


def _record(raw: dict) -> dict:
    return {**raw, "disciplines": [tuple(d) for d in raw["disciplines"]]}


@pytest.mark.parametrize("case", GOLDEN, ids=lambda c: str(c["record"]["id"]))
def test_analyse_documents_unchanged(case):
    assert asdict(analyse(_record(case["record"]))) == case["document"]


def test_rebuild_worker_task_makes_the_same_document_data():
    from kejia.search.engine import document_data
    from kejia.search.indexing import _PERSON_KEYS, analyse_packed

    packed = []
    for case in GOLDEN:
        rec = _record(case["record"])
        birth = datetime.date(rec["birth_year"], 5, 1) if rec["birth_year"] else None
        row = tuple(birth if k == "birth_date" else rec[k] for k in _PERSON_KEYS)
        packed.append((row, rec["org_paths"], rec["disciplines"], rec["achievements"]))
    expected = [document_data(IndexDoc(**case["document"])) for case in GOLDEN]
    assert analyse_packed(packed) == expected
