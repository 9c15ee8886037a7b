from django.urls import path

from kejia.grassroots import views

app_name = "grassroots"
urlpatterns = [
    path("categories/", views.categories, name="categories"),
    path("orgs/<int:pk>/", views.area, name="area"),
]
