"""Paging long lists: a page number that is not a page is a 404, and deep pages
stay as fast as the first."""
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404

PAGE_SIZE = 12


class IdFirstPaginator(Paginator):
    """Deep pages stay fast: the page's ids come from an index-only scan, then only
    those rows are loaded (with everything the queryset selects and prefetches)."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids).order_by()}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def paginate(request, queryset, per_page=PAGE_SIZE):
    """One page of results; a page number that is not a page is a 404."""
    paginator = IdFirstPaginator(queryset, per_page)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger) as exc:
        raise Http404("No such page.") from exc


# Far enough for anyone paging by hand; deeper pages are a crawler's, and an offset
# scan that deep would cost more than a page is worth.
MAX_PAGE = 2000


class UncountedPage:
    """One page of a list too long to count on every view: it knows only whether a
    page follows, which is all "Older →" needs. The template shows "Page N" alone."""

    paginator = None

    def __init__(self, object_list, number, has_next):
        self.object_list = object_list
        self.number = number
        self._has_next = has_next

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self):
        return self._has_next

    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_next() or self.has_previous()

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1


def paginate_uncounted(request, queryset, per_page=PAGE_SIZE):
    """One page of a long list without counting it: the page's ids and one more (to
    know whether a next page exists) from an index-only scan, then only those rows.
    A page number that is not a whole number from 1 to MAX_PAGE, or a page past the
    end (except an empty first page), is a 404."""
    raw = request.GET.get("page") or "1"
    try:
        number = int(raw)
    except ValueError:
        raise Http404("No such page.") from None
    if not 1 <= number <= MAX_PAGE:
        raise Http404("No such page.")
    bottom = (number - 1) * per_page
    ids = list(queryset.values_list("pk", flat=True)[bottom : bottom + per_page + 1])
    if not ids and number > 1:
        raise Http404("No such page.")
    has_next, ids = len(ids) > per_page, ids[:per_page]
    rows = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()} if ids else {}
    return UncountedPage([rows[pk] for pk in ids if pk in rows], number, has_next)


def paginate_merged(request, querysets, *, key: str, per_page=PAGE_SIZE):
    """One page of several lists read as one (rows of different models), newest first
    by the field `key` they all have, without counting. Each list gives its first rows
    up to the end of the page and one more, in one query each; so it suits lists that
    stay short (an archive of a mail a day), not the wall. Ties between lists keep the
    order the lists were given in. A page number as `paginate_uncounted` takes it."""
    raw = request.GET.get("page") or "1"
    try:
        number = int(raw)
    except ValueError:
        raise Http404("No such page.") from None
    if not 1 <= number <= MAX_PAGE:
        raise Http404("No such page.")
    bottom, top = (number - 1) * per_page, number * per_page + 1
    rows = []
    for order, queryset in enumerate(querysets):
        rows += [(getattr(row, key), -order, row.pk, row)
                 for row in queryset.order_by(f"-{key}", "-pk")[:top]]
    rows.sort(key=lambda entry: entry[:3], reverse=True)
    if len(rows) <= bottom and number > 1:
        raise Http404("No such page.")
    found = [entry[3] for entry in rows[bottom:top]]
    return UncountedPage(found[:per_page], number, len(found) > per_page)
