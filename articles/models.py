"""Prayer posts: article excerpts with attribution, topics and reading time."""
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from library.rules import PUBLISHED, is_published, published_q
from library.text.markup import (
    clean_plain_text,
    html_to_text,
    reading_minutes,
    render_markdown,
    shorten,
)


class Topic(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:list") + f"?topic={self.slug}"


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_q())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = PUBLISHED, "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "publish time",
        default=timezone.now,
        help_text="A time in the future schedules the post.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        limit_choices_to={"is_staff": True},
    )
    body = models.TextField(
        "excerpt",
        help_text="Markdown: **bold**, _italic_, [link](https://…), > quote, - lists, ## heading.",
    )
    body_html = models.TextField(editable=False, default="")
    summary = models.CharField(
        max_length=300,
        blank=True,
        help_text="One or two sentences for lists, search results and link previews. "
        "Left empty, the start of the excerpt is used.",
    )
    # What lists, search results and link previews show: the summary, or the
    # start of the excerpt. Stored so lists never load whole bodies.
    teaser = models.CharField(max_length=300, editable=False, default="")
    reading_time = models.PositiveSmallIntegerField(default=1, editable=False)
    question = models.CharField(
        "question to readers",
        max_length=200,
        blank=True,
        help_text="Shown above the conversation, e.g. “How are you praying for …?”",
    )

    source_name = models.CharField(max_length=120, blank=True, help_text="e.g. The Daily Ledger")
    source_url = models.URLField(max_length=500, blank=True)
    is_excerpt = models.BooleanField(
        default=True, help_text="Show the notice that the text is an excerpt of the source."
    )
    photo = models.FileField(
        upload_to="photos/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp", "gif"])],
    )
    # Made from the photo by the post service (library.web.images.renditions).
    photo_small = models.FileField(upload_to="photos/%Y/%m/", blank=True, editable=False)
    photo_large = models.FileField(upload_to="photos/%Y/%m/", blank=True, editable=False)
    photo_share = models.FileField(upload_to="photos/%Y/%m/", blank=True, editable=False)
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_alt = models.CharField("photo description", max_length=200, blank=True)
    photo_credit = models.CharField(max_length=200, blank=True)

    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    states = models.ManyToManyField("states.State", blank=True, related_name="articles")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A post's conversation goes with it.
    comments = GenericRelation("comments.Comment")
    # Kept by the database on PostgreSQL (articles migration 0005); unused elsewhere.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = "prayer post"
        indexes = [
            models.Index(
                fields=["status", "-published_at", "-id"], name="article_status_pub_idx"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        for name in ("title", "summary", "question", "source_name", "photo_alt", "photo_credit"):
            setattr(self, name, clean_plain_text(getattr(self, name)))
        self.body_html = render_markdown(self.body, rich=True)
        self.reading_time = reading_minutes(self.body_html)
        self.teaser = self.summary or shorten(html_to_text(self.body_html), 200)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"], "body_html", "reading_time", "teaser"
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def page_scope(self) -> str:
        """What a change to this post, or its conversation, retires (library.pages.pagecache)."""
        return f"article:{self.slug}"

    @property
    def is_public(self) -> bool:
        return is_published(self.status, self.published_at)

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and not self.is_public

    @property
    def opening_prayer(self):
        """The prayer that opens the post. Every post saved through the post service
        has one; a post written straight to the table may not, and this is the one
        place that allows for it."""
        return getattr(self, "prayer", None)

    @property
    def safe_source_url(self) -> str:
        """The source link, only if it is a web address."""
        return self.source_url if self.source_url.startswith(("https://", "http://")) else ""

    @property
    def description(self) -> str:
        return self.teaser


class ReadDay(models.Model):
    """How many readers read a post on one day (each counted once that day). Only
    counts are stored: never who read what (articles.reads)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="read_days")
    day = models.DateField()
    readers = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "day"], name="readday_article_day_uniq"),
        ]
        indexes = [models.Index(fields=["day", "article"], name="readday_day_idx")]

    def __str__(self):
        return f"{self.article_id} on {self.day}: {self.readers}"
