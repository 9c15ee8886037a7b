from django.urls import path

from kejia.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("new/", views.batch_new, name="new"),
    path("template.xlsx", views.template, name="template"),
    path("<int:pk>/", views.batch_detail, name="detail"),
    path("<int:pk>/report.xlsx", views.batch_report, name="report"),
    path("<int:pk>/good-rows/", views.batch_good_rows, name="good_rows"),
    path("organizations/", views.organization_matches, name="organizations"),
]
