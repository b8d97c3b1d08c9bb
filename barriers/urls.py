from django.urls import path

from barriers import attachment_views, views

app_name = "barriers"
urlpatterns = [
    path("systemhinder/", views.barrier_list_view, name="list"),
    path("systemhinder/ny/", views.barrier_create_view, name="create"),
    path("systemhinder/fran-knut/<str:key>/", views.barrier_from_knot_view, name="from_knot"),
    path("systemhinder/<int:pk>/", views.barrier_detail_view, name="detail"),
    # One POST-only URL per action on the page, as the API's actions on a barrier.
    path("systemhinder/<int:pk>/andra/", views.barrier_update_view, name="barrier_update"),
    path("systemhinder/<int:pk>/status/", views.barrier_transition_view, name="barrier_transition"),
    path("systemhinder/<int:pk>/eskalera/", views.barrier_escalate_view, name="barrier_escalate"),
    path("systemhinder/<int:pk>/sammanfoga/", views.barrier_merge_view, name="barrier_merge"),
    path("systemhinder/<int:pk>/dela/", views.barrier_split_view, name="barrier_split"),
    path("systemhinder/<int:pk>/exempel/", views.barrier_examples_view, name="barrier_examples"),
    path(
        "systemhinder/<int:pk>/underlag/lagg-till/",
        views.barrier_evidence_add_view,
        name="evidence_add",
    ),
    path(
        "systemhinder/<int:pk>/underlag/ta-bort/",
        views.barrier_evidence_remove_view,
        name="evidence_remove",
    ),
    path(
        "systemhinder/<int:pk>/eskalering/<int:escalation_pk>/dra-tillbaka/",
        views.escalation_withdraw_view,
        name="escalation_withdraw",
    ),
    path("systemhinder/<int:pk>/underlag/", views.barrier_dossier_view, name="dossier"),
    path("systemhinder/<int:pk>/kommentar/", views.barrier_comment_view, name="comment"),
    path("systemhinder/<int:pk>/underlag/pdf/", views.barrier_dossier_pdf_view, name="dossier_pdf"),
    path(
        "systemhinder/<int:pk>/bilagor/",
        attachment_views.attachment_add_view,
        name="attachment_add",
    ),
    path(
        "systemhinder/<int:pk>/bilagor/<int:attachment_pk>/",
        attachment_views.attachment_download_view,
        name="attachment_download",
    ),
    path(
        "systemhinder/<int:pk>/bilagor/<int:attachment_pk>/ta-bort/",
        attachment_views.attachment_remove_view,
        name="attachment_remove",
    ),
    path("analys/historik/", views.audit_view, name="audit"),
    path("styrgrupper/", views.inbox_list_view, name="inboxes"),
    path("styrgrupper/beslut/", views.decisions_export_view, name="decisions_export"),
    path("styrgrupper/<slug:slug>/", views.inbox_view, name="inbox"),
    path("styrgrupper/<slug:slug>/arende/<int:escalation_id>/", views.decide_view, name="decide"),
    path("styrgrupper/<slug:slug>/dagordning/", views.agenda_view, name="agenda"),
]
