"""Volunteer service pages (views.py)."""

from django.urls import path

from kejia.volunteering import views

app_name = "volunteering"

urlpatterns = [
    path("", views.home, name="home"),
]
