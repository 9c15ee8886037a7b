from django.urls import path

from kejia.reference import views

app_name = "reference"
urlpatterns = [
    path("picker/", views.picker, name="picker"),
    path("disciplines/", views.disciplines, name="disciplines"),
]
