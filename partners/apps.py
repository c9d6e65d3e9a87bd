from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners"

    def ready(self):
        from library import jobs

        # Hourly: it mails last year's statements from January 15 (partners.statements).
        jobs.every("Site: send year-end giving statements", "partners.statements.send_due",
                   minutes=60)
        from django.core.checks import register

        from . import giving

        register(giving.check_receipt_settings, deploy=True)
