from django.urls import path

from . import views

app_name = "prayers"

urlpatterns = [
    path("<int:pk>/prayed/", views.prayed, name="prayed"),
    path("<int:pk>/unprayed/", views.unprayed, name="unprayed"),
]
