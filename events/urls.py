from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("calendar.ics", views.all_calendar, name="calendar"),
    path("states/<slug:slug>/calendar.ics", views.state_calendar, name="state-calendar"),
    path("recordings/", views.recording_list, name="recordings"),
    path("recordings/feed/", views.podcast_feed, name="podcast"),
    path("reminders/confirm/<str:token>/", views.confirm, name="confirm"),
    path("reminders/stop/<str:token>/", views.stop, name="stop"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/calendar.ics", views.event_calendar, name="event-calendar"),
    path("<slug:slug>/remind/", views.remind, name="remind"),
    path("<slug:slug>/remind/stop/", views.unremind, name="unremind"),
]
