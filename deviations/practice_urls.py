from django.urls import path

from deviations import practice_views as views

app_name = "practices"
urlpatterns = [
    path("", views.practice_list_view, name="list"),
    path("ny/", views.practice_create_view, name="create"),
    path("<str:reference>/", views.practice_detail_view, name="detail"),
]
