from django.urls import path

from federation import views

app_name = "federation"
urlpatterns = [
    path("nationellt/", views.round_list_view, name="rounds"),
    path("nationellt/<slug:key>/", views.round_detail_view, name="round"),
    path("nationellt/<slug:key>/svar/", views.round_submit_view, name="submit"),
    path("nationellt/<slug:key>/hamta/", views.round_pull_view, name="pull"),
    path(
        "nationellt/<slug:key>/knut/<int:index>/hinder/",
        views.national_barrier_create_view,
        name="barrier_create",
    ),
    path("nationella-hinder/", views.national_barriers_view, name="national_barriers"),
    path(
        "nationella-hinder/<int:pk>/skicka/",
        views.national_barrier_publish_view,
        name="publish",
    ),
    path("nationella-hinder/fran-nationell-niva/", views.notices_view, name="notices"),
    path("federation/svara/", views.answer_view, name="answer"),
]
