import base64
import re
from urllib.parse import quote, urlencode, urljoin

from django.conf import settings
from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from comments.conversations import load_conversation
from comments.selectors import comment_counts
from library.pages.pagecache import LISTS, shared_page
from library.web.pagination import paginate
from states.models import State

from . import reads
from .models import Article, ReadDay, Topic
from .selectors import article_cards, posts_of_the_week, up_next

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,200}")


def card_context(request, page):
    articles = list(page.object_list)
    counts = comment_counts(targets=articles)
    for article in articles:
        article.comment_count = counts.get(article.pk, 0)
    return {"page": page, "articles": articles}


def _slug_param(request, name):
    """A ?name= filter value: empty, or a slug; anything else is a 404."""
    value = request.GET.get(name, "")
    if value and not SLUG.fullmatch(value):
        raise Http404(f"No such {name}.")
    return value


@require_safe
@shared_page(query=("page", "topic", "state"), depends_on=lambda request: (LISTS,))
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
    context.update(topic=topic, state=state, topics=Topic.objects.all(),
                   states=State.objects.only("name", "slug"))
    if context["page"].number == 1 and not (topic or state):
        # The whole site's week: on the first page of all posts, not under a filter.
        context["this_week"] = posts_of_the_week()
    return render(request, "articles/list.html", context)


def share_links(url: str, title: str) -> dict:
    """Plain share links: no third-party script runs on our pages."""
    return {
        "facebook": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        "x": "https://x.com/intent/post?" + urlencode({"url": url, "text": title}),
        "email": f"mailto:?subject={quote(title)}&body={quote(url)}",
    }


@require_safe
@shared_page(depends_on=lambda request, slug: (f"article:{slug}",))
def article_detail(request, slug):
    articles = Article.objects.select_related("prayer").prefetch_related("topics", "states")
    if settings.READ_COUNTS:
        articles = articles.annotate(readers=_all_readers)
    article = get_object_or_404(articles, slug=slug)
    if not article.is_public and not request.user.is_staff:
        raise Http404("No such post.")
    prayer = article.opening_prayer
    canonical_url = settings.SITE_URL + article.get_absolute_url()
    photo = article.photo_share or article.photo
    return render(
        request,
        "articles/detail.html",
        {
            "article": article,
            "prayer": prayer,
            "canonical_url": canonical_url,
            # The link-preview picture's full address: photos may live on another host.
            "share_image": urljoin(canonical_url, photo.url) if photo else "",
            "share": share_links(canonical_url, article.title),
            "up_next": up_next(article),
            "conversation": load_conversation(target=article, request=request),
            "read_counts": settings.READ_COUNTS,
        },
    )


# Everyone who has read a post, summed over its days in the post's own query.
_all_readers = Coalesce(
    Subquery(ReadDay.objects.filter(article=OuterRef("pk")).order_by()
             .values("article").annotate(total=Sum("readers")).values("total"),
             output_field=IntegerField()),
    0,
)

# A transparent GIF of one pixel.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@require_safe
def read_beacon(request, article_id):
    """The post page's tiny image: fetching it counts the reader (articles.reads). Never
    kept by any cache, so every view reaches us; a HEAD only asks, and is not counted.
    The id is not looked up here: made-up ones are dropped when counts are written."""
    if request.method == "GET" and settings.READ_COUNTS:
        reads.count_read(request, article_id)
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response


def state_posts(request, state) -> dict:
    """The posts about a state, a page at a time, for its state page (states.sections)."""
    page = paginate(request, article_cards().filter(states=state))
    return {"state": state, **card_context(request, page)}
