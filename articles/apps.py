from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Prayer posts"

    def ready(self):
        from comments import targets
        from library import jobs
        from states import sections

        from .models import Article
        from .views import state_posts

        # A post's conversation is as visible as the post: to all once published,
        # to staff before.
        targets.register(Article, visible=lambda post, user: post.is_public or user.is_staff)
        sections.register(template="articles/includes/_state_posts.html", data=state_posts)
        jobs.every("Site: write read counts", "articles.reads.flush", minutes=1)
