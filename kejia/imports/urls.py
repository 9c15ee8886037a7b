from django.urls import path

from kejia.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("new/", views.batch_new, name="new"),
    path("template.xlsx", views.template, name="template"),
    path("<int:pk>/", views.batch_detail, name="detail"),
    path("<int:pk>/report.xlsx", views.batch_report, name="report"),
]
