from django.urls import path

from kejia.reference import views

app_name = "reference"
urlpatterns = [
    path("children/", views.region_children, name="children"),
    path("search/", views.region_search, name="search"),
]
