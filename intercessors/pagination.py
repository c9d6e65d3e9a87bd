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
