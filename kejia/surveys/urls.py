"""Surveys pages (views.py)."""

from django.urls import path

from kejia.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.home, name="home"),
]
