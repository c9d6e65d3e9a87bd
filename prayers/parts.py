"""The "I Prayed" form of each prayer on a page, filled in for each reader
(intercessors.parts): "You prayed" for the prayers a member has prayed, and every
count as it is now, read for the whole page in one query. Since counts are filled
in live, a prayer retires no render of any page."""
from django.template.loader import get_template

from intercessors import parts
from intercessors.parts import register

from .selectors import live_counts


def _counts(request, calls) -> dict[int, tuple[int, bool]]:
    """(count, prayed by this member) of each prayer on the page."""
    ids = sorted({int(args[0]) for args in calls if args and args[0].isdigit()})
    return live_counts(ids, member=request.user)


@register("pray", prepare=_counts)
def pray_form(request, prepared, pk):
    count, prayed = prepared.get(int(pk), (0, False))
    member = request.user.is_authenticated
    return get_template("prayers/includes/_pray_form.html").render({
        "pk": pk, "count": count, "prayed": prayed, "member": member,
        "path": request.get_full_path(),
        # One token for the page's forms, as a template rendered in one go has.
        "csrf_token": parts.csrf_token(request) if member else "",
    })
