from django.urls import path

from . import views

app_name = "states"

urlpatterns = [
    path("", views.state_index, name="index"),
    path("<slug:slug>/", views.state_detail, name="detail"),
    path("<slug:slug>/write/", views.write_to_coordinator, name="write"),
]
