from django.urls import path

from kejia.governance import views

app_name = "governance"

urlpatterns = [
    path("", views.home, name="home"),
]
