"""The "I Prayed" part of shared pages: "You prayed" where the member has (or
this browser has, from a subscriber's mail: prayers.inbox), and every
count as it is now, read for the whole page in one query (so a prayer retires no page)."""
from django.db.models import Exists, OuterRef, Subquery
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from library.pages import parts
from library.pages.parts import register

from . import inbox
from .models import NOTE_MAX_LENGTH, Prayer, PrayerMark, PrayerNote
from .selectors import live_counts
from .templatetags.prayers import prayed_label

# Where the id and the count go in the form rendered once per page ("<" comes from no value).
PK, LABEL = mark_safe("<pk>"), mark_safe("<label>")  # nosec B308 B703


def _counts(request, calls) -> dict[int, tuple[int, bool]]:
    """(count, prayed by this member, or from the mail in this browser) of each prayer
    on the page."""
    ids = sorted({int(args[0]) for args in calls if args and args[0].isdigit()})
    counts = live_counts(ids, member=request.user)
    if not request.user.is_authenticated and (mine := inbox.read(request).prayed):
        counts = {pk: (count, pk in mine) for pk, (count, _) in counts.items()}
    return counts


@register("pray", prepare=_counts)
def pray_form(request, counts, pk):
    count, prayed = counts.get(int(pk), (0, False))
    forms = request.__dict__.setdefault("_pray_forms", {})
    if prayed not in forms:  # the page's forms differ only in id and count
        forms[prayed] = _form(request, prayed)
    return forms[prayed].replace(PK, str(int(pk))).replace(LABEL, escape(prayed_label(count)))


def _form(request, prayed: bool) -> str:
    member = request.user.is_authenticated
    action = reverse("prayers:unprayed" if prayed else "prayers:prayed", args=[0])
    return get_template("prayers/includes/_pray_form.html").render({
        "pk": PK, "label": LABEL, "prayed": prayed, "member": member,
        "action": mark_safe(action.replace("/0/", f"/{PK}/")),  # nosec B308 B703
        "path": request.get_full_path(),
        # One token for the page's forms, as a template rendered in one go has.
        "csrf_token": parts.csrf_token(request) if member else "",
    })


def _counts_and_notes(request, calls) -> tuple[dict, dict]:
    """The counts, and for a member, of each request: whether they asked it, whether
    its notes are shown to all, and the status of the note they left (if any); for a
    member, in the one query the counts alone would take."""
    if not request.user.is_authenticated:
        return _counts(request, calls), {}
    ids = sorted({int(args[0]) for args in calls if args and args[0].isdigit()})
    user = request.user
    rows = (Prayer.objects.filter(pk__in=ids).order_by().annotate(
        prayed=Exists(PrayerMark.objects.filter(prayer=OuterRef("pk"), user=user)),
        my_note=Subquery(PrayerNote.objects.filter(prayer=OuterRef("pk"), author=user)
                         .values("status")[:1]),
    ).values_list("pk", "prayed_count", "prayed", "author_id", "notes_public", "my_note"))
    counts, notes = {}, {}
    for pk, count, prayed, author_id, public, note in rows:
        counts[pk] = (count, bool(prayed))
        notes[pk] = (author_id == user.pk, public, note)
    return counts, notes


@register("pray-note", prepare=_counts_and_notes)
def pray_note_form(request, prepared, pk):
    """A request's own page: "I Prayed" with an optional note for its requester (a
    plain form, sent without the script), or, once prayed, a note on its own."""
    counts, notes = prepared
    form = pray_form(request, counts, pk)
    asked, public, note = notes.get(int(pk), (False, False, None))
    if not request.user.is_authenticated or asked:
        return form
    count, prayed = counts.get(int(pk), (0, False))
    return get_template("prayers/includes/_note_form.html").render({
        "pk": int(pk), "prayed": prayed, "note": note, "public": public,
        "toggle": form if prayed else "", "label": prayed_label(count),
        "next": f"{request.get_full_path()}#prayer-{int(pk)}",
        "max": NOTE_MAX_LENGTH, "csrf_token": parts.csrf_token(request),
    })
