import re
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from comments.html import load_conversation
from intercessors.pagecache import cache_anonymous_page
from prayers.models import State
from prayers.selectors import prayed_ids

from .models import Article, Topic
from .selectors import article_cards

PAGE_SIZE = 12
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,200}")


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


def card_context(request, page):
    articles = list(page.object_list)
    prayers = [getattr(a, "prayer", None) for a in articles]
    return {
        "page": page,
        "articles": articles,
        "prayed_ids": prayed_ids(user=request.user, prayer_ids=[p.pk for p in prayers if p]),
    }


def _slug_param(request, name):
    """A ?name= filter value: empty, or a slug; anything else is a 404."""
    value = request.GET.get(name, "")
    if value and not SLUG.fullmatch(value):
        raise Http404(f"No such {name}.")
    return value


@require_safe
@cache_anonymous_page(reads=("page", "topic", "state"))
def article_list(request):
    articles = article_cards()
    topic = state = None
    if topic_slug := _slug_param(request, "topic"):
        topic = get_object_or_404(Topic, slug=topic_slug)
        articles = articles.filter(topics=topic)
    if state_slug := _slug_param(request, "state"):
        state = get_object_or_404(State, slug=state_slug)
        articles = articles.filter(states=state)
    context = card_context(request, paginate(request, articles))
    context.update(topic=topic, state=state, topics=Topic.objects.all())
    return render(request, "articles/list.html", context)


def share_links(url: str, title: str) -> dict:
    """Plain share links: no third-party script runs on our pages."""
    return {
        "facebook": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        "x": "https://x.com/intent/post?" + urlencode({"url": url, "text": title}),
        "email": f"mailto:?subject={quote(title)}&body={quote(url)}",
    }


@require_safe
@cache_anonymous_page()
def article_detail(request, slug):
    article = get_object_or_404(
        Article.objects.select_related("prayer").prefetch_related("topics", "states"), slug=slug
    )
    if not article.is_public and not request.user.is_staff:
        raise Http404("No such post.")
    prayer = getattr(article, "prayer", None)
    canonical_url = settings.SITE_URL + article.get_absolute_url()
    return render(
        request,
        "articles/detail.html",
        {
            "article": article,
            "prayer": prayer,
            "prayed_ids": prayed_ids(user=request.user, prayer_ids=[prayer.pk] if prayer else []),
            "canonical_url": canonical_url,
            "share": share_links(canonical_url, article.title),
            "conversation": load_conversation(target=article, request=request),
        },
    )
