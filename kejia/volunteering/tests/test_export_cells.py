"""The service ledger export writes every cell through kejia.core.sheets: text stored with a
control character (before input was normalised) or starting a formula neither crashes nor runs."""

import io

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kejia.volunteering import records
from kejia.volunteering.models import ServiceRecord


def test_org_export_with_hostile_text(tree, vol):
    records.record_service(vol.teams.xw, actor=tree.county_staff, date=vol.day, address="x", participants=[(vol.people.worker, 3)])
    ServiceRecord.objects.update(address="梅园\x01小学", note="=1+1\x1b")
    c = Client()
    c.force_login(tree.nj_staff)
    response = c.get(reverse("volunteering:org_export", args=[tree.nj.pk]))
    assert response.status_code == 200
    cells = [c for r in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in r]
    assert all(c.data_type != "f" for c in cells)
    assert {"梅园小学", "'=1+1"} <= {c.value for c in cells}
