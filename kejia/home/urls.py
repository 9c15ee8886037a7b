"""Online home pages (views.py), mounted at the site root before the organization pages."""

from django.urls import path

from kejia.home import views

app_name = "home"

urlpatterns = [
    # Before kejia.organizations' "" (its dashboard, which `front` still serves to signed-in users).
    path("", views.front, name="front"),
    path("find/", views.find, name="find"),
    path("a/<int:pk>/", views.association, name="association"),
    path("me/", views.home, name="me"),
]
