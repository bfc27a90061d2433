"""Home, sign-in and password reset, notifications.

No namespace: Django's auth views reverse ``password_reset_done`` and friends by
their plain names.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from inhouse.org.signin import ThrottledAuthenticationForm
from inhouse.web.views import assets, home, notifications

urlpatterns = [
    path("", home.home, name="home"),
    path("favicon.ico", assets.favicon, name="favicon"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            redirect_authenticated_user=True,
            authentication_form=ThrottledAuthenticationForm,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # django.contrib.admin ships templates under the default reset names and comes
    # first in INSTALLED_APPS, so ours are named differently.
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="registration/reset_form.html",
            email_template_name="registration/reset_email.txt",
            subject_template_name="registration/reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("notifications/", notifications.notifications, name="notifications"),
    path(
        "notifications/settings/",
        notifications.notification_settings,
        name="notification-settings",
    ),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications-read-all",
    ),
    path(
        "notifications/<id:notification_id>/read/",
        notifications.notification_read,
        name="notification-read",
    ),
]
