from django.apps import AppConfig


class IntercessorsConfig(AppConfig):
    """The site: settings, URLs, its own pages and the commands that seed it."""

    name = "intercessors"
    verbose_name = "Site"
