"""Governance pages (views.py): bodies, terms and seats; compliance per body, per subtree and for
a draft slate; term alerts; concurrent posts; contact duties; rule sets."""

from django.urls import path

from kejia.governance import views

app_name = "governance"

urlpatterns = [
    path("", views.home, name="home"),
    # An organization: its bodies, the compliance of its subtree, its contact coverage.
    path("orgs/<int:pk>/", views.org_bodies, name="org"),
    path("orgs/<int:pk>/compliance/", views.subtree, name="compliance"),
    path("orgs/<int:pk>/contacts/", views.contacts, name="contacts"),
    # A body, its terms and seats, its draft slates (what-if).
    path("bodies/<int:pk>/", views.body, name="body"),
    path("bodies/<int:pk>/terms/new/", views.term_start, name="term_start"),
    path("bodies/<int:pk>/seats/new/", views.seat_add, name="seat_add"),
    path("bodies/<int:pk>/slates/new/", views.slate_create, name="slate_create"),
    path("terms/<int:pk>/", views.term, name="term"),
    path("seats/<int:pk>/vacate/", views.seat_vacate, name="seat_vacate"),
    # An official's posts: approval of this one, posts declared outside the tree.
    path("seats/<int:pk>/posts/", views.seat_posts, name="seat_posts"),
    path("seats/<int:pk>/approval/", views.seat_approval, name="seat_approval"),
    path("seats/<int:pk>/posts/declare/", views.post_declare, name="post_declare"),
    path("declared-posts/<int:pk>/approval/", views.declared_post_approval, name="declared_post_approval"),
    path("declared-posts/<int:pk>/end/", views.declared_post_end, name="declared_post_end"),
    path("slates/<int:pk>/", views.slate, name="slate"),
    path("slates/<int:pk>/entries/new/", views.slate_add, name="slate_add"),
    path("slates/<int:pk>/entries/remove/", views.slate_remove, name="slate_remove"),
    path("slates/<int:pk>/delete/", views.slate_delete, name="slate_delete"),
    # Across the user's scope.
    path("alerts/", views.alerts, name="alerts"),
    path("concurrent/", views.concurrent, name="concurrent"),
    # Contact duties and their visits.
    path("contacts/<int:pk>/", views.contact, name="contact"),
    path("contacts/<int:pk>/visits/new/", views.contact_visit, name="contact_visit"),
    path("contacts/<int:pk>/end/", views.contact_end, name="contact_end"),
    # Rule sets (read by everyone signed in, edited by the federation's administrators).
    path("rulesets/", views.rulesets, name="rulesets"),
    path("rulesets/<int:pk>/", views.ruleset, name="ruleset"),
    path("rulesets/<int:pk>/edit/", views.ruleset_edit, name="ruleset_edit"),
    path("rulesets/<int:pk>/rules/new/", views.rule_add, name="rule_add"),
    path("rulesets/<int:pk>/assign/", views.ruleset_assign, name="ruleset_assign"),
    path("assignments/<int:pk>/unassign/", views.ruleset_unassign, name="ruleset_unassign"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
]
