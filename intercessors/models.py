"""The site's own pages (about, contact, privacy), written by staff in admin."""
from django.db import models
from django.urls import reverse

from library.text.markup import clean_plain_text, render_markdown


class SitePage(models.Model):
    """The ministry's own pages (about, contact, privacy), written by staff in admin."""

    class Kind(models.TextChoices):
        ABOUT = "about", "About us"
        CONTACT = "contact", "Contact us"
        PRIVACY = "privacy", "Privacy"

    kind = models.CharField(max_length=10, choices=Kind.choices, unique=True, editable=False)
    title = models.CharField(max_length=120)
    body = models.TextField(
        help_text="Markdown: **bold**, _italic_, [link](https://…), ## headings, - lists. "
        "On the contact page: the ministry's postal address, phone and email, as text.",
    )
    body_html = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = "site page"

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.title = clean_plain_text(self.title)
        self.body_html = render_markdown(self.body, rich=True)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(f"pages:{self.kind}")
