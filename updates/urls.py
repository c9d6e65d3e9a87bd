from django.urls import path

from . import views

app_name = "updates"

urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("check-your-inbox/", views.check_inbox, name="check-inbox"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("pray/<str:token>/", views.pray, name="pray"),
    path("leave/<str:token>/", views.leave, name="leave"),
    path("mine/", views.mine, name="mine"),
]
