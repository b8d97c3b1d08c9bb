from django.urls import path

from deviations import account_views

app_name = "accounts"
urlpatterns = [
    path("", account_views.account_list_view, name="list"),
    path("bjud-in/", account_views.account_invite_view, name="invite"),
    path("<int:pk>/", account_views.account_detail_view, name="detail"),
    path("<int:pk>/aktiv/", account_views.account_active_view, name="active"),
    path("<int:pk>/skicka-inbjudan/", account_views.account_resend_view, name="resend"),
    path("<int:pk>/ta-bort/", account_views.account_remove_view, name="remove"),
]
