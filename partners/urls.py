from django.urls import path

from . import views

app_name = "partner"

urlpatterns = [
    path("", views.partner, name="signup"),
    path("thanks/", views.partner_thanks, name="thanks"),
    path("manage/", views.manage_mine, name="manage-mine"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
]
