"""Members: the custom user model with a public display name and a home state."""
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower

from library.rules import DELETED_MEMBER_NAME

from .names import name_key


class MemberManager(UserManager):
    # Pages link to the member's home state; loading it with the member saves
    # a query on every page a member views.
    def get_queryset(self):
        return super().get_queryset().select_related("home_state")

    def create_superuser(self, email=None, password=None, **extra):
        """`manage.py createsuperuser` asks for an email address, as every log-in does.
        The address is verified at once: the person at the keyboard made it theirs."""
        from allauth.account.models import EmailAddress

        email = self.normalize_email(email)
        stem = "".join(c for c in email.split("@")[0] if c.isalnum())[:20] or "staff"
        username = extra.pop("username", None) or stem
        while self.model.objects.filter(username=username).exists():
            username = f"{stem}{self.model.objects.count() + 1}"
        user = super().create_superuser(username, email, password, **extra)
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user


class User(AbstractUser):
    display_name = models.CharField(
        max_length=60,
        blank=True,
        help_text="The name other members see beside comments.",
    )
    # The name as readers tell names apart (accounts.names.name_key), so that no
    # new name can pass for one already taken.
    display_name_key = models.CharField(max_length=240, blank=True, editable=False,
                                        db_index=True)
    home_state = models.ForeignKey(
        "states.State",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="residents",
    )
    notify_replies = models.BooleanField(
        "email me when someone replies to my comment",
        default=True,
    )
    notify_answered = models.BooleanField(
        "email me when a prayer I prayed for is answered",
        default=True,
    )
    # Set when a member deletes their account: the row stays so what they
    # wrote keeps its place, but everything personal is wiped.
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = MemberManager()

    # Members are known by their email address (log-in, createsuperuser); the
    # username is generated. Live accounts' addresses are unique (below); a deleted
    # account's is empty, so deleted accounts never collide.
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="user_email_unique_when_set",
            ),
        ]
        indexes = [models.Index(fields=["home_state"], name="user_home_state_idx")]

    def __str__(self):
        return self.public_name

    def get_short_name(self):
        # Admin greets staff by this: their name, never their address.
        return self.public_name

    def save(self, *args, **kwargs):
        self.display_name_key = name_key(self.display_name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "display_name_key"}
        super().save(*args, **kwargs)

    @property
    def can_be_mailed(self) -> bool:
        """The one rule for mail to a member: a live account (active, not deleted)
        with an address. What they chose to get is each mail's own question."""
        return bool(self.is_active and not self.deleted_at and self.email)

    @property
    def public_name(self) -> str:
        if self.deleted_at:
            return DELETED_MEMBER_NAME
        return self.display_name or self.first_name or "Member"


def public_name(user) -> str:
    """allauth's ACCOUNT_USER_DISPLAY: never the email address or username."""
    return user.public_name
