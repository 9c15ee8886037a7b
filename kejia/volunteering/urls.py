"""Volunteer service pages (views.py, team_views.py): demands, teams, members, services, the
ledger of hours and an organization's subtree totals."""

from django.urls import path

from kejia.volunteering import team_views, views

app_name = "volunteering"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.my_ledger, name="my_ledger"),
    path("people/<int:pk>/", views.ledger, name="ledger"),
    # Service demands: the public list of open ones, one demand and its transitions.
    path("demands/", views.demands, name="demands"),
    path("demands/<int:pk>/", views.demand, name="demand"),
    path("demands/<int:pk>/take/", views.demand_take, name="demand_take"),
    path("demands/<int:pk>/withdraw/", views.demand_withdraw, name="demand_withdraw"),
    path("demands/<int:pk>/complete/", views.demand_complete, name="demand_complete"),
    path("demands/<int:pk>/cancel/", views.demand_cancel, name="demand_cancel"),
    # An organization: subtree totals and breakdown, export, a new team, a new demand.
    path("orgs/<int:pk>/", views.org, name="org"),
    path("orgs/<int:pk>/services.xlsx", views.org_export, name="org_export"),
    path("orgs/<int:pk>/teams/new/", team_views.team_new, name="team_new"),
    path("orgs/<int:pk>/demands/new/", views.demand_new, name="demand_new"),
    # A team, its members and services.
    path("teams/<int:pk>/", team_views.team, name="team"),
    path("teams/<int:pk>/members/new/", team_views.member_add, name="member_add"),
    path("teams/<int:pk>/services/new/", team_views.service_new, name="service_new"),
    path("members/<int:pk>/role/", team_views.member_role, name="member_role"),
    path("members/<int:pk>/remove/", team_views.member_remove, name="member_remove"),
    path("services/<int:pk>/", team_views.service, name="service"),
    path("services/<int:pk>/confirm/", team_views.service_confirm, name="service_confirm"),
    path("services/<int:pk>/reject/", team_views.service_reject, name="service_reject"),
    path("services/<int:pk>/correct/", team_views.service_correct, name="service_correct"),
]
