from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Prayer calls and gatherings"

    def ready(self):
        from library import jobs
        from states import sections

        from . import views

        # A state's page lists its calls and gatherings.
        sections.register(template="events/includes/_state_section.html",
                          data=views.state_section)
        jobs.every("Site: send event reminders", "events.reminders.send_due", minutes=1)
        jobs.every("Site: tell of changed events", "events.reminders.tell_changes", minutes=5)
