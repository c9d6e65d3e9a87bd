"""Monthly and one-time partners of the ministry: their pledges, for staff to follow up."""
from django.conf import settings
from django.db import models


class PartnerPledge(models.Model):
    """A supporter's promise of monthly or one-time support, for staff to follow up.
    No card data is ever stored or accepted."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        ONE_TIME = "one_time", "One time"

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        ACTIVE = "active", "Active"
        CANCELLED = "cancelled", "Cancelled"

    reference = models.CharField(max_length=12, unique=True, editable=False)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    state = models.ForeignKey(
        "states.State", null=True, blank=True, on_delete=models.SET_NULL, related_name="pledges"
    )
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    wants_emails = models.BooleanField("receive emails from the ministry", default=False)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="pledges",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    staff_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=5, amount__lte=100000),
                name="pledge_amount_5_to_100000",
            ),
        ]
        indexes = [
            models.Index(fields=["email", "created_at"], name="pledge_email_time_idx"),
            models.Index(fields=["status", "frequency"], name="pledge_status_freq_idx"),
        ]

    def __str__(self):
        return f"{self.reference} {self.first_name} {self.last_name}"

    @property
    def amount_display(self) -> str:
        whole = self.amount == self.amount.to_integral_value()
        return f"${self.amount:,.0f}" if whole else f"${self.amount:,.2f}"

    @property
    def in_words(self) -> str:
        """ "$50 every month" or "$50 once"."""
        if self.frequency == self.Frequency.MONTHLY:
            return f"{self.amount_display} every month"
        return f"{self.amount_display} once"
