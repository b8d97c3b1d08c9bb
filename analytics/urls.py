from django.urls import path

from analytics import views

app_name = "analytics"
urlpatterns = [
    path("knutar/", views.knots_view, name="knots"),
    path("knutar/<str:key>/", views.knot_detail_view, name="knot"),
    path("oversikt/", views.overview_view, name="overview"),
    path("statistik/", views.dashboard_view, name="dashboard"),
]
