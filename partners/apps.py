from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners"

    def ready(self):
        from django.core.checks import register

        from . import giving

        register(giving.check_receipt_settings, deploy=True)
