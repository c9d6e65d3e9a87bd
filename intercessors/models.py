from django.db import models


class RateLimitBucket(models.Model):
    """One fixed window of one rate limit, counted in the database when no Redis
    is configured. Rows are counted with a single upsert, so racing workers and
    servers cannot both see room under the limit."""

    bucket = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires = models.BigIntegerField(db_index=True, help_text="Unix time the window ends")

    class Meta:
        db_table = "intercessors_ratelimit"

    def __str__(self):
        return f"{self.bucket}: {self.count}"
