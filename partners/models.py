"""Monthly and one-time partners of the ministry: their pledges, and the partners and
gifts that Stripe's signed events report."""
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
    # Online giving: the partner it belongs to and the checkout it opened.
    partner = models.ForeignKey(
        "Partner", null=True, blank=True, on_delete=models.SET_NULL, related_name="pledges"
    )
    checkout_session_id = models.CharField(max_length=255, blank=True, default="", db_default="")
    # The form it was sent from with what was asked (services.create_pledge): the same
    # form sent twice is one pledge, whatever the browser kept of the first answer.
    form_key = models.CharField(max_length=64, null=True, blank=True, unique=True,
                                editable=False)
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


class Partner(models.Model):
    """Someone who gives online: a member when they were logged in, otherwise found by
    the email address they gave. Their Stripe customer, and for a monthly partner the
    subscription and how it stands, as Stripe's signed events last reported it."""

    class Subscription(models.TextChoices):
        NONE = "", "No monthly gift"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Past due"
        CANCELLED = "cancelled", "Cancelled"

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="partner",
    )
    email = models.EmailField()
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    stripe_customer_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    stripe_subscription_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    subscription_status = models.CharField(
        max_length=10, choices=Subscription.choices, default=Subscription.NONE, blank=True
    )
    # What the monthly gift is, in cents: what an invoice must agree with.
    monthly_amount_cents = models.PositiveIntegerField(null=True, blank=True)
    # For the giving desk: when a monthly payment last failed (cleared when one is
    # paid again), and when the monthly gift ended.
    payment_failed_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    # When Stripe made the newest event that set the subscription or its state, and
    # the newest that set its amount: Stripe does not promise the order of events,
    # and an older one arriving late changes neither.
    subscription_changed_at = models.DateTimeField(null=True, blank=True)
    monthly_amount_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["email"], name="partner_email_idx"),
            models.Index(fields=["subscription_status"], name="partner_subscription_idx"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def monthly_display(self) -> str:
        return cents_display(self.monthly_amount_cents) if self.monthly_amount_cents else ""


class Gift(models.Model):
    """Money a partner gave, recorded only from Stripe's signed events: a monthly gift
    from a paid invoice, a one-time gift from a paid checkout. Amounts in cents."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        ONE_TIME = "one_time", "One time"

    class Status(models.TextChoices):
        PAID = "paid", "Paid"
        PARTLY_REFUNDED = "partly_refunded", "Partly refunded"
        REFUNDED = "refunded", "Refunded"

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="gifts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="usd")
    given_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PAID)
    refunded_cents = models.PositiveIntegerField(default=0)
    stripe_invoice_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    stripe_checkout_session_id = models.CharField(
        max_length=255, null=True, blank=True, unique=True
    )
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_cents__gt=0),
                                   name="gift_amount_positive"),
            models.CheckConstraint(condition=models.Q(refunded_cents__lte=models.F("amount_cents")),
                                   name="gift_refund_within_amount"),
        ]
        indexes = [
            models.Index(fields=["partner", "given_at"], name="gift_partner_time_idx"),
            models.Index(fields=["given_at"], name="gift_time_idx"),
        ]

    def __str__(self):
        return f"{self.amount_display} on {self.given_at:%Y-%m-%d}"

    @property
    def amount_display(self) -> str:
        return cents_display(self.amount_cents)

    @property
    def refunded_display(self) -> str:
        return cents_display(self.refunded_cents)

    @property
    def kept_cents(self) -> int:
        """What the ministry kept of the gift: its amount less what went back, never
        below nothing."""
        return max(self.amount_cents - self.refunded_cents, 0)

    @property
    def kept_display(self) -> str:
        return cents_display(self.kept_cents)


def cents_display(cents: int) -> str:
    """Cents as donors read dollars: "$50" or "$42.50"."""
    dollars, rest = divmod(cents, 100)
    return f"${dollars:,}" if rest == 0 else f"${dollars:,}.{rest:02d}"


class YearStatement(models.Model):
    """A year-end giving statement the January run made for a partner: one a partner
    and year, so the run sends each once however often it runs. Its total, in cents,
    is what the mail said. Its mail went to the outbox, which sends none to an
    address that bounced for good or complained; the statement is still on the site."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="statements")
    year = models.PositiveSmallIntegerField()
    total_cents = models.PositiveIntegerField()
    gift_count = models.PositiveIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "partner_id"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "year"], name="one_statement_a_year"),
        ]

    def __str__(self):
        return f"{self.year} statement for {self.partner}"

    @property
    def total_display(self) -> str:
        return cents_display(self.total_cents)


class ProcessedEvent(models.Model):
    """A Stripe event taken: its id is inserted in the same transaction as what the
    event changed, so a replayed event finds it and changes nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=100)
    processed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-processed_at"]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"


class GivingAlert(models.Model):
    """An event staff must look at: it named a customer or subscription the site never
    made, or its amount or currency disagreed with ours. Nothing in it was trusted."""

    class Reason(models.TextChoices):
        UNKNOWN_CUSTOMER = "unknown_customer", "Unknown customer or checkout"
        UNKNOWN_SUBSCRIPTION = "unknown_subscription", "Unknown subscription"
        UNKNOWN_PAYMENT = "unknown_payment", "Refund of a payment not recorded here"
        AMOUNT_MISMATCH = "amount_mismatch", "Amount or currency disagrees"
        OTHER_CUSTOMER = "other_customer", "A second Stripe customer for one partner"
        UNREADABLE = "unreadable", "Event could not be read"

    event_id = models.CharField(max_length=255, db_index=True)
    event_type = models.CharField(max_length=100)
    reason = models.CharField(max_length=24, choices=Reason.choices)
    detail = models.TextField(blank=True)
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="alerts")
    resolved = models.BooleanField(default=False)
    staff_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["resolved", "created_at"], name="alert_open_idx")]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.event_type})"
