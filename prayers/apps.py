from django.apps import AppConfig


class PrayersConfig(AppConfig):
    name = "prayers"
    verbose_name = "Prayers"

    def ready(self):
        from library import jobs

        from . import parts  # noqa: F401 - registers the "I Prayed" part of pages

        jobs.every("Site: tell those who prayed of answers", "prayers.followup.tell_answered",
                   minutes=1)
        jobs.every("Site: take expired requests off the wall and remind requesters",
                   "prayers.followup.tend_wall", minutes=10)
        jobs.every("Site: send requesters their daily count of prayers",
                   "prayers.followup.send_digests", minutes=60)
