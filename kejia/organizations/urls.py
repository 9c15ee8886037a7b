from django.urls import path

from kejia.organizations import views

app_name = "organizations"
urlpatterns = [
    path("orgs/", views.tree, name="tree"),
    path("orgs/search/", views.search, name="search"),
    path("orgs/<int:pk>/", views.detail, name="detail"),
    path("orgs/<int:pk>/children/", views.children, name="children"),
    path("orgs/<int:pk>/new/", views.create, name="create"),
    path("orgs/<int:pk>/edit/", views.edit, name="edit"),
    path("orgs/<int:pk>/status/", views.change_status, name="status"),
    path("orgs/<int:pk>/move/", views.move, name="move"),
    path("orgs/<int:pk>/roles/", views.roles, name="roles"),
    path("coverage/", views.coverage, name="coverage"),
    path("filings/", views.filing_list, name="filing_list"),
    path("filings/new/", views.filing_new, name="filing_new"),
    path("filings/<int:pk>/", views.filing_detail, name="filing_detail"),
    path("filings/<int:pk>/edit/", views.filing_edit, name="filing_edit"),
    path("filings/<int:pk>/approve/", views.filing_approve, name="filing_approve"),
    path("filings/<int:pk>/return/", views.filing_return, name="filing_return"),
    path("filings/<int:pk>/withdraw/", views.filing_withdraw, name="filing_withdraw"),
    path("audit/", views.audit, name="audit"),
]
