from django.urls import path

from kejia.calls import views

app_name = "calls"
urlpatterns = [
    path("", views.call_list, name="list"),
    path("<int:pk>/", views.call_detail, name="detail"),
    path("applications/<int:pk>/", views.application, name="application"),
]
