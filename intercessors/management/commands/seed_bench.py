"""Load a large archive for the benchmark: 10,000 posts with prayers, 5,000
members, 1,000,000 "I Prayed" marks with counters that match, two long
conversations (50 and 1,000 comments), a prayer wall of 100,000 members'
requests (in every category, each with its own number and words) with 500,000 marks
of their own, and a first member who has prayed 5,000
prayers (their "My prayers"), and 100,000 confirmed subscribers to the daily email.
Bulk inserts throughout."""
import random
import time
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from articles.models import Article, Topic
from comments.models import Comment
from leaders.models import Leader
from leaders.services import load_bundled
from library.pages import pagecache
from library.text.markup import reading_minutes, render_markdown
from prayers.models import Category, Prayer, PrayerMark
from states.models import State
from updates.models import Subscriber

POSTS, MEMBERS, MARKS_PER_POST = 10_000, 5_000, 100
REQUESTS = 100_000  # request n has n % 11 marks: 0 to 10, 500,000 in all
JOURNAL = 5_000  # the first member's marks, for "My prayers"
SUBSCRIBERS = 100_000
REQUEST_TEXT = "Bench request {}: please pray for the {} and the {} in our town."
CATEGORIES = ["", *Category.values]  # a seventh of the requests in none
PASSWORD = "bench-member-password"
BENCH_SLUG = "bench-post-{:05d}"
WORDS = (
    "river town family school hospital harvest storm neighbors church volunteers "
    "leaders council shelter winter rain road bridge teachers nurses farmers"
).split()


def words(n) -> tuple:
    """What request n's text is made of: its number and two words of WORDS."""
    return n, WORDS[n % len(WORDS)], WORDS[n * 7 % len(WORDS)]


class Command(BaseCommand):
    help = "Load the benchmark archive (skips what is already there)."

    def handle(self, *args, **options):
        started = time.monotonic()
        rng = random.Random(7)
        has_posts = Article.objects.filter(slug=BENCH_SLUG.format(0)).exists()
        has_wall = Prayer.objects.requests().filter(text__startswith="Bench request").exists()
        has_subscribers = Subscriber.objects.filter(email__endswith="@readers.bench").exists()
        has_leaders = Leader.objects.exists()
        if has_wall and not Prayer.objects.requests().filter(
                text__startswith="Bench request", category=Category.HEALTH).exists():
            self.sort_wall()  # loaded before requests had categories
        if has_posts and has_wall and has_subscribers and has_leaders:
            self.stdout.write("Benchmark archive already loaded.")
            return
        with transaction.atomic():
            if not has_posts:
                members = self.members()
                articles = self.posts(rng)
                self.marks(articles, members)
                self.conversations(articles, members, rng)
            if not has_wall:
                self.wall(rng)
                self.journal()
            if not has_subscribers:
                self.subscribers()
            if not has_leaders:
                load_bundled()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # fresh statistics for the planner
        pagecache.retire()
        self.stdout.write(
            self.style.SUCCESS(f"Benchmark archive loaded in {time.monotonic() - started:.1f}s.")
        )

    def members(self):
        password = make_password(PASSWORD)
        states = list(State.objects.all())
        User.objects.bulk_create(
            [
                User(username=f"bench{i}", email=f"bench{i}@bench.example",
                     display_name=f"Bench Member {i}", password=password,
                     home_state=states[i % len(states)])
                for i in range(MEMBERS)
            ],
            batch_size=1000,
        )
        self.stdout.write(f"  {MEMBERS:,} members")
        return list(User.objects.filter(username__startswith="bench").values_list("id", flat=True))

    def posts(self, rng):
        topics = [Topic.objects.get_or_create(slug=f"bench-{n}", defaults={"name": f"Bench {n}"})[0]
                  for n in range(8)]
        states = list(State.objects.all())
        now = timezone.now()
        body = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(60)) for _ in range(6))
        body_html = render_markdown(body, rich=True)
        minutes = reading_minutes(body_html)
        articles = Article.objects.bulk_create(
            [
                Article(
                    title=f"Bench post {i}: {rng.choice(WORDS)} and {rng.choice(WORDS)}",
                    slug=BENCH_SLUG.format(i),
                    status=Article.Status.PUBLISHED,
                    published_at=now - timedelta(hours=i + 1),
                    body=body, body_html=body_html, reading_time=minutes,
                    teaser=body[:200], source_name="The Bench Gazette",
                    source_url="https://example.org/bench",
                    question="How are you praying for this?",
                )
                for i in range(POSTS)
            ],
            batch_size=1000,
        )
        Prayer.objects.bulk_create(
            [Prayer(article=a, text=f"Father, we pray for the people in post {i}.",
                    published_at=a.published_at) for i, a in enumerate(articles)],
            batch_size=2000,
        )
        Article.topics.through.objects.bulk_create(
            [Article.topics.through(article_id=a.pk, topic_id=topics[i % 8].pk)
             for i, a in enumerate(articles)],
            batch_size=5000,
        )
        Article.states.through.objects.bulk_create(
            [Article.states.through(article_id=a.pk, state_id=states[i % len(states)].pk)
             for i, a in enumerate(articles)],
            batch_size=5000,
        )
        self.stdout.write(f"  {POSTS:,} posts with prayers, topics and states")
        return articles

    def marks(self, articles, members):
        prayer_ids = list(
            Prayer.objects.filter(article__slug__startswith="bench-post-")
            .order_by("id").values_list("id", flat=True)
        )
        if connection.vendor == "postgresql":
            # One statement: each prayer gets 100 distinct members, spread over 30 days.
            with connection.cursor() as cursor:
                cursor.execute(  # table names from model metadata; values are parameters
                    f"""
                    INSERT INTO {PrayerMark._meta.db_table} (user_id, prayer_id, created_at)
                    SELECT m.ids[1 + ((p.n * 37 + g) %% %s)], p.id,
                           now() - ((p.n + g) %% 720) * interval '1 hour'
                    FROM (SELECT id, row_number() OVER (ORDER BY id) AS n
                          FROM {Prayer._meta.db_table} WHERE id = ANY(%s)) p
                    CROSS JOIN generate_series(0, %s - 1) g
                    CROSS JOIN (SELECT %s::bigint[] AS ids) m
                    """,
                    [len(members), prayer_ids, MARKS_PER_POST, members],
                )
        else:
            now = timezone.now()
            batch = []
            for n, prayer_id in enumerate(prayer_ids, start=1):
                for g in range(MARKS_PER_POST):
                    batch.append(PrayerMark(
                        user_id=members[(n * 37 + g) % len(members)], prayer_id=prayer_id,
                        created_at=now - timedelta(hours=(n + g) % 720)))
                if len(batch) >= 50_000:
                    PrayerMark.objects.bulk_create(batch, batch_size=10_000)
                    batch = []
            PrayerMark.objects.bulk_create(batch, batch_size=10_000)
        Prayer.objects.filter(id__in=prayer_ids).update(prayed_count=MARKS_PER_POST)
        self.stdout.write(f"  {len(prayer_ids) * MARKS_PER_POST:,} prayer marks")

    def conversations(self, articles, members, rng):
        ct = ContentType.objects.get_for_model(Article)
        now = timezone.now()
        for article, size in [(articles[0], 50), (articles[1], 1000)]:
            made = []
            for i in range(size):
                parent = made[rng.randrange(len(made))] if made and rng.random() < 0.6 else None
                body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40)))
                made.append(Comment(
                    content_type=ct, object_id=article.pk, author_id=members[i % len(members)],
                    parent=parent, depth=min(parent.depth + 1, 5) if parent else 1,
                    body=body, body_html=render_markdown(body),
                    created_at=now - timedelta(minutes=size - i),
                ))
                made[-1].save()  # replies need their parent's id
            self.stdout.write(f"  {size:,} comments on {article.slug}")

    def wall(self, rng):
        members = list(User.objects.filter(username__startswith="bench").order_by("id")
                       .values_list("id", flat=True))
        states = list(State.objects.all())
        now = timezone.now()
        html = render_markdown(REQUEST_TEXT)  # each request's words go in its placeholders
        for start in range(0, REQUESTS, 10_000):
            Prayer.objects.bulk_create(
                [Prayer(kind=Prayer.Kind.REQUEST, author_id=members[n % len(members)],
                        anonymous=n % 3 == 0, text=REQUEST_TEXT.format(*words(n)),
                        body_html=html.format(*words(n)),
                        category=CATEGORIES[n % len(CATEGORIES)],
                        state=None if n % 10 == 0 else states[n % len(states)],
                        published_at=now - timedelta(minutes=n + 1),
                        # Renewed: all on the wall for the benchmark's month.
                        expires_at=now + timedelta(days=30))
                 for n in range(start, min(start + 10_000, REQUESTS))],
                batch_size=5_000,
            )
        ids = list(Prayer.objects.requests().filter(text__startswith="Bench request")
                   .order_by("-published_at").values_list("id", flat=True))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(  # table names from model metadata; values are parameters
                    f"""
                    INSERT INTO {PrayerMark._meta.db_table} (user_id, prayer_id, created_at)
                    SELECT m.ids[1 + ((p.n * 53 + g) %% %s)], p.id,
                           now() - ((p.n + g) %% 720) * interval '1 hour'
                    FROM (SELECT id, ord - 1 AS n FROM unnest(%s::bigint[])
                          WITH ORDINALITY AS x(id, ord)) p
                    CROSS JOIN LATERAL generate_series(0, p.n %% 11 - 1) g
                    CROSS JOIN (SELECT %s::bigint[] AS ids) m
                    """,
                    [len(members), ids, members],
                )
        else:
            batch = []
            for n, prayer_id in enumerate(ids):
                batch += [PrayerMark(user_id=members[(n * 53 + g) % len(members)],
                                     prayer_id=prayer_id,
                                     created_at=now - timedelta(hours=(n + g) % 720))
                          for g in range(n % 11)]
                if len(batch) >= 50_000:
                    PrayerMark.objects.bulk_create(batch, batch_size=10_000)
                    batch = []
            PrayerMark.objects.bulk_create(batch, batch_size=10_000)
        for marks in range(1, 11):
            Prayer.objects.filter(id__in=ids[marks::11]).update(prayed_count=marks)
        self.stdout.write(f"  {REQUESTS:,} prayer requests, "
                          f"{sum(n % 11 for n in range(REQUESTS)):,} marks on them")

    def sort_wall(self):
        """A wall loaded before requests had categories and words of their own: give
        them theirs, as `wall` gives them now."""
        html = render_markdown(REQUEST_TEXT)
        ids = list(Prayer.objects.requests().filter(text__startswith="Bench request")
                   .order_by("-published_at").values_list("id", flat=True))
        # Small batches: an update of many rows at once is a CASE that grows with both.
        with transaction.atomic():
            for start in range(0, len(ids), 500):
                Prayer.objects.bulk_update(
                    [Prayer(id=pk, text=REQUEST_TEXT.format(*words(n)),
                            body_html=html.format(*words(n)),
                            category=CATEGORIES[n % len(CATEGORIES)])
                     for n, pk in enumerate(ids[start:start + 500], start)],
                    ["text", "body_html", "category"])
        self.stdout.write(f"  {len(ids):,} prayer requests given categories and words")

    def subscribers(self):
        now = timezone.now()
        Subscriber.objects.bulk_create(
            [Subscriber(email=f"reader{n:06d}@readers.bench", daily=True, confirmed_at=now)
             for n in range(SUBSCRIBERS)], batch_size=5_000)
        self.stdout.write(f"  {SUBSCRIBERS:,} confirmed subscribers to the daily email")

    def journal(self):
        """The first member prays posts' prayers until they have JOURNAL marks."""
        member = User.objects.filter(username__startswith="bench").order_by("id").first()
        mine = PrayerMark.objects.filter(user=member)
        more = JOURNAL - mine.count()
        ids = list(Prayer.objects.filter(article__slug__startswith="bench-post-")
                   .exclude(pk__in=mine.values("prayer_id")).order_by("id")
                   .values_list("id", flat=True)[:more])
        now = timezone.now()
        PrayerMark.objects.bulk_create(
            [PrayerMark(user=member, prayer_id=pk, created_at=now - timedelta(minutes=n))
             for n, pk in enumerate(ids)], batch_size=5_000)
        Prayer.objects.filter(id__in=ids).update(prayed_count=F("prayed_count") + 1)
        self.stdout.write(f"  {member.public_name} has prayed {mine.count():,} prayers")
