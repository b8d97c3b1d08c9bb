from django.urls import path

from federation import views

app_name = "federation"
urlpatterns = [
    path("nationellt/", views.round_list_view, name="rounds"),
    path("nationellt/<slug:key>/", views.round_detail_view, name="round"),
    path("nationellt/<slug:key>/svar/", views.round_submit_view, name="submit"),
    path("federation/svara/", views.answer_view, name="answer"),
]
