from django.urls import path

from kejia.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.profile_view, name="profile"),
    path("me/token/", views.token_view, name="token"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("me/password/", views.password_change, name="password_change"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/confirm/", views.password_reset_confirm, name="password_reset_confirm"),
    path("register/", views.register, name="register"),
    path("register/confirm/", views.register_confirm, name="register_confirm"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/read/", views.notices_read_all, name="notices_read_all"),
    path("notices/<int:pk>/", views.notice_open, name="notice_open"),
    path("notices/<int:pk>/read/", views.notice_read, name="notice_read"),
]
