from django.urls import path

from deviations import views

app_name = "deviations"
urlpatterns = [
    path("", views.deviation_list_view, name="list"),
    path("<str:reference>/", views.deviation_detail_view, name="detail"),
]
