"""Membership pages. views.py (member and staff pages), certificate_views.py (the card) and
stats_views.py (figures) each own their routes below."""

from django.urls import path

from kejia.memberships import certificate_views, stats_views, views

app_name = "memberships"

urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    # Public: the societies taking members and their classes.
    path("societies/", views.society_list, name="societies"),
    path("societies/<int:pk>/", views.society_detail, name="society"),
    path("societies/<int:pk>/apply/", views.apply, name="apply"),
    path("societies/<int:pk>/apply-group/", views.apply_group, name="apply_group"),
    # Staff of a society.
    path("queue/", views.queue, name="queue"),
    path("payments/", views.payments, name="payments"),
    path("payments/<int:pk>/confirm/", views.payment_act, {"action": "confirm"}, name="payment_confirm"),
    path("payments/<int:pk>/reject/", views.payment_act, {"action": "reject"}, name="payment_reject"),
    path("societies/<int:pk>/members/", views.members, name="members"),
    path("societies/<int:pk>/classes/", views.classes, name="classes"),
    path("societies/<int:pk>/classes/defaults/", views.classes_defaults, name="classes_defaults"),
    path("classes/<int:pk>/edit/", views.class_edit, name="class_edit"),
    path("societies/<int:pk>/rules/", views.rules, name="rules"),
    # One membership: the page, its documents, the named transitions and payments.
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/documents/<int:doc>/", views.document, name="document"),
    path("<int:pk>/representatives/<int:rep>/remove/", views.representative_remove, name="representative_remove"),
    # The printable card with its QR code (certificate_views.py).
    path("<int:pk>/card/", certificate_views.card, name="card"),
    # Any other word after a membership is a named action (views.ACTIONS), POST only.
    path("<int:pk>/<slug:action>/", views.act, name="act"),
    # Figures (stats_views.py): across the societies in the user's scope, and per society.
    path("stats/", stats_views.overview, name="stats"),
    path("societies/<int:pk>/stats/", stats_views.society_stats, name="society_stats"),
]
