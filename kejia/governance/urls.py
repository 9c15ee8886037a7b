"""Governance pages (views/, a module per concept): bodies, terms and seats; compliance per body, per subtree and for
a draft slate; term alerts; concurrent posts; contact duties; rule sets."""

from django.urls import path

from kejia.governance.views import bodies, contacts, posts, reports, rules, slates

app_name = "governance"

urlpatterns = [
    path("", bodies.home, name="home"),
    # An organization: its bodies, the compliance of its subtree, its contact coverage.
    path("orgs/<int:pk>/", bodies.org_bodies, name="org"),
    path("orgs/<int:pk>/compliance/", reports.subtree, name="compliance"),
    path("orgs/<int:pk>/contacts/", contacts.contacts, name="contacts"),
    # A body, its terms and seats, its draft slates (what-if).
    path("bodies/<int:pk>/", bodies.body, name="body"),
    path("bodies/<int:pk>/terms/new/", bodies.term_start, name="term_start"),
    path("bodies/<int:pk>/seats/new/", bodies.seat_add, name="seat_add"),
    path("bodies/<int:pk>/slates/new/", bodies.slate_create, name="slate_create"),
    path("terms/<int:pk>/", bodies.term, name="term"),
    path("seats/<int:pk>/vacate/", bodies.seat_vacate, name="seat_vacate"),
    # An official's posts: approval of this one, posts declared outside the tree.
    path("seats/<int:pk>/posts/", posts.seat_posts, name="seat_posts"),
    path("seats/<int:pk>/approval/", posts.seat_approval, name="seat_approval"),
    path("seats/<int:pk>/posts/declare/", posts.post_declare, name="post_declare"),
    path("declared-posts/<int:pk>/approval/", posts.declared_post_approval, name="declared_post_approval"),
    path("declared-posts/<int:pk>/end/", posts.declared_post_end, name="declared_post_end"),
    path("slates/<int:pk>/", slates.slate, name="slate"),
    path("slates/<int:pk>/entries/new/", slates.slate_add, name="slate_add"),
    path("slates/<int:pk>/entries/remove/", slates.slate_remove, name="slate_remove"),
    path("slates/<int:pk>/delete/", slates.slate_delete, name="slate_delete"),
    # Across the user's scope.
    path("alerts/", reports.alerts, name="alerts"),
    path("concurrent/", posts.concurrent, name="concurrent"),
    # Contact duties and their visits.
    path("contacts/<int:pk>/", contacts.contact, name="contact"),
    path("contacts/<int:pk>/visits/new/", contacts.contact_visit, name="contact_visit"),
    path("contacts/<int:pk>/end/", contacts.contact_end, name="contact_end"),
    # Rule sets (read by everyone signed in, edited by the federation's administrators).
    path("rulesets/", rules.rulesets, name="rulesets"),
    path("rulesets/<int:pk>/", rules.ruleset, name="ruleset"),
    path("rulesets/<int:pk>/edit/", rules.ruleset_edit, name="ruleset_edit"),
    path("rulesets/<int:pk>/rules/new/", rules.rule_add, name="rule_add"),
    path("rulesets/<int:pk>/assign/", rules.ruleset_assign, name="ruleset_assign"),
    path("assignments/<int:pk>/unassign/", rules.ruleset_unassign, name="ruleset_unassign"),
    path("rules/<int:pk>/edit/", rules.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/delete/", rules.rule_delete, name="rule_delete"),
]
