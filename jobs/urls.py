from django.urls import path

from jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list_view, name="list"),
    path("starta/", views.job_start_view, name="start"),
    path("<uuid:key>/", views.job_detail_view, name="detail"),
    path("<uuid:key>/status/", views.job_status_view, name="status"),
    path("<uuid:key>/kor-igen/", views.job_retry_view, name="retry"),
    path("<uuid:key>/fil/", views.job_output_view, name="output"),
]
