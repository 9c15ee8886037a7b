"""Public certificate verification, no login (certificate_views.py)."""

from django.urls import path

from kejia.memberships import certificate_views

app_name = "verify"

urlpatterns = [
    path("", certificate_views.verify_form, name="form"),
    path("keys.json", certificate_views.keys_json, name="keys"),
    path("<path:token>", certificate_views.verify, name="check"),
]
