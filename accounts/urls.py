from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("confirmation/again/", views.resend_confirmation, name="resend-confirmation"),
    path("delete/", views.delete, name="delete"),
    path("welcome/", views.welcome, name="welcome"),
    path("export/", views.export, name="export"),
    path("prayers/", views.my_prayers, name="prayers"),
]
