from django.urls import path

from . import views, wall

app_name = "prayers"

urlpatterns = [
    path("<int:pk>/prayed/", views.prayed, name="prayed"),
    path("<int:pk>/unprayed/", views.unprayed, name="unprayed"),
    path("requests/", wall.wall, name="requests"),
    path("requests/new/", wall.request_new, name="request-new"),
    path("requests/answered/", wall.praise, name="praise"),
    path("requests/pray/", wall.pray_through, name="pray-through"),
    path("requests/<int:pk>/", wall.request_detail, name="request"),
    path("requests/<int:pk>/edit/", wall.request_edit, name="request-edit"),
    path("requests/<int:pk>/delete/", wall.request_delete, name="request-delete"),
    path("requests/<int:pk>/report/", wall.request_report, name="request-report"),
    path("requests/<int:pk>/update/", wall.request_update, name="request-update"),
    path("requests/<int:pk>/renew/", wall.request_renew, name="request-renew"),
    path("requests/<int:pk>/daily-mail/", wall.request_daily_mail, name="request-daily-mail"),
    path("requests/<int:pk>/notes-shown/", wall.request_notes_public, name="request-notes-public"),
    path("requests/<int:pk>/urgent/", wall.request_urgent, name="request-urgent"),
    path("notes/<int:pk>/report/", wall.note_report, name="note-report"),
    path("requests/<int:pk>/quiet/<str:token>/", wall.request_quiet, name="request-quiet"),
]
