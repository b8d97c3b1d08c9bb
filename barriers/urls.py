from django.urls import path

from barriers import views

app_name = "barriers"
urlpatterns = [
    path("systemhinder/", views.barrier_list_view, name="list"),
    path("systemhinder/ny/", views.barrier_create_view, name="create"),
    path("systemhinder/fran-knut/<str:key>/", views.barrier_from_knot_view, name="from_knot"),
    path("systemhinder/<int:pk>/", views.barrier_detail_view, name="detail"),
    path("systemhinder/<int:pk>/underlag/", views.barrier_dossier_view, name="dossier"),
    path("systemhinder/<int:pk>/underlag/pdf/", views.barrier_dossier_pdf_view, name="dossier_pdf"),
    path("analys/historik/", views.audit_view, name="audit"),
    path("styrgrupper/", views.inbox_list_view, name="inboxes"),
    path("styrgrupper/<slug:slug>/", views.inbox_view, name="inbox"),
    path("styrgrupper/<slug:slug>/arende/<int:escalation_id>/", views.decide_view, name="decide"),
    path("styrgrupper/<slug:slug>/dagordning/", views.agenda_view, name="agenda"),
]
