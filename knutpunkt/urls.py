"""The project's root URLs: each app's own URLs under its Swedish path."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from api import pages as api_pages
from barriers import search_views
from core import account_views, metrics
from core import views as core_views
from deviations import views as deviation_views
from deviations.sso import signin as sso_signin
from jobs import health as jobs_health

urlpatterns = [
    path("", deviation_views.home_view, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("healthz/ready", jobs_health.healthz_ready, name="healthz_ready"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("tillganglighet/", core_views.accessibility, name="accessibility"),
    path("lattlast/", core_views.easy_read, name="easy_read"),
    path(
        "konto/logga-in/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("konto/logga-ut/", sso_signin.SignOutView.as_view(), name="logout"),
    path("konto/sso/", include("deviations.sso.urls")),
    path("konto/logga-in/kod/", account_views.two_factor_verify_view, name="two_factor_verify"),
    path(
        "konto/losenord/aterstall/",
        account_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "konto/losenord/aterstall/skickat/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "konto/losenord/aterstall/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "konto/losenord/aterstall/klart/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("konto/losenord/byt/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "konto/losenord/byt/klart/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("konto/tvastegsverifiering/", account_views.two_factor_view, name="two_factor"),
    path(
        "konto/tvastegsverifiering/stang-av/",
        account_views.two_factor_disable_view,
        name="two_factor_disable",
    ),
    path("konto/api-nycklar/", api_pages.tokens_page, name="api_tokens"),
    path("konto/profil/", core_views.profile_view, name="profile"),
    path("konto/aviseringar/", core_views.notifications_view, name="notifications"),
    path(
        "konto/aviseringar/<int:pk>/",
        core_views.notification_open_view,
        name="notification_open",
    ),
    path("sok/", search_views.search_view, name="search"),
    path("konto/vyer/", core_views.saved_views_view, name="saved_views"),
    path("konto/vyer/spara/", core_views.saved_view_save_view, name="saved_view_save"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("avvikelser/", include("deviations.urls")),
    path("guldkorn/", include("deviations.practice_urls")),
    path("anvandare/", include("deviations.account_urls")),
    path("jobb/", include("jobs.urls")),
    path("analys/triage/", include("deviations.triage_urls")),
    path("analys/", include("analytics.urls")),
    path("analys/", include("federation.urls")),
    path("", include("barriers.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Knutpunkt"
admin.site.site_title = "Knutpunkt"
