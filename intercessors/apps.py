from django.apps import AppConfig


class IntercessorsConfig(AppConfig):
    name = "intercessors"
    verbose_name = "Site"
