"""Moving states and pledges into their own apps loses nothing: a database at the
migrations before the move, with content in it, migrates forward with every row,
every conversation, every permission and every admin history entry in place."""
import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

BEFORE_THE_MOVE = [
    ("accounts", "0005_display_name_key"),
    ("prayers", "0005_editors_edit_states"),
    ("articles", "0003_search_vector"),
    ("comments", "0002_editors_moderate"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def before_the_move(transactional_db):
    """The database as it was before the move; whatever happens, as it is now after."""
    try:
        yield migrate(BEFORE_THE_MOVE)
    finally:
        migrate(latest())


def test_states_and_pledges_move_with_their_rows_links_and_permissions(before_the_move):
    old = before_the_move
    User = old.get_model("accounts", "User")
    State = old.get_model("prayers", "State")
    StateCall = old.get_model("prayers", "StateCall")
    Pledge = old.get_model("accounts", "PartnerPledge")
    Comment = old.get_model("comments", "Comment")
    Article = old.get_model("articles", "Article")
    Group = old.get_model("auth", "Group")
    OldContentType = old.get_model("contenttypes", "ContentType")

    # Earlier tests that commit may have emptied the table the data migration filled.
    iowa, _ = State.objects.update_or_create(
        code="IA", defaults={"name": "Iowa", "slug": "iowa", "note": "Pray for the harvest.",
                             "note_html": "<p>Pray for the harvest.</p>"},
    )
    call = StateCall.objects.create(
        state=iowa, title="Iowa Tuesday call", weekday=1, start_time="19:00",
        time_zone="America/Chicago", how_to_join="Dial in", how_to_join_html="<p>Dial in</p>",
    )
    member = User.objects.create(username="ruth", email="ruth@example.org",
                                 display_name="Ruth", home_state=iowa)
    editor = User.objects.create(username="ed", email="ed@example.org", display_name="Ed",
                                 is_staff=True)
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*old.get_model("auth", "Permission").objects.filter(
        content_type__app_label="prayers", codename__in=["change_state", "add_statecall"]
    ))
    editor.groups.add(editors)
    state_type = OldContentType.objects.get(app_label="prayers", model="state")
    comment = Comment.objects.create(
        content_type=state_type, object_id=iowa.pk, author=member, depth=1,
        body="Praying for Ames tonight.", body_html="<p>Praying for Ames tonight.</p>",
    )
    now = timezone.now()
    post = Article.objects.create(title="Harvest", slug="harvest", status="published",
                                  published_at=now, body="Fields.", body_html="<p>Fields.</p>")
    post.states.add(iowa)
    pledge = Pledge.objects.create(reference="P-MOVE1", first_name="Lydia", last_name="Purple",
                                   email="lydia@example.org", amount=50, frequency="monthly",
                                   state=iowa, member=member)
    pledge_type = OldContentType.objects.get(app_label="accounts", model="partnerpledge")
    history = LogEntry.objects.create(
        user_id=editor.pk, content_type_id=pledge_type.pk, object_id=str(pledge.pk),
        object_repr="P-MOVE1", action_flag=ADDITION, action_time=now,
    )
    type_ids = {"state": state_type.pk, "pledge": pledge_type.pk}

    migrate(latest())

    from accounts.models import User as NewUser
    from articles.models import Article as NewArticle
    from comments.models import Comment as NewComment
    from partners.models import PartnerPledge
    from states.models import State as NewState
    from states.models import StateCall as NewCall

    ContentType.objects.clear_cache()
    assert NewState.objects.count() == 51
    iowa_now = NewState.objects.get(code="IA")
    assert iowa_now.pk == iowa.pk and iowa_now.note == "Pray for the harvest."
    assert NewCall.objects.get(pk=call.pk).state_id == iowa.pk
    assert NewUser.objects.get(pk=member.pk).home_state_id == iowa.pk
    assert list(NewArticle.objects.get(pk=post.pk).states.all()) == [iowa_now]
    assert PartnerPledge.objects.get(pk=pledge.pk).reference == "P-MOVE1"

    # The same content type rows, under their new apps; none left behind.
    assert ContentType.objects.get_for_model(NewState).pk == type_ids["state"]
    assert ContentType.objects.get_for_model(PartnerPledge).pk == type_ids["pledge"]
    assert not ContentType.objects.filter(app_label="prayers", model__in=["state", "statecall"])
    assert not ContentType.objects.filter(app_label="accounts", model="partnerpledge")
    assert NewComment.objects.get(pk=comment.pk).target == iowa_now
    assert LogEntry.objects.get(pk=history.pk).get_edited_object() == PartnerPledge.objects.get()

    # The state page shows its conversation; the editor still keeps state pages.
    assert "Praying for Ames tonight." in Client().get("/states/iowa/").content.decode()
    editor_now = NewUser.objects.get(pk=editor.pk)
    assert editor_now.has_perm("states.change_state")
    assert editor_now.has_perm("states.add_statecall")
    assert not editor_now.has_perm("partners.view_partnerpledge")
    browser = Client()
    browser.force_login(editor_now)
    assert browser.get(f"/admin/states/state/{iowa.pk}/change/").status_code == 200
