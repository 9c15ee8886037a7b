from django.urls import path

from kejia.search import views

app_name = "search"
urlpatterns = [
    path("", views.experts, name="experts"),
    path("organizations/", views.organizations, name="organizations"),
]
