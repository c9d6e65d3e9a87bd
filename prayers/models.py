"""US states (and, as the site grows, prayer prompts and "I Prayed" marks)."""
from django.db import models
from django.urls import reverse


class State(models.Model):
    code = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("states:detail", kwargs={"slug": self.slug})
