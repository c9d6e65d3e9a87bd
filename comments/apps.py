from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self):
        from . import conversations  # noqa: F401 - registers the "thread" part of pages
