"""The "I Prayed" form of each prayer on a page, filled in for each reader
(intercessors.parts): "You prayed" for the prayers a member has prayed, and every
count as it is now, read for the whole page in one query. Since counts are filled
in live, a prayer retires no render of any page."""
from django.db.models import Exists, OuterRef
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.functional import SimpleLazyObject

from intercessors.parts import register

from .models import Prayer, PrayerMark

FORM = get_template("prayers/includes/_pray_form.html")


def _counts(request, calls) -> dict[int, tuple[int, bool]]:
    """(count, prayed by this member) of each prayer on the page."""
    ids = {int(args[0]) for args in calls if args and args[0].isdigit()}
    user = request.user
    rows = Prayer.objects.filter(pk__in=ids).order_by()
    if user.is_authenticated:
        rows = rows.annotate(
            prayed=Exists(PrayerMark.objects.filter(prayer=OuterRef("pk"), user=user))
        ).values_list("pk", "prayed_count", "prayed")
    else:
        rows = rows.values_list("pk", "prayed_count")
    return {row[0]: (row[1], bool(row[2:] and row[2])) for row in rows}


@register("pray", prepare=_counts)
def pray_form(request, prepared, pk):
    count, prayed = prepared.get(int(pk), (0, False))
    member = request.user.is_authenticated
    return FORM.render({
        "pk": pk, "count": count, "prayed": prayed, "member": member,
        "path": request.get_full_path(),
        "csrf_token": SimpleLazyObject(lambda: get_token(request)) if member else "",
    })
