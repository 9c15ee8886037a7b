"""The survey exports write every cell through kejia.core.sheets: a free-text answer or a name
stored with a control character (before input was normalised) or starting a formula neither
crashes the export nor runs as a formula."""

import io

from openpyxl import load_workbook

from kejia.people.models import Person
from kejia.surveys import answering, exports
from kejia.surveys.models import Answer
from kejia.surveys.tests.conftest import GOOD, build_survey, invite


def test_raw_and_results_exports_with_hostile_text(tree, folks):
    survey = build_survey(tree)
    invite(tree, survey)
    answering.submit_response(survey, actor=tree.worker, data={**GOOD, "q7": "多举办活动"})
    Answer.objects.filter(question="q7").update(text='=HYPERLINK("http://evil.example","x")\x1b')
    Person.objects.filter(pk=folks.worker.pk).update(name="\x01王\x07五")
    raw = load_workbook(io.BytesIO(exports.raw_xlsx(survey)))
    cells = [c for r in raw.active.iter_rows() for c in r]
    assert all(c.data_type != "f" for c in cells)
    assert {"王五", '\'=HYPERLINK("http://evil.example","x")'} <= {c.value for c in cells}
    results = load_workbook(io.BytesIO(exports.results_xlsx(survey)))
    assert all(c.data_type != "f" for s in results.worksheets for r in s.iter_rows() for c in r)
