from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_two_factor

urlpatterns = [
    path("i18n/setlang/", views.language_switch, name="set_language"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views_two_factor.login_code, name="login_code"),
    path("account/two-factor/", views_two_factor.two_factor_setup, name="two_factor_setup"),
    path(
        "account/two-factor/recovery-codes/",
        views_two_factor.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("account/two-factor/off/", views_two_factor.two_factor_disable, name="two_factor_disable"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("account/", views.profile, name="profile"),
    path("org/", views.organisation_home, name="organisation_home"),
    path("org/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("org/<int:pk>/invitations/", views.invitation_new, name="invitation_new"),
    path("org/<int:pk>/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
