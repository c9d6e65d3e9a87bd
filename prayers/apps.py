from django.apps import AppConfig


class PrayersConfig(AppConfig):
    name = "prayers"
    verbose_name = "Prayers"

    def ready(self):
        from intercessors import jobs

        from . import parts  # noqa: F401 - registers the "I Prayed" part of pages

        jobs.every("Site: tell those who prayed of answers", "prayers.updates.tell_answered",
                   minutes=1)
        jobs.every("Site: take expired requests off the wall and remind requesters",
                   "prayers.updates.tend_wall", minutes=10)
        jobs.every("Site: send requesters their daily count of prayers",
                   "prayers.updates.send_digests", minutes=60)
