"""Writes about leaders, each with its rules in one function: a leader and their
prayer, loading the public data, the leaders of the day and staff's pins, and
members' written prayers for a leader."""
import datetime
import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.text import slugify

from library.pages import pagecache
from library.text import moderation
from library.text.markup import clean_plain_text, render_markdown
from library.text.moderation import (
    EDIT_MINUTES,
    Refused,
    Status,
    check_edit_pace,
    check_pace,
    clean_text,
    hold_for_links,
    in_edit_window,
)
from prayers.models import Prayer
from states.models import State

from .models import (
    AREAS,
    PRAYER_MAX_LENGTH,
    Leader,
    LeaderPrayer,
    LeaderPrayerReport,
    LeaderTurn,
    Office,
    name_key,
)

# The scope of the leaders' list (library.pages.pagecache); each leader's page has its own.
LEADERS = "leaders"
PER_DAY = 3


def default_prayer_text(leader: Leader) -> str:
    return (f"Father, we pray for {leader.name}, {leader.title}. Give them wisdom and a "
            "humble heart, guard them and those they love, and help them serve the people "
            "with honesty and courage.")


@transaction.atomic
def save_leader(*, leader: Leader, prayer_text: str = "", retire: bool = True) -> Leader:
    """Save `leader` with their prayer: a new leader gets one (staff's words, or a
    plain prayer naming them), and the prayer follows the leader's state, so the map
    counts prayers for a state's leaders."""
    if not leader.slug:
        leader.slug = unique_slug(leader)
    if leader.prayer_id is None:
        leader.prayer = Prayer.objects.create(
            kind=Prayer.Kind.LEADER, state=leader.state,
            text=prayer_text or default_prayer_text(leader))
    else:
        changed = {}
        if prayer_text and prayer_text != leader.prayer.text:
            changed["text"] = prayer_text
        if leader.prayer.state_id != leader.state_id:
            changed["state"] = leader.state
        if changed:
            for name, value in changed.items():
                setattr(leader.prayer, name, value)
            leader.prayer.save(update_fields=list(changed))
    leader.save()
    if retire:
        pagecache.retire()
    return leader


def unique_slug(leader: Leader, taken: set[str] | None = None) -> str:
    """"maria-cantwell"; a second of the name gets their state's code, then a number.
    `taken`: the slugs in use, when the caller has read them already."""
    base = slugify(leader.name)[:120] or "leader"
    if taken is None:
        taken = set(Leader.objects.filter(slug__startswith=base).values_list("slug",
                                                                             flat=True))
    for candidate in [base, f"{base}-{leader.area.lower()}" if leader.area else base]:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


# Loading the public data (leaders/data/README.md).

class LoadError(Exception):
    """A file that is not the expected shape: the message names the entry."""


LOADED_OFFICES = {Office.PRESIDENT, Office.VICE_PRESIDENT, Office.SENATOR,
                  Office.REPRESENTATIVE, Office.DELEGATE}
TEXT_FIELDS = {"name": 120, "first": 60, "last": 60, "party": 40, "url": 300, "phone": 30,
               "contact_form": 300}


def read_entry(raw, where: str, state_ids: dict[str, int]) -> dict:
    """One entry of a data file as a leader's fields; LoadError naming `where` and
    what is wrong when it is not the expected shape."""
    def fail(problem):
        raise LoadError(f"{where}: {problem}")

    if not isinstance(raw, dict):
        fail("is not an object with a leader's fields")
    bioguide, govtrack = raw.get("bioguide"), raw.get("govtrack")
    if bioguide is not None and not (isinstance(bioguide, str) and 0 < len(bioguide) <= 10
                                     and bioguide.isalnum()):
        fail(f"its bioguide {bioguide!r} is not an id")
    if bioguide is None and not (isinstance(govtrack, int) and govtrack > 0):
        fail("has neither a bioguide id nor a govtrack id")
    for name, limit in TEXT_FIELDS.items():
        value = raw.get(name, "")
        if not isinstance(value, str) or len(value) > limit:
            fail(f"its {name} must be text of at most {limit} characters")
    if not raw["name"].strip():
        fail("has no name")
    office = raw.get("office")
    if office not in LOADED_OFFICES:
        fail(f"its office {office!r} is not one of {', '.join(sorted(LOADED_OFFICES))}")
    area = raw.get("state") or ""
    if office in (Office.PRESIDENT, Office.VICE_PRESIDENT):
        area = ""
    elif area not in state_ids and area not in AREAS:
        fail(f"its state {area!r} is not a state or territory code")
    district = raw.get("district")
    if district is not None and not (isinstance(district, int) and 0 <= district < 1000):
        fail(f"its district {district!r} is not a number")
    dates = {}
    for name in ("start", "end"):
        try:
            dates[name] = datetime.date.fromisoformat(raw.get(name))
        except (TypeError, ValueError):
            fail(f"its term {name} {raw.get(name)!r} is not a date (YYYY-MM-DD)")
    return {
        "bioguide": bioguide, "govtrack": None if bioguide else govtrack,
        "name": raw["name"].strip(), "first_name": raw.get("first", "").strip(),
        "last_name": raw.get("last", "").strip(), "office": office, "area": area,
        "state_id": state_ids.get(area), "district": district or None,
        "party": raw.get("party", ""), "term_start": dates["start"], "term_end": dates["end"],
        "website": web_address(raw.get("url", "")), "phone": raw.get("phone", ""),
        "contact_form": web_address(raw.get("contact_form", "")),
    }


# The copy of the public data that comes with the site (leaders/data/README.md).
BUNDLED = [Path(__file__).resolve().parent / "data" / name
           for name in ("legislators.json", "executive.json")]


def read_data_file(path: Path) -> list[tuple[str, object]]:
    """Each entry of a JSON file with where it is ("legislators.json, entry 12
    (C000127)"); LoadError when the file cannot be read or is not a list."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise LoadError(f"{path} cannot be read: {error.strerror}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LoadError(f"{path} is not JSON: {error}.") from None
    if not isinstance(data, list):
        raise LoadError(f"{path} must hold a list of leaders.")
    found = []
    for number, raw in enumerate(data, start=1):
        who = str(raw.get("bioguide") or raw.get("name") or "")[:60] \
            if isinstance(raw, dict) else ""
        found.append((f"{Path(path).name}, entry {number}" + (f" ({who})" if who else ""),
                      raw))
    return found


def load_bundled() -> dict[str, int]:
    """The bundled data, for a new site (the demo, the benchmark's archive)."""
    return load_leaders([entry for path in BUNDLED for entry in read_data_file(path)])


def web_address(value: str) -> str:
    """A web address as the data gives it, or "" when it is not one a page may link
    to (a typo such as "hhttps://", or another scheme)."""
    return value if value.startswith(("https://", "http://")) else ""


def _key(fields: dict) -> tuple:
    return ("bioguide", fields["bioguide"]) if fields["bioguide"] else (
        "govtrack", fields["govtrack"])


@transaction.atomic
def load_leaders(entries: list[tuple[str, object]], *, now=None) -> dict[str, int]:
    """Create and update leaders from the data (`entries`: where each one is, and
    the entry), keyed by bioguide id; a leader of an office the data covers who is
    no longer in it has left office, and is kept. All or nothing: the first entry
    that is not the expected shape raises LoadError and nothing changes. Returns the
    counts created, updated, unchanged and left."""
    now = now or timezone.now()
    state_ids = dict(State.objects.values_list("code", "id"))
    wanted, seen = {}, {}
    for where, raw in entries:
        fields = read_entry(raw, where, state_ids)
        key = _key(fields)
        if key in seen:
            raise LoadError(f"{where}: the same person as {seen[key]}")
        seen[key] = where
        wanted[key] = fields
    bioguides = [value for kind, value in wanted if kind == "bioguide"]
    govtracks = [value for kind, value in wanted if kind == "govtrack"]
    known = {}
    for leader in Leader.objects.select_related("prayer").filter(
            Q(bioguide__in=bioguides) | Q(govtrack__in=govtracks)):
        known[("bioguide", leader.bioguide) if leader.bioguide
              else ("govtrack", leader.govtrack)] = leader
    counts = {"created": 0, "updated": 0, "unchanged": 0, "left": 0}
    counts["created"] = _create_leaders(
        [Leader(**fields) for key, fields in wanted.items() if key not in known])
    for key, fields in wanted.items():
        leader = known.get(key)
        if leader is None:
            continue
        changed = [name for name, value in fields.items() if getattr(leader, name) != value]
        if leader.left_office_at is not None:  # back in office
            leader.left_office_at = None
            changed.append("left_office_at")
        if not changed:
            counts["unchanged"] += 1
            continue
        for name in changed:
            setattr(leader, name, fields.get(name))
        save_leader(leader=leader, retire=False)
        counts["updated"] += 1
    offices = {fields["office"] for fields in wanted.values()}
    gone = (Leader.objects.serving().filter(office__in=offices)
            .exclude(bioguide__in=bioguides).exclude(govtrack__in=govtracks)
            .exclude(bioguide__isnull=True, govtrack__isnull=True))
    counts["left"] = gone.update(left_office_at=now)
    if counts["created"] or counts["updated"] or counts["left"]:
        pagecache.retire()
    return counts


def _create_leaders(leaders: list[Leader]) -> int:
    """New leaders as `save_leader` makes them, each with a slug of their own and a
    plain prayer naming them, in a few queries however many there are (a first load
    makes 539)."""
    taken = set(Leader.objects.values_list("slug", flat=True))
    for leader in leaders:
        leader.slug = unique_slug(leader, taken)
        taken.add(leader.slug)
        leader.name_key = name_key(leader.name)
    prayers = Prayer.objects.bulk_create(
        Prayer(kind=Prayer.Kind.LEADER, state_id=leader.state_id,
               text=clean_plain_text(default_prayer_text(leader))) for leader in leaders)
    for leader, prayer in zip(leaders, prayers, strict=True):
        leader.prayer = prayer
    Leader.objects.bulk_create(leaders)
    return len(leaders)


# The leaders of the day: PER_DAY a day, the same for everyone, taking turns in
# rounds. A round reaches every serving leader (in the order they were added, so
# those added later join its end) before anyone has a second turn.

def current_round() -> int:
    return LeaderTurn.objects.aggregate(last=Max("round"))["last"] or 1


def leaders_of_the_day(day: datetime.date | None = None) -> list[Leader]:
    """The day's leaders (today's by default), in their places: chosen the first
    time anyone asks, then kept. One query once chosen."""
    day = day or timezone.localdate()
    turns = _turns(day)
    if len(turns) < PER_DAY and _choose(day, turns):
        turns = _turns(day)
    return [turn.leader for turn in turns]


def _turns(day) -> list[LeaderTurn]:
    return list(LeaderTurn.objects.filter(day=day)
                .select_related("leader", "leader__state", "leader__prayer").order_by("place"))


def _choose(day, taken: list[LeaderTurn]) -> bool:
    """Fill the day's free places with the next leaders of the round: those who have
    not had their turn in it first, then, when the round is done, the first of the
    next. Two requests at the same moment choose alike, and the unique places and
    leaders of a day keep one choice. False when there was no one to choose."""
    free = [place for place in range(1, PER_DAY + 1)
            if place not in {turn.place for turn in taken}]
    latest = LeaderTurn.objects.order_by("-round").values("round")[:1]
    had = LeaderTurn.objects.filter(leader=OuterRef("pk"), round=Subquery(latest))
    picks = list(Leader.objects.serving().exclude(pk__in=[turn.leader_id for turn in taken])
                 .annotate(current=Subquery(latest), had=Exists(had))
                 .order_by("had", "id").values_list("id", "had", "current")[:len(free)])
    LeaderTurn.objects.bulk_create(
        [LeaderTurn(day=day, place=place, leader_id=pk,
                    round=(current or 1) + (1 if had_turn else 0))
         for place, (pk, had_turn, current) in zip(free, picks, strict=False)],
        ignore_conflicts=True)
    return bool(picks)


@transaction.atomic
def pin(*, leader: Leader, day: datetime.date) -> LeaderTurn:
    """Staff put `leader` among the leaders of `day` (an inauguration, a hard vote):
    they take a free place, or the last place not pinned, and it counts as their turn
    in the round. Refused when every place of the day is pinned already."""
    if not leader.is_serving:
        raise Refused(f"{leader.name} has left office, so cannot be a leader of the day.")
    turns = list(LeaderTurn.objects.select_for_update().filter(day=day).order_by("place"))
    mine = next((turn for turn in turns if turn.leader_id == leader.pk), None)
    if mine is not None:
        LeaderTurn.objects.filter(pk=mine.pk).update(pinned=True)
        mine.pinned = True
        return mine
    free = [place for place in range(1, PER_DAY + 1) if place not in {t.place for t in turns}]
    if not free:
        unpinned = [turn for turn in turns if not turn.pinned]
        if not unpinned:
            raise Refused(f"All {PER_DAY} places on {day:%B %-d, %Y} are pinned already.")
        # The leader who gives up the place has not had their turn after all.
        free = [unpinned[-1].place]
        unpinned[-1].delete()
    turn = LeaderTurn.objects.create(day=day, place=free[0], leader=leader, pinned=True,
                                     round=current_round())
    pagecache.retire()
    return turn


# Members' written prayers for a leader ("Recent Prayers"), under the rules of
# everything members write (library.text.moderation).

def clean_prayer_text(text: str) -> str:
    return clean_text(text, max_length=PRAYER_MAX_LENGTH, noun="prayer")


def post_prayer(*, leader: Leader, author, text: str) -> LeaderPrayer:
    """A member writes a prayer for `leader`: it waits for staff when the site says
    so (LEADER_PRAYERS_REVIEW) or when it carries a link to another site."""
    if not leader.is_serving:
        raise Refused(f"{leader.name} has left office, so new prayers cannot be written "
                      "here. The prayers already written stay.")
    try:
        text = clean_prayer_text(text)
    except ValidationError as error:
        raise Refused(error.messages[0]) from None
    return _save_prayer(leader, author, text)


@transaction.atomic
def _save_prayer(leader, author, text) -> LeaderPrayer:
    check_pace(author, LeaderPrayer.objects.filter(author=author), noun="prayers")
    prayer = LeaderPrayer(leader=leader, author=author, text=text,
                          body_html=render_markdown(text))
    if settings.LEADER_PRAYERS_REVIEW:
        prayer.status = Status.PENDING
    hold_for_links(prayer, prayer.body_html)
    prayer.save()
    if prayer.status == Status.PUBLISHED:
        pagecache.retire(leader.page_scope)
    return prayer


PRAYER_EDIT_RULE = f"Prayers can be edited for {EDIT_MINUTES} minutes after writing."


def edit_prayer(*, prayer: LeaderPrayer, user, text: str) -> LeaderPrayer:
    """The member changes their prayer within the edit window. Where staff read every
    prayer first, the new words wait for them again; a hold is never released."""
    if prayer.author_id is None or prayer.author_id != user.pk or prayer.is_deleted:
        raise PermissionDenied("Only the member who wrote this prayer can change it.")
    if not in_edit_window(prayer, user):
        raise Refused(f"{PRAYER_EDIT_RULE} This one can no longer be changed; you can still "
                      "delete it.")
    try:
        text = clean_prayer_text(text)
    except ValidationError as error:
        raise Refused(error.messages[0]) from None
    check_edit_pace(user, scope="leader-prayer")
    return _save_edit(prayer, text)


@transaction.atomic
def _save_edit(prayer, text) -> LeaderPrayer:
    prayer.text, prayer.body_html = text, render_markdown(text)
    if settings.LEADER_PRAYERS_REVIEW:
        prayer.status = Status.PENDING
    hold_for_links(prayer, prayer.body_html)
    prayer.edited_at = timezone.now()
    prayer.save(update_fields=["text", "body_html", "status", "edited_at"])
    pagecache.retire(prayer.leader.page_scope)
    return prayer


@transaction.atomic
def delete_prayer(*, prayer: LeaderPrayer, user) -> None:
    """The member takes their prayer down; nobody sees it again."""
    if prayer.author_id is None or prayer.author_id != user.pk:
        raise PermissionDenied("Only the member who wrote this prayer can delete it.")
    LeaderPrayer.objects.filter(pk=prayer.pk).update(is_deleted=True)
    prayer.is_deleted = True
    pagecache.retire(prayer.leader.page_scope)


def report_prayer(*, prayer: LeaderPrayer, user, reason: str, detail: str = "") -> bool:
    return moderation.report(prayer, user=user, reason=reason, detail=detail,
                             report_model=LeaderPrayerReport, noun="prayer")


def set_prayer_status(*, prayer: LeaderPrayer, status: str, by=None) -> None:
    """A moderator's decision on one prayer from its admin page: the same rules, and
    the same pages retired, as the list's actions."""
    moderation.set_status(prayer, status, report_model=LeaderPrayerReport, by=by)


def approve_prayers(queryset, *, by=None) -> int:
    return moderation.approve(queryset, report_model=LeaderPrayerReport, by=by)


def remove_prayers(queryset, *, by=None) -> int:
    return moderation.remove(queryset, report_model=LeaderPrayerReport, by=by)
