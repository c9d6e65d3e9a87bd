"""Load original demo content. Safe to run again: it changes nothing the second time."""
import datetime
from datetime import timedelta
from importlib import import_module

from allauth.account.models import EmailAddress
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.migrations import RunPython
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, Topic
from articles.services import save_post
from comments.models import Comment
from comments.targets import content_type_for
from events.models import Event
from intercessors.demo.posts import (
    CONVERSATIONS,
    COORDINATOR_ADDRESSES,
    POSTS,
    REQUEST_UPDATES,
    REQUESTS,
    STANDALONE_PRAYERS,
    STATE_PAGES,
    TOPICS,
)
from intercessors.models import SitePage
from leaders.models import Leader
from leaders.services import load_bundled, save_leader
from library.pages import pagecache
from library.rules import counted
from library.text.markup import render_markdown
from prayers.followup import refresh_updates
from prayers.models import Prayer, PrayerUpdate, wall_until
from prayers.services import mark_prayed
from states.models import State

# The migrations that load what the site cannot run without: the states, the
# site's own pages, and the Editors group with its permissions. A database emptied
# since (as tests that need real transactions leave it) gets them back from the
# same code (`ensure_reference_data`).
REFERENCE_MIGRATIONS = [
    "states.migrations.0003_reference_data",
    "intercessors.migrations.0004_site_pages_text",
    "intercessors.migrations.0009_privacy_requests_and_mail",
    "articles.migrations.0002_editors_group",
    "comments.migrations.0002_editors_moderate",
    "comments.migrations.0004_editors_decide_reports",
    "prayers.migrations.0005_editors_edit_states",
    "prayers.migrations.0008_editors_moderate_requests",
    "prayers.migrations.0010_editors_update_prayers",
    "prayers.migrations.0017_editors_moderate_notes",
    "events.migrations.0003_editors_keep_events",
    "updates.migrations.0002_editors_set_the_timetable",
    "updates.migrations.0005_editors_send_mailings",
    "library.migrations.0002_editors_see_mail",
    "leaders.migrations.0002_editors_keep_leaders",
]


def ensure_reference_data() -> None:
    """The reference data, loaded again by its migrations' own code if it is gone."""
    if (
        State.objects.exists()
        and Group.objects.filter(name="Editors").exists()
        and SitePage.objects.exists()
    ):
        return
    for module in REFERENCE_MIGRATIONS:
        for operation in import_module(module).Migration.operations:
            if isinstance(operation, RunPython):  # the data; the schema is there already
                operation.code(django_apps, None)


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
    {
        "email": "office@intercessors.example",
        "password": "office-demo-psalm-133",
        "display_name": "Miriam (Ministry office)",
        "state": "VA",
        "staff": True,
        "superuser": True,
    },
]


# Governors elected in 2024, serving four-year terms from January 2025. Staff add and
# keep the others in admin.
DEMO_GOVERNORS = [
    ("Josh Stein", "Josh", "Stein", "NC", "Democrat", datetime.date(2025, 1, 1),
     "https://governor.nc.gov"),
    ("Mike Braun", "Mike", "Braun", "IN", "Republican", datetime.date(2025, 1, 13),
     "https://www.in.gov/gov/"),
    ("Bob Ferguson", "Bob", "Ferguson", "WA", "Democrat", datetime.date(2025, 1, 15),
     "https://governor.wa.gov"),
]


def weekly_event(title, weekday, start, zone, **fields):
    """A weekly call of the demo, from its next date for a year, made once."""
    begins = datetime.datetime.combine(timezone.localdate(), datetime.time.fromisoformat(start))
    begins += timedelta(days=(weekday - begins.weekday()) % 7)
    ends = begins + timedelta(hours=1)
    Event.objects.get_or_create(title=title, defaults=dict(
        kind=Event.Kind.CALL, time_zone=zone, start_date=begins.date(),
        start_time=begins.time(), end_date=ends.date(), end_time=ends.time(),
        repeat=Event.Repeat.WEEKLY, repeat_until=begins.date() + timedelta(days=365),
        **fields))


class Command(BaseCommand):
    help = "Create demo members and content (idempotent) and print the demo logins."

    @transaction.atomic
    def handle(self, *args, **options):
        ensure_reference_data()
        users = [self.ensure_user(spec) for spec in DEMO_USERS]
        new_users = sum(created for _, created in users)
        editor, grace, samuel, _ = (user for user, _ in users)
        new_posts = self.ensure_posts(editor)
        new_prayers = self.ensure_standalone_prayers()
        new_requests = self.ensure_requests()
        new_comments = self.ensure_conversations()
        self.ensure_state_pages()
        if new_posts:
            # A few marks so counters show something; only on the first run.
            for prayer in Prayer.objects.visible()[:4]:
                mark_prayed(user=grace, prayer=prayer)
            for prayer in Prayer.objects.visible()[:2]:
                mark_prayed(user=samuel, prayer=prayer)
        new_leaders = self.ensure_leaders()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready: {counted(new_users, 'new account')}, "
                f"{counted(new_posts, 'new post')}, {counted(new_prayers, 'new state prayer')}, "
                f"{counted(new_requests, 'new prayer request')}, "
                f"{counted(new_comments, 'new comment')}, {counted(new_leaders, 'new leader')}."
            )
        )
        pagecache.retire()
        self.stdout.write("Demo logins (log in with email and password):")
        for spec in DEMO_USERS:
            role = ("superuser, /admin/" if spec.get("superuser")
                    else "staff editor, /admin/" if spec["staff"] else "member")
            self.stdout.write(f"  {spec['email']:<32} {spec['password']:<24} {role}")

    def ensure_user(self, spec):
        User = get_user_model()
        user = User.objects.filter(email__iexact=spec["email"]).first()
        if user is not None:
            return user, False
        user = User(
            username=spec["email"].split("@")[0],
            email=spec["email"],
            display_name=spec["display_name"],
            home_state=State.objects.get(code=spec["state"]),
            is_staff=spec["staff"],
            is_superuser=spec.get("superuser", False),
        )
        user.set_password(spec["password"])
        user.save()
        if spec["staff"] and not spec.get("superuser"):
            user.groups.add(Group.objects.get(name="Editors"))
        EmailAddress.objects.create(user=user, email=spec["email"], verified=True, primary=True)
        return user, True

    def ensure_posts(self, editor) -> int:
        topics = {}
        for name in TOPICS:
            topics[name], _ = Topic.objects.get_or_create(
                slug=slugify(name), defaults={"name": name}
            )
        states = {s.code: s for s in State.objects.all()}
        now = timezone.now()
        created = 0
        for post in POSTS:
            if Article.objects.filter(slug=post["slug"]).exists():
                continue
            published_at = now - timedelta(days=post["days_ago"], hours=2)
            article = Article(
                slug=post["slug"],
                title=post["title"],
                status=Article.Status.PUBLISHED,
                published_at=published_at,
                author=editor,
                body=post["body"],
                question=post["question"],
                source_name=post["source"],
                source_url=post["url"],
                photo_credit=post["credit"],
            )
            save_post(
                article=article,
                prayer_text=post["prayer"],
                topics=[topics[name] for name in post["topics"]],
                states=[states[code] for code in post["states"]],
            )
            created += 1
        return created

    def ensure_standalone_prayers(self) -> int:
        created = 0
        for code, text in STANDALONE_PRAYERS:
            _, was_created = Prayer.objects.get_or_create(
                article=None,
                kind=Prayer.Kind.PROMPT,
                state=State.objects.get(code=code),
                defaults={"text": text, "published_at": timezone.now() - timedelta(days=1)},
            )
            created += was_created
        return created

    def ensure_leaders(self) -> int:
        """Congress, the President and Vice President from the bundled public data
        (once: a site that loads a newer copy keeps it), and a few governors, whom
        staff keep in admin since the data has none."""
        created = 0
        if not Leader.objects.filter(Q(bioguide__isnull=False) | Q(govtrack__isnull=False)
                                     ).exists():
            created += load_bundled()["created"]
        for name, first, last, code, party, start, website in DEMO_GOVERNORS:
            if Leader.objects.filter(office=Leader.Office.GOVERNOR, name=name).exists():
                continue
            state = State.objects.get(code=code)
            save_leader(leader=Leader(
                name=name, first_name=first, last_name=last, office=Leader.Office.GOVERNOR,
                state=state, area=code, party=party, term_start=start, website=website))
            created += 1
        return created

    def ensure_requests(self) -> int:
        """Members' requests on the prayer wall, each prayed for by the other members."""
        User = get_user_model()
        if Prayer.objects.requests().exists():
            return 0
        members = list(User.objects.filter(email__in=[r[0] for r in REQUESTS]))
        prayers = []
        for email, code, anonymous, hours, category, text in REQUESTS:
            author = next(m for m in members if m.email == email)
            when = timezone.now() - timedelta(hours=hours)
            prayer = Prayer.objects.create(
                kind=Prayer.Kind.REQUEST, author=author, anonymous=anonymous, text=text,
                category=category, body_html=render_markdown(text), published_at=when,
                expires_at=wall_until(when),
                state=State.objects.get(code=code) if code else None,
            )
            prayers.append(prayer)
            for member in members:
                if member != author:
                    mark_prayed(user=member, prayer=prayer)
        # Demo news is history: written as told long ago, so no one is mailed now.
        for index, hours, answered, text in REQUEST_UPDATES:
            prayer, when = prayers[index], timezone.now() - timedelta(hours=hours)
            PrayerUpdate.objects.create(prayer=prayer, author=prayer.author, text=text,
                                        body_html=render_markdown(text), answered=answered,
                                        created_at=when, told_at=when if answered else None)
            if not answered:
                Prayer.objects.filter(pk=prayer.pk).update(expires_at=wall_until(when))
        for prayer in prayers:
            refresh_updates(prayer)  # the rendering, and the answer, as the service keeps them
        return len(REQUESTS)

    def ensure_conversations(self) -> int:
        User = get_user_model()
        created = 0
        for slug, thread in CONVERSATIONS:
            article = Article.objects.filter(slug=slug).first()
            if article is None:
                continue
            ct = content_type_for(article)
            if Comment.objects.filter(content_type=ct, object_id=article.pk).exists():
                continue
            posted = []
            for email, body, reply_to, minutes in thread:
                parent = posted[reply_to] if reply_to is not None else None
                posted.append(
                    Comment.objects.create(
                        content_type=ct,
                        object_id=article.pk,
                        author=User.objects.get(email=email),
                        parent=parent,
                        depth=parent.depth + 1 if parent else 1,
                        body=body,
                        body_html=render_markdown(body),
                        created_at=min(
                            article.published_at + timedelta(minutes=minutes),
                            timezone.now() - timedelta(minutes=30 - len(posted)),
                        ),
                    )
                )
                created += 1
        return created

    def ensure_state_pages(self) -> None:
        for code, note, coordinator, contact, calls in STATE_PAGES:
            state = State.objects.get(code=code)
            if state.note:
                continue
            state.note = note
            state.coordinator_name = coordinator
            state.coordinator_contact = contact
            state.coordinator_email = COORDINATOR_ADDRESSES.get(code, "")
            state.save()
            for title, weekday, start, zone, join in calls:
                weekly_event(title, weekday, start, zone, state=state, join_notes=join)
        weekly_event(
            "National prayer call", 0, "20:00", "America/New_York",
            description="Each Monday evening we pray together for the nation: its leaders, "
                        "its families and the news of the week. Stay for ten minutes or "
                        "the whole hour.",
            phone="(202) 555-0143", access_code="7788#",
            stream_url="https://stream.intercessors.example/national")
