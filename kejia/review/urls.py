from django.urls import path

from kejia.review import views

app_name = "review"
urlpatterns = [
    path("", views.my_reviews, name="mine"),
    path("invitations/<int:pk>/", views.invitation, name="invitation"),
    path("sheets/<int:pk>/", views.sheet, name="sheet"),
    path("rounds/<int:pk>/", views.round_page, name="round"),
]
