"""Who did what: every custom admin action and staff page leaves one history entry
per row it changed, naming the person, the action and how many rows; superusers
read them all in one list, filtered by person; nobody's address is recorded."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from comments.models import Comment
from comments.services import report_comment
from leaders.models import Leader, LeaderPrayer
from leaders.services import save_leader
from library.mail import outbox, relay
from library.models import Letter, OutboxMessage
from partners.models import PartnerPledge
from prayers.models import Prayer, PrayerRequest
from prayers.services import report_request
from states.models import State
from tests.factories import (
    make_article,
    make_comment,
    make_member,
    make_request,
    make_seasoned_member,
)
from tests.updates.test_mailing_admin import confirmation, letter, reader
from updates.models import Mailing


@pytest.fixture
def boss(db):
    return make_member(display_name="Sarah Super", is_staff=True, is_superuser=True)


@pytest.fixture
def editor(db):
    user = make_member(display_name="Esther Editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def entries(obj=None, model=None):
    found = LogEntry.objects.order_by("pk")
    if obj is not None:
        found = found.filter(object_id=str(obj.pk),
                             content_type=ContentType.objects.get_for_model(
                                 obj, for_concrete_model=False))
    elif model is not None:
        found = found.filter(content_type=ContentType.objects.get_for_model(model))
    return list(found)


def comments_held(member):
    post = make_article()
    return [make_comment(target=post, author=member, body="Write to me at me@example.org",
                         status="pending") for _ in range(2)]


def requests_held(member):
    return [make_request(author=member, status="pending") for _ in range(2)]


def requests_shown(member):
    return [make_request(author=member) for _ in range(2)]


def leader_prayers(member, status="published"):
    leader = Leader.objects.filter(slug="ada-zephyr").first() or save_leader(leader=Leader(
        name="Ada Zephyr", office="senator", area="TX", state=State.objects.get(code="TX")))
    return [LeaderPrayer.objects.create(leader=leader, author=member, text="Amen.",
                                        body_html="<p>Amen.</p>", status=status)
            for _ in range(2)]


# (admin list, action, rows to make, the model they are seen as, message, what they become)
BULK = [
    ("comments/comment", "approve", comments_held, Comment,
     "Approved (held comment) (2 rows in this action)", {"status": "published"}),
    ("comments/comment", "remove", lambda m: [make_comment(target=make_article(), author=m)
                                              for _ in range(2)], Comment,
     "Removed from the site (comment) (2 rows in this action)", {"status": "removed"}),
    ("prayers/prayerrequest", "approve", requests_held, PrayerRequest,
     "Approved (held prayer request) (2 rows in this action)", {"status": "published"}),
    ("prayers/prayerrequest", "remove", requests_shown, PrayerRequest,
     "Removed from the site (prayer request) (2 rows in this action)", {"status": "removed"}),
    ("leaders/leaderprayer", "approve", lambda m: leader_prayers(m, "pending"), LeaderPrayer,
     "Approved (held prayer for a leader) (2 rows in this action)", {"status": "published"}),
    ("leaders/leaderprayer", "remove", leader_prayers, LeaderPrayer,
     "Removed from the site (prayer for a leader) (2 rows in this action)",
     {"status": "removed"}),
]


@pytest.mark.parametrize("path, action, make, model, message, after", BULK,
                         ids=[f"{row[0]}-{row[1]}" for row in BULK])
def test_a_moderation_action_records_each_row_it_changed(client, boss, member, path, action,
                                                          make, model, message, after):
    rows = make(member)
    untouched = make(member)[0]  # selected too, but already as asked: not changed
    model.objects.filter(pk=untouched.pk).update(**after)
    client.force_login(boss)
    client.post(f"/admin/{path}/", {"action": action,
                                    "_selected_action": [r.pk for r in [*rows, untouched]]})
    for row in rows:
        (entry,) = entries(model.objects.get(pk=row.pk))
        assert (entry.user, entry.action_flag, entry.change_message) == (boss, CHANGE, message)
    assert entries(model.objects.get(pk=untouched.pk)) == []
    assert "@" not in "".join(e.object_repr + e.change_message for e in entries())


@pytest.mark.parametrize("decision, words", [("_keep", "kept"), ("_remove", "removed"),
                                             ("_dismiss", "dismissed")])
def test_a_report_decision_is_recorded_on_the_report(client, boss, member, decision, words):
    comment = make_comment(target=make_article(), author=member)
    report_comment(comment=comment, user=make_seasoned_member(), reason="spam")
    report = comment.reports.get()
    client.force_login(boss)
    client.post(f"/admin/comments/commentreport/{report.pk}/change/", {decision: "1"})
    (entry,) = [e for e in entries(report) if e.change_message.startswith("Decided")]
    assert entry.user == boss
    assert entry.change_message == (f"Decided: the comment was {words} (Comment "
                                    f"#{comment.pk}) (1 row in this action)")


def test_a_prayer_report_decision_is_recorded_too(client, boss, member):
    prayer = make_request(author=member)
    report_request(prayer=prayer, user=make_seasoned_member(), reason="spam")
    report = prayer.reports.get()
    client.force_login(boss)
    client.post(f"/admin/prayers/prayerreport/{report.pk}/change/", {"_remove": "1"})
    assert Prayer.objects.get(pk=prayer.pk).status == "removed"
    assert any(e.change_message.startswith(f"Decided: the request was removed (Prayer "
                                           f"#{prayer.pk})") and e.user == boss
               for e in entries(report))


def test_deleting_accounts_is_recorded_by_number_before_the_data_goes(client, boss):
    leaving = [make_member(email=f"leaving{n}@example.org", display_name=f"Leaving {n}")
               for n in range(2)]
    client.force_login(boss)
    client.post("/admin/accounts/user/", {"action": "delete_accounts",
                                          "_selected_action": [u.pk for u in leaving]})
    for user in leaving:
        (entry,) = entries(user)
        assert (entry.user, entry.action_flag) == (boss, DELETION)
        assert entry.object_repr == f"Account #{user.pk}"
        assert entry.change_message == ("Deleted the account (personal data wiped) (2 rows in "
                                        "this action)")
        assert "Leaving" not in entry.object_repr
    assert "@" not in "".join(e.object_repr + e.change_message for e in entries())


@pytest.mark.parametrize("how", ["action", "page"])
def test_trying_failed_mail_again_is_recorded(client, boss, how):
    for to in ("gone@example.org", "lost@example.org"):
        outbox.send("accounts/email/deleted", {}, to=to)
    OutboxMessage.objects.update(status="failed", error="550 no such mailbox gone@example.org")
    sent = outbox.send("accounts/email/deleted", {}, to="fine@example.org")
    OutboxMessage.objects.filter(pk=sent.pk).update(status="sent")
    failed = list(OutboxMessage.objects.filter(status="failed"))
    client.force_login(boss)
    if how == "action":
        client.post("/admin/library/outboxmessage/", {
            "action": "try_again", "_selected_action": [m.pk for m in [*failed, sent]]})
        count = 2
    else:
        client.post(f"/admin/library/outboxmessage/{failed[0].pk}/try-again/")
        failed, count = failed[:1], 1
    for message in failed:
        (entry,) = entries(message)
        assert entry.user == boss
        assert entry.change_message == (f"Tried again (failed mail) ({count} "
                                        f"row{'s' if count > 1 else ''} in this action)")
    assert entries(sent) == []
    assert "@" not in "".join(e.object_repr + e.change_message for e in entries())


@pytest.mark.parametrize("action, words", [("send_on", "Sent on"), ("discard", "Discarded")])
def test_deciding_held_letters_is_recorded(client, boss, action, words):
    held = [relay.relay(kind="coordinator", to="coordinator@state.example",
                        sender_name="Ruth Moab", reply_to="ruth@example.org",
                        subject="Joining", body=f"See https://church{n}.example")
            for n in range(2)]
    assert {letter.status for letter in held} == {Letter.Status.HELD}
    client.force_login(boss)
    client.post("/admin/library/letter/", {"action": action,
                                           "_selected_action": [x.pk for x in held]})
    for one in held:
        (entry,) = entries(one)
        assert entry.user == boss and entry.object_repr == f"Letter #{one.pk}"
        assert entry.change_message == f"{words} (held letter) (2 rows in this action)"
    assert "@" not in "".join(e.object_repr + e.change_message for e in entries())


def test_sending_a_mailing_is_recorded_with_its_count(client, boss):
    texas = State.objects.get(code="TX")
    reader("one@example.org", state=texas)
    reader("two@example.org", state=texas)
    mailing = letter()
    client.force_login(boss)
    _, _, fields = confirmation(client, mailing)
    client.post(f"/admin/updates/mailing/{mailing.pk}/send/", fields)
    (entry,) = entries(mailing)
    assert entry.user == boss
    assert entry.change_message == "Sent now, confirmed for 2 subscribers (1 row in this action)"


def test_scheduling_and_stopping_a_mailing_are_recorded(client, boss):
    reader("one@example.org", state=State.objects.get(code="TX"))
    mailing = letter(send_at=timezone.now() + timedelta(days=1))
    client.force_login(boss)
    _, _, fields = confirmation(client, mailing)
    client.post(f"/admin/updates/mailing/{mailing.pk}/send/", fields)
    assert Mailing.objects.get(pk=mailing.pk).status == "scheduled"
    client.post(f"/admin/updates/mailing/{mailing.pk}/unschedule/")
    scheduled, stopped = entries(mailing)
    assert scheduled.user == stopped.user == boss
    assert scheduled.change_message.startswith("Scheduled for ")
    assert scheduled.change_message.endswith("confirmed for 1 subscriber (1 row in this action)")
    assert stopped.change_message == ("Stopped (scheduled mailing made a draft again) (1 row "
                                      "in this action)")


def test_a_test_copy_is_recorded_without_the_address_it_went_to(client, boss):
    mailing = letter()
    client.force_login(boss)
    client.post(f"/admin/updates/mailing/{mailing.pk}/test/")
    (entry,) = entries(mailing)
    assert entry.user == boss
    assert entry.change_message == ("Sent a test copy to the staff member's own address (1 row "
                                    "in this action)")
    assert boss.email not in entry.change_message


def test_exporting_pledges_is_recorded_once_with_the_references(client, boss):
    pledges = [PartnerPledge.objects.create(
        reference=f"P-EXP{n}", first_name="Lydia", last_name="Purple",
        email=f"lydia{n}@example.org", amount=Decimal("10"), frequency="monthly")
        for n in range(3)]
    client.force_login(boss)
    response = client.post("/admin/partners/partnerpledge/", {
        "action": "export_csv", "_selected_action": [p.pk for p in pledges]})
    assert response.status_code == 200
    (entry,) = entries(model=PartnerPledge)
    assert entry.user == boss and entry.object_id is None
    assert entry.change_message == ("Exported as CSV: P-EXP0, P-EXP1, P-EXP2 (3 rows in this "
                                    "action)")
    assert "Purple" not in entry.change_message and "@" not in entry.change_message


def test_superusers_read_who_did_what_per_person_and_editors_cannot(client, boss, editor,
                                                                    member):
    held = comments_held(member)
    client.force_login(editor)
    client.post("/admin/comments/comment/", {"action": "approve",
                                             "_selected_action": [c.pk for c in held]})
    assert client.get("/admin/admin/logentry/").status_code == 403
    assert "/admin/admin/logentry/" not in client.get("/admin/").content.decode()
    client.force_login(boss)
    page = client.get(f"/admin/admin/logentry/?user__id__exact={editor.pk}")
    assert page.status_code == 200
    listed = list(page.context["cl"].result_list)
    assert {e.object_id for e in listed} == {str(c.pk) for c in held}
    assert all(e.user == editor for e in listed)
    assert "Approved (held comment)" in page.content.decode()
    # Each comment's own History page names who approved it (by their username).
    history = client.get(f"/admin/comments/comment/{held[0].pk}/history/").content.decode()
    history = history[history.index("change-history"):]
    assert "Approved (held comment)" in history and editor.username in history
    # Read-only, even for superusers.
    entry = listed[0]
    assert client.post(f"/admin/admin/logentry/{entry.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert client.get("/admin/admin/logentry/add/").status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_every_admin_list_of_what_members_write_shares_the_recorded_actions():
    """One mixin for approving and removing, so no list of members' writing (a new
    kind included) has actions that leave no history."""
    from django.contrib import admin

    from library.admin import ModerationActionsMixin
    from library.text.moderation import Moderated

    # Prayer's own list holds staff's prompts; members' requests are PrayerRequest's.
    moderated = {model: model_admin for model, model_admin in admin.site._registry.items()
                 if issubclass(model, Moderated) and model is not Prayer}
    assert {Comment, PrayerRequest, LeaderPrayer} <= set(moderated)
    assert {model for model, model_admin in moderated.items()
            if not isinstance(model_admin, ModerationActionsMixin)} == set()
