from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self):
        from . import html  # noqa: F401 - registers the comment actions part of pages
