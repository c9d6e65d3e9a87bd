from django.apps import AppConfig


class UpdatesConfig(AppConfig):
    name = "updates"
    verbose_name = "Prayer updates by email"

    def ready(self):
        from library import jobs

        from . import parts  # noqa: F401  (registers the sign-up box's part)

        jobs.every("Site: send the daily and weekly prayer updates", "updates.editions.send_due",
                   minutes=10)
        jobs.every("Site: mail prayer updates a batch at a time", "updates.editions.fan_out",
                   minutes=1)
        jobs.every("Site: send staff mailings", "updates.mailings.fan_out", minutes=1)
        jobs.every("Site: mail urgent prayer requests", "updates.urgent.send_urgent",
                   minutes=10)
