"""The registrations export writes every cell through kejia.core.sheets: a name stored with a
control character (before input was normalised) or starting a formula neither crashes nor runs."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from kejia.activities import registration
from kejia.activities.models import Registration
from kejia.activities.tests.conftest import make_event


def test_registrations_export_with_hostile_names(client, tree, people):
    event = make_event(tree, capacity=5)
    registration.register_for_event(event, actor=people.a)
    registration.register_for_event(event, actor=people.b)
    first, second = Registration.objects.order_by("pk")
    Registration.objects.filter(pk=first.pk).update(name="\x01张\x1b三")
    Registration.objects.filter(pk=second.pk).update(name='=HYPERLINK("http://evil.example","x")', cancel_reason="+1\x07")
    client.force_login(tree.county_staff)
    response = client.get(reverse("activities:registrations_xlsx", args=[event.pk]))
    assert response.status_code == 200
    cells = [c for r in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in r]
    assert all(c.data_type != "f" for c in cells)
    assert {"张三", '\'=HYPERLINK("http://evil.example","x")', "'+1"} <= {c.value for c in cells}
