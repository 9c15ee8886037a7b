"""Voice pages (views.py)."""

from django.urls import path

from kejia.voice import views

app_name = "voice"

urlpatterns = [
    path("", views.home, name="home"),
]
