from django.urls import path

from . import views

app_name = "partner"

urlpatterns = [
    path("", views.partner, name="signup"),
    path("thanks/", views.partner_thanks, name="thanks"),
]
