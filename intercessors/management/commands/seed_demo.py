"""Load original demo content. Safe to run again: it changes nothing the second time."""
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from prayers.models import State

# Demo logins only: printed on purpose so a newcomer can try the site.
DEMO_USERS = [
    {
        "email": "editor@intercessors.example",
        "password": "editor-demo-psalm-121",
        "display_name": "Ruth (Editor)",
        "state": "VA",
        "staff": True,
    },
    {
        "email": "grace@intercessors.example",
        "password": "grace-demo-psalm-23",
        "display_name": "Grace M.",
        "state": "TX",
        "staff": False,
    },
    {
        "email": "samuel@intercessors.example",
        "password": "samuel-demo-psalm-46",
        "display_name": "Samuel O.",
        "state": "OH",
        "staff": False,
    },
]

EDITOR_PERMISSIONS = ["view_user", "view_state"]


class Command(BaseCommand):
    help = "Create demo members and content (idempotent) and print the demo logins."

    @transaction.atomic
    def handle(self, *args, **options):
        created = 0
        for spec in DEMO_USERS:
            created += self.ensure_user(spec)
        self.stdout.write(
            self.style.SUCCESS(f"Demo content ready ({created} new account(s)).")
        )
        self.stdout.write("Demo logins (log in with email and password):")
        for spec in DEMO_USERS:
            role = "staff editor, /admin/" if spec["staff"] else "member"
            self.stdout.write(f"  {spec['email']:<32} {spec['password']:<24} {role}")

    def ensure_user(self, spec) -> int:
        User = get_user_model()
        user = User.objects.filter(email__iexact=spec["email"]).first()
        if user is not None:
            return 0
        user = User(
            username=spec["email"].split("@")[0],
            email=spec["email"],
            display_name=spec["display_name"],
            home_state=State.objects.get(code=spec["state"]),
            is_staff=spec["staff"],
        )
        user.set_password(spec["password"])
        user.save()
        if spec["staff"]:
            user.user_permissions.set(Permission.objects.filter(codename__in=EDITOR_PERMISSIONS))
        EmailAddress.objects.create(user=user, email=spec["email"], verified=True, primary=True)
        return 1
