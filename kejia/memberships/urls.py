"""Membership pages. views.py (member and staff pages), certificate_views.py (the card) and
stats_views.py (figures) each own their routes below."""

from django.urls import path

from kejia.memberships import certificate_views, stats_views, views

app_name = "memberships"

urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
    # The printable card with its QR code (certificate_views.py).
    path("<int:pk>/card/", certificate_views.card, name="card"),
    # Figures (stats_views.py): across the societies in the user's scope, and per society.
    path("stats/", stats_views.overview, name="stats"),
    path("societies/<int:pk>/stats/", stats_views.society_stats, name="society_stats"),
]
