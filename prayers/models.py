"""Prayer prompts and the "I Prayed" marks that count them."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from intercessors.markup import clean_plain_text, shorten
from intercessors.rules import published_q


class PrayerQuerySet(models.QuerySet):
    def visible(self):
        """Prayers the public may see and mark: published standalone prompts,
        and prompts of published posts."""
        return self.filter(
            Q(article__isnull=True, published_at__lte=timezone.now())
            | published_q("article__")
        )

    def standalone(self):
        return self.filter(article__isnull=True)


class Prayer(models.Model):
    text = models.TextField(
        "prayer",
        max_length=1000,
        help_text="The prayer that opens the post, e.g. “Father, we pray that …”.",
    )
    article = models.OneToOneField(
        "articles.Article",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="prayer",
    )
    state = models.ForeignKey(
        "states.State",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prayers",
        help_text="For a standalone prompt on a state page.",
    )
    published_at = models.DateTimeField(
        default=timezone.now,
        help_text="Standalone prompts appear from this time; a post's prompt follows its post.",
    )
    # Kept exact by prayers.services.mark_prayed, the only writer of marks.
    prayed_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PrayerQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["state", "-published_at"], name="prayer_state_pub_idx"),
        ]

    def __str__(self):
        return shorten(self.text, 80)

    def save(self, *args, **kwargs):
        self.text = clean_plain_text(self.text)
        if not self._state.adding and kwargs.get("update_fields") is None:
            # The counter belongs to mark_prayed; a form saving a prayer loaded
            # a moment ago must not write back an older count.
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "prayed_count"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        if self.article_id:
            return self.article.get_absolute_url() + f"#prayer-{self.pk}"
        if self.state_id:
            return self.state.get_absolute_url() + f"#prayer-{self.pk}"
        return reverse("home") + f"#prayer-{self.pk}"


class PrayerMark(models.Model):
    """One member prayed one prayer. The unique constraint is what keeps the
    counter exact when the same member clicks many times at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prayer_marks"
    )
    prayer = models.ForeignKey(Prayer, on_delete=models.CASCADE, related_name="marks")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "prayer"], name="one_mark_per_member")
        ]
        indexes = [models.Index(fields=["prayer", "created_at"], name="mark_prayer_time_idx")]

    def __str__(self):
        return f"{self.user_id} prayed {self.prayer_id}"
