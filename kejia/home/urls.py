"""Online home pages (views.py)."""

from django.urls import path

from kejia.home import views

app_name = "home"

urlpatterns = [
    path("me/", views.home, name="me"),
]
