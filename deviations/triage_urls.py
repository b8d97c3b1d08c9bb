from django.urls import path

from deviations import triage_views

app_name = "triage"
urlpatterns = [
    path("", triage_views.triage_queue_view, name="queue"),
    path("flera/", triage_views.triage_bulk_view, name="bulk"),
    path("angra/<int:action_id>/", triage_views.triage_undo_view, name="undo"),
    path("<str:reference>/", triage_views.triage_deviation_view, name="deviation"),
]
