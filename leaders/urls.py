from django.urls import path

from . import views

app_name = "leaders"

urlpatterns = [
    path("", views.leader_list, name="list"),
    path("prayers/<int:pk>/report/", views.report, name="report"),
    path("prayers/<int:pk>/edit/", views.edit, name="edit"),
    path("prayers/<int:pk>/delete/", views.delete, name="delete"),
    path("<slug:slug>/", views.leader_detail, name="detail"),
    path("<slug:slug>/pray/", views.write_prayer, name="write"),
]
