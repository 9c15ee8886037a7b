"""The compliance export writes every cell through kejia.core.sheets: an organization name stored
with a control character or starting a formula neither crashes nor runs."""

import io

from openpyxl import load_workbook

from kejia.governance.tests.test_views import council, english, login, rules, url  # noqa: F401 — fixtures and helpers
from kejia.organizations.models import Organization


def test_compliance_export_with_hostile_names(client, tree, council):  # noqa: F811
    Organization.objects.filter(pk=tree.soc.pk).update(name="-2+3\x01学会\x1b")
    login(client, tree.province_staff)
    response = client.get(url("compliance", tree.js.pk), {"format": "xlsx"})
    assert response.status_code == 200
    cells = [c for r in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in r]
    assert all(c.data_type != "f" for c in cells)
    assert "'-2+3学会" in {c.value for c in cells}
