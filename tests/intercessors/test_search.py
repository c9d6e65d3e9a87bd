from tests.factories import make_article


def test_search_finds_title_prayer_and_excerpt(client, db):
    make_article(title="Volunteers rebuild the library", body="Shelves and books.")
    make_article(title="Quiet week", prayer_text="Father, we pray for the firefighters.")
    make_article(title="Budget talks", body="The legislature argued about highways.")
    make_article(title="Hidden draft about highways", status="draft")
    for query, expected in [
        ("library", "Volunteers rebuild the library"),
        ("firefighters", "Quiet week"),
        ("highways", "Budget talks"),
    ]:
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        html = response.content.decode()
        assert expected in html, query
        assert "1 post found" in html, query
    assert "Hidden draft" not in client.get("/search/", {"q": "highways"}).content.decode()


def test_search_with_no_results_or_no_query(client, db):
    html = client.get("/search/", {"q": "zeppelin"}).content.decode()
    assert "No prayer posts matched “zeppelin”" in html
    html = client.get("/search/").content.decode()
    assert "Type a word or two" in html


def test_over_long_or_broken_queries_get_a_clear_400(client, db):
    response = client.get("/search/", {"q": "pray " * 100})
    assert response.status_code == 400
    assert "at most 200 characters" in response.content.decode()
    response = client.get("/search/", {"q": "a\x00b"})
    assert response.status_code == 400


def test_search_pages_results(client, db):
    for i in range(13):
        make_article(title=f"Harvest story {i}")
    assert client.get("/search/", {"q": "harvest", "page": 2}).status_code == 200
    assert client.get("/search/", {"q": "harvest", "page": 9}).status_code == 404


def test_a_post_saved_any_way_at_all_is_found_at_once(client, db):
    """Before: on PostgreSQL the search vector was refreshed only by admin, seeds and
    factories, so a post written any other way was never found."""
    from datetime import timedelta

    from django.utils import timezone

    from articles.models import Article
    from library.pages import pagecache
    from prayers.models import Prayer

    article = Article.objects.create(
        title="Lighthouse keepers", slug="lighthouse-keepers", status="published",
        published_at=timezone.now() - timedelta(hours=1), body="A storm on the coast.",
    )
    prayer = Prayer.objects.create(article=article, text="Father, we pray for the fishermen.")
    pagecache.retire()  # written straight to the tables: nothing else retires pages

    def found(word):
        return "Lighthouse keepers" in client.get("/search/", {"q": word}).content.decode()

    assert found("lighthouse") and found("storm") and found("fishermen")
    Prayer.objects.filter(pk=prayer.pk).update(text="Father, we pray for the sailors.")
    Article.objects.filter(pk=article.pk).update(summary="Harbour news.")
    pagecache.retire()
    assert found("sailors") and found("harbour") and not found("fishermen")


PLAIN_QUERIES = {
    # query: the titles it must find (and no other of these posts)
    "flooding": {"River towns rebuild"},  # the text says "flood"
    "rebuilds": {"River towns rebuild"},
    "iowa": {"River towns rebuild"},  # a state the post is about
    "texas": {"Schools reopen"},
    "relief": {"River towns rebuild"},  # a topic: Disaster Relief
    "education": {"Schools reopen"},
    "teachers": {"Schools reopen"},  # the prayer says "teacher"
    "nurses hospital": {"Hospital hires"},  # every word, in any part
}


def test_the_same_plain_queries_find_the_same_posts_on_either_database(client, db):
    from states.models import State
    from tests.factories import make_topic

    iowa, texas = State.objects.get(code="IA"), State.objects.get(code="TX")
    make_article(title="River towns rebuild", body="The flood left silt on Main Street.",
                 topics=[make_topic("Disaster Relief")], states=[iowa])
    make_article(title="Schools reopen", body="Classrooms are ready again.",
                 prayer_text="Father, we pray for every teacher.",
                 topics=[make_topic("Education")], states=[texas])
    make_article(title="Hospital hires", body="The county hospital hired twelve nurses.")
    titles = {"River towns rebuild", "Schools reopen", "Hospital hires"}
    for query, expected in PLAIN_QUERIES.items():
        html = client.get("/search/", {"q": query}).content.decode()
        found = {title for title in titles if title in html}
        assert found == expected, query


def test_comments_stay_out_of_search(client, member, db):
    from tests.factories import make_comment

    post = make_article(title="Quiet post")
    make_comment(target=post, author=member, body="zeppelins everywhere")
    assert "Quiet post" not in client.get("/search/", {"q": "zeppelins"}).content.decode()


def test_search_syntax_in_a_query_is_read_as_words(client, db):
    make_article(title="Harvest news")
    for query in ['harvest"', "harvest OR", "NEAR(harvest)", "harvest*", "-harvest", "^harvest"]:
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200, query
