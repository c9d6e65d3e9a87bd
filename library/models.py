"""The library's own tables: mail waiting and sent (the outbox), letters relayed
from readers, addresses the mail provider reported, and rate-limit windows
counted in the database. They were made
under the site's package (`intercessors_…`) and keep those tables."""
from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


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


# The mail written for many readers at once, test copies included: staff mailings,
# the daily email, the weekly digest and state alerts. No security mail and no
# notice to one member is among them.
BULK_KINDS = frozenset({"updates/email/mailing", "updates/email/daily",
                        "updates/email/weekly", "updates/email/state"})


class OutboxMessageQuerySet(models.QuerySet):
    def bulk(self):
        """The mail sent to many (`OutboxMessage.is_bulk`)."""
        return self.filter(kind__in=BULK_KINDS, keeps=OutboxMessage.Keeps.EVERYTHING)

    def visible_to(self, user):
        """The mail `user` may read in admin: every mail with the permission to view
        mail (a security mail's envelope only, as the admin shows it); with the
        permission to view bulk mail (Editors), the mail sent to many; else none."""
        if user.has_perm("library.view_outboxmessage"):
            return self
        if user.has_perm("library.view_bulk_mail"):
            return self.bulk()
        return self.none()


class OutboxMessage(models.Model):
    """One mail to one recipient, recorded in the transaction of the write that
    causes it and delivered by a background job (library.mail.outbox)."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    class Keeps(models.TextChoices):
        # What stays readable, in admin and in the table, once the message is sent.
        EVERYTHING = "everything", "Everything"
        ENVELOPE = "envelope", "Recipient, kind and status"  # security mails: their links
        STATUS = "status", "Kind and status"  # to an account that is gone

    kind = models.CharField(max_length=100, help_text="Which of the site's mails this is.")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    to = models.CharField("recipient", max_length=254)
    from_email = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # Kept from the moment it is recorded, so a repeat is recognised as the same mail.
    message_id = models.CharField("Message-ID", max_length=255, unique=True)
    keeps = models.CharField(max_length=10, choices=Keeps.choices, default=Keeps.EVERYTHING)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    tries = models.PositiveIntegerField(default=0)
    next_try_at = models.DateTimeField(default=timezone.now)
    # The delivery run holding the message, and until when (library.mail.outbox).
    held_by = models.CharField(max_length=16, blank=True, editable=False)
    held_until = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Bulk mail: "<mailing>:<recipient>", unique, so a mailing recorded twice (send
    # pressed twice, a worker that died mid-way) records each recipient's copy once.
    batch_key = models.CharField(max_length=100, blank=True, default="", editable=False)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        db_table = "intercessors_outboxmessage"
        ordering = ["-created_at", "-id"]
        verbose_name = "mail"
        verbose_name_plural = "mail"
        permissions = [("view_bulk_mail", "Can view mail sent to many (mailings, prayer updates)")]
        indexes = [
            models.Index(fields=["next_try_at"], name="outbox_waiting",
                         condition=models.Q(status="waiting")),
            models.Index(fields=["member", "status"], name="outbox_member"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["batch_key"], name="one_copy_per_batch_key",
                                    condition=~models.Q(batch_key="")),
        ]

    def __str__(self):
        # Titles and breadcrumbs name the address in part: the fields that show it
        # whole are for the staff allowed to read it.
        return f"{self.get_kind_display()} to {self.to_in_part or 'a deleted account'}"

    @property
    def to_in_part(self) -> str:
        """"r•••@example.org": enough to tell copies apart, not to read a list."""
        local, at, domain = self.to.partition("@")
        return f"{local[:1]}•••{at}{domain}" if self.to else ""

    def get_kind_display(self) -> str:
        from library.mail.compose import kind_label

        return kind_label(self.kind)

    @property
    def is_security(self) -> bool:
        return self.keeps != self.Keeps.EVERYTHING

    @property
    def is_bulk(self) -> bool:
        """Sent to many: a mailing (or its test copy) or a prayer update."""
        return self.kind in BULK_KINDS and not self.is_security


class LetterQuerySet(models.QuerySet):
    def held(self):
        return self.filter(status=Letter.Status.HELD)


class Letter(models.Model):
    """A reader's message to someone whose address the reader never sees (the
    ministry's staff from the contact page), relayed by mail with the reader's
    address as Reply-To (library.mail.relay). Kept so that one carrying links can
    wait for staff, and so that nothing is lost while the mail server is away."""

    class Status(models.TextChoices):
        HELD = "held", "Waiting for staff"
        SENT = "sent", "Sent on"
        DISCARDED = "discarded", "Discarded"

    kind = models.CharField(max_length=40, help_text="Which form it was written in.")
    to = models.CharField("recipient", max_length=254)
    to_name = models.CharField(
        "recipient's name", max_length=100, default="our team",
        help_text="How the reader knows the recipient, in the copy they are sent.")
    sender_name = models.CharField("from", max_length=100)
    sender_email = models.CharField("reader's address", max_length=254)
    subject = models.CharField(max_length=150)
    body = models.TextField("message")
    copy_to_sender = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = LetterQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("view_letter_sender", "Can see the address a letter was written from")]
        indexes = [models.Index(fields=["status", "created_at"], name="letter_status")]

    def __str__(self):
        return f"{self.subject} (from {self.sender_name})"

    @property
    def sender_in_part(self) -> str:
        """"l•••@example.org": for staff who may read letters but not their senders."""
        local, at, domain = self.sender_email.partition("@")
        return f"{local[:1]}•••{at}{domain}" if self.sender_email else ""


class SuppressedAddress(models.Model):
    """An address the mail provider told us bounced for good or complained: it gets
    no more bulk mail (prayer updates, mailings). Mail it asked for (a password
    reset, a confirmation) still goes."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", "Bounced for good"
        COMPLAINED = "complained", "Marked as spam"
        REJECTED = "rejected", "Refused by the provider"
        STAFF = "staff", "Added by staff"

    email = models.CharField(max_length=254)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "intercessors_suppressedaddress"
        ordering = ["-created_at"]
        verbose_name = "suppressed address"
        verbose_name_plural = "suppressed addresses"
        constraints = [models.UniqueConstraint(Lower("email"), name="one_suppression_each")]

    def __str__(self):
        return f"{self.email} ({self.get_reason_display()})"


class JobRun(models.Model):
    """One background job's run (library.jobs.run): held while it runs, so the same
    job handed out again by the queue does not run beside it or after it."""

    task = models.CharField(max_length=64, unique=True, help_text="The queue's task id.")
    func = models.CharField(max_length=200)
    held_by = models.CharField(max_length=16, blank=True)
    held_until = models.DateTimeField(null=True, blank=True)
    runs = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "job run"

    def __str__(self):
        return f"{self.func} ({self.task})"
