"""Site-wide views: home, search, health check, robots.txt."""
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from articles.selectors import MAX_QUERY_LENGTH, article_cards, search_articles
from articles.views import card_context, paginate
from prayers.models import Prayer
from prayers.selectors import prayed_ids

from .pagecache import cache_anonymous_page


@require_safe
def favicon(request):
    # Browsers ask for /favicon.ico on pages that do not name an icon (admin).
    return redirect(static("img/favicon.svg"), permanent=True)


@require_safe
@cache_anonymous_page
def home(request):
    articles = list(article_cards()[:6])
    prayers = list(Prayer.objects.visible().standalone().select_related("state")[:3])
    ids = [a.prayer.pk for a in articles if hasattr(a, "prayer")] + [p.pk for p in prayers]
    return render(
        request,
        "home.html",
        {
            "articles": articles,
            "prayers": prayers,
            "prayed_ids": prayed_ids(user=request.user, prayer_ids=ids),
        },
    )


@require_safe
@cache_anonymous_page
def search(request):
    query = request.GET.get("q", "").strip()
    context = {"query": query, "max_length": MAX_QUERY_LENGTH}
    if len(query) > MAX_QUERY_LENGTH:
        context["error"] = (
            f"Please search for at most {MAX_QUERY_LENGTH} characters; "
            f"that search had {len(query):,}."
        )
        return render(request, "search.html", context, status=400)
    if "\x00" in query:
        context.update(query="", error="That search contained characters we cannot look for.")
        return render(request, "search.html", context, status=400)
    if query:
        context.update(card_context(request, paginate(request, search_articles(query))))
    return render(request, "search.html", context)


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /search/",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_safe
def bench_ceiling(request):
    """A page of about a post page's size that touches no database: the benchmark's ceiling."""
    return render(request, "bench/ceiling.html", {"items": range(50)})


@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
