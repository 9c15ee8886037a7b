"""Activities pages (views.py)."""

from django.urls import path

from kejia.activities import views

app_name = "activities"

urlpatterns = [
    path("", views.home, name="home"),
]
