from django.apps import AppConfig


class PrayersConfig(AppConfig):
    name = "prayers"
    verbose_name = "Prayers"
