from django.urls import path, re_path

from . import views

app_name = "updates"

urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("check-your-inbox/", views.check_inbox, name="check-inbox"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("pray/<str:token>/", views.pray, name="pray"),
    path("leave/<str:token>/", views.leave, name="leave"),
    path("mine/", views.mine, name="mine"),
    path("archive/", views.archive_list, name="archive"),
    re_path(r"^archive/(?P<kind>daily|weekly)/(?P<day>\d{4}-\d{2}-\d{2})/$",
            views.archive_edition, name="archive-edition"),
    path("archive/letters/<int:pk>/", views.archive_letter, name="archive-letter"),
]
