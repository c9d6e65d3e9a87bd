from django.urls import path

from . import views
from .feeds import LatestArticlesFeed

app_name = "articles"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("feed/", LatestArticlesFeed(), name="feed"),
    path("<slug:slug>/", views.article_detail, name="detail"),
    path("<int:article_id>/read.gif", views.read_beacon, name="read"),
]
