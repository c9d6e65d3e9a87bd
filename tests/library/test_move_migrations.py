"""Moving the outbox, suppressed addresses and rate-limit windows from the site's
package to the library loses nothing: a database as the migrations before the move
left it, with mail, suppressions, counts, permissions and admin history in it,
migrates forward with every row and link in place, in the same tables."""
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from tests.states.test_move_migrations import latest, migrate

BEFORE_THE_MOVE = ("intercessors", "0007_outbox_batches_and_suppression")


def before_the_move():
    """Every app at its latest migration but the site's, at the one before the move,
    and no library: as today's main left a database."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_THE_MOVE, ("library", None)])
    executor.loader.build_graph()
    nodes = [node for node in executor.loader.graph.leaf_nodes()
             if node[0] not in ("intercessors", "library")]
    return executor.loader.project_state([*nodes, BEFORE_THE_MOVE]).apps


def test_the_library_takes_its_tables_with_their_rows_permissions_and_history(transactional_db):
    try:
        _move_and_check(before_the_move())
    finally:
        migrate(latest())


def _move_and_check(old):
    OldMessage = old.get_model("intercessors", "OutboxMessage")
    OldSuppressed = old.get_model("intercessors", "SuppressedAddress")
    OldBucket = old.get_model("intercessors", "RateLimitBucket")
    User = old.get_model("accounts", "User")
    Group = old.get_model("auth", "Group")
    Permission = old.get_model("auth", "Permission")
    OldContentType = old.get_model("contenttypes", "ContentType")

    now = timezone.now()
    staff = User.objects.create(username="mail-desk", email="desk@example.org",
                                display_name="Mail desk", is_staff=True)
    message = OldMessage.objects.create(
        kind="comments/email/reply", member=staff, to="desk@example.org",
        from_email="hello@example.org", subject="A reply", body="Amen.",
        message_id="<move-test@example.org>", status="waiting", next_try_at=now)
    suppressed = OldSuppressed.objects.create(email="gone@example.org", reason="bounced")
    OldBucket.objects.create(bucket="rl:prayed:1:abc", count=7, expires=2_000_000_000)
    # The content types and permissions exist in a running site's database.
    message_type, _ = OldContentType.objects.get_or_create(app_label="intercessors",
                                                           model="outboxmessage")
    view_mail, _ = Permission.objects.get_or_create(
        content_type=message_type, codename="view_outboxmessage",
        defaults={"name": "Can view mail"})
    desk, _ = Group.objects.get_or_create(name="Mail desk")
    desk.permissions.add(view_mail)
    staff.groups.add(desk)
    history = LogEntry.objects.create(
        user_id=staff.pk, content_type_id=message_type.pk, object_id=str(message.pk),
        object_repr="A reply", action_flag=CHANGE, action_time=now)

    migrate(latest())

    from accounts.models import User as NewUser
    from library.models import OutboxMessage, RateLimitBucket, SuppressedAddress

    ContentType.objects.clear_cache()
    moved = OutboxMessage.objects.get(pk=message.pk)
    assert (moved.message_id, moved.member_id, moved.status) == (
        "<move-test@example.org>", staff.pk, "waiting")
    assert SuppressedAddress.objects.get(pk=suppressed.pk).email == "gone@example.org"
    assert RateLimitBucket.objects.get(bucket="rl:prayed:1:abc").count == 7
    # The same tables as before the move.
    tables = connection.introspection.table_names()
    assert {"intercessors_outboxmessage", "intercessors_suppressedaddress",
            "intercessors_ratelimit"} <= set(tables)
    # The same content type row, under the library; none left behind.
    assert ContentType.objects.get_for_model(OutboxMessage).pk == message_type.pk
    assert not ContentType.objects.filter(app_label="intercessors", model="outboxmessage")
    assert LogEntry.objects.get(pk=history.pk).get_edited_object() == moved
    staff_now = NewUser.objects.get(pk=staff.pk)
    assert staff_now.has_perm("library.view_outboxmessage")
    browser = Client()
    browser.force_login(staff_now)
    page = browser.get("/admin/library/outboxmessage/")
    assert page.status_code == 200 and "desk@example.org" in page.content.decode()
