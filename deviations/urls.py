from django.urls import path

from deviations import views

app_name = "deviations"
urlpatterns = [
    path("", views.deviation_list_view, name="list"),
    path("ny/", views.deviation_create_view, name="create"),
    path("mina/", views.own_deviations_view, name="mine"),
    path("import/", views.import_view, name="import"),
    path("utkast/spara/", views.draft_autosave_view, name="draft_autosave"),
    path("utkast/<uuid:key>/", views.deviation_create_view, name="draft"),
    path("utkast/<uuid:key>/ta-bort/", views.draft_discard_view, name="draft_discard"),
    path("<str:reference>/kvitto/", views.deviation_receipt_view, name="receipt"),
    path("<str:reference>/andra/", views.deviation_correct_view, name="correct"),
    path("<str:reference>/kommentar/", views.deviation_comment_view, name="comment"),
    path("<str:reference>/dra-tillbaka/", views.deviation_withdraw_view, name="withdraw"),
    path("<str:reference>/", views.deviation_detail_view, name="detail"),
]
