"""Who may do what: every URL × {anonymous, member, another member, editor, superuser}
× {GET, POST} → the status each gets. One table, read row by row."""
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.utils import timezone

from leaders.models import Leader, LeaderPrayer
from leaders.services import save_leader
from partners.models import PartnerPledge
from prayers.followup import quiet_token
from prayers.models import PrayerNote
from states.models import State
from tests.factories import make_article, make_comment, make_event, make_member, make_request
from updates.models import Subscriber

ROLES = ["anonymous", "owner", "other", "editor", "superuser"]

# path → {method: status for each role in ROLES order}; "{...}" fields are filled in.
MATRIX = {
    "/": {"GET": [200] * 5, "POST": [405] * 5},
    "/articles/": {"GET": [200] * 5, "POST": [405] * 5},
    "/articles/{post}/": {"GET": [200] * 5, "POST": [405] * 5},
    "/articles/{draft}/": {"GET": [404, 404, 404, 200, 200], "POST": [405] * 5},
    "/articles/feed/": {"GET": [200] * 5},
    "/search/?q=valley": {"GET": [200] * 5, "POST": [405] * 5},
    "/states/": {"GET": [200] * 5, "POST": [405] * 5},
    "/states/texas/": {"GET": [200] * 5, "POST": [405] * 5},
    "/states/texas/calls.ics": {"GET": [200] * 5},
    "/events/": {"GET": [200] * 5, "POST": [405] * 5},
    "/events/{event}/": {"GET": [200] * 5, "POST": [405] * 5},
    "/events/{event}/calendar.ics": {"GET": [200] * 5},
    "/events/calendar.ics": {"GET": [200] * 5},
    "/events/recordings/": {"GET": [200] * 5},
    "/events/recordings/feed/": {"GET": [200] * 5},
    # A reader not logged in must give an address; members are reminded at once.
    "/events/{event}/remind/": {"GET": [405] * 5, "POST": [400, 302, 302, 302, 302]},
    "/events/{event}/remind/stop/": {"GET": [302, 405, 405, 405, 405],
                                     "POST": [302] * 5},
    "/prayers/{prayer}/prayed/": {"GET": [405] * 5, "POST": [302] * 5},
    "/prayers/{draft_prayer}/prayed/": {"POST": [404] * 5},
    "/prayers/{prayer}/unprayed/": {"GET": [302, 405, 405, 405, 405], "POST": [302] * 5},
    "/prayers/{request}/prayed/": {"GET": [405] * 5, "POST": [302] * 5},
    "/prayers/{held_request}/prayed/": {"POST": [404] * 5},
    "/prayers/requests/": {"GET": [200] * 5, "POST": [405] * 5},
    "/prayers/requests/?state=texas&sort=least": {"GET": [200] * 5},
    # An empty form comes back with its message.
    "/prayers/requests/new/": {"GET": [302, 200, 200, 200, 200],
                               "POST": [302, 400, 400, 400, 400]},
    "/prayers/requests/{request}/": {"GET": [200] * 5, "POST": [405] * 5},
    # Held for review: its author sees it; to anyone else it does not exist.
    "/prayers/requests/{held_request}/": {"GET": [404, 200, 404, 404, 404]},
    "/prayers/requests/{request}/edit/": {
        "GET": [302, 200, 403, 403, 403], "POST": [302, 400, 403, 403, 403],
    },
    "/prayers/requests/{request}/delete/": {"GET": [302, 200, 403, 403, 403]},
    "/prayers/requests/{other_request}/delete/": {"POST": [302, 403, 302, 403, 403]},
    "/prayers/requests/{request}/report/": {
        "GET": [302, 302, 200, 200, 200], "POST": [302, 400, 400, 400, 400],
    },
    "/prayers/requests/answered/": {"GET": [200] * 5, "POST": [405] * 5},
    "/prayers/requests/?answered=1": {"GET": [301] * 5},  # now the page above
    "/prayers/requests/?category=health&state=texas&q=valley": {"GET": [200] * 5},
    # Praying through the wall is a member's; a step that is none of its buttons is 400.
    "/prayers/requests/pray/": {"GET": [302, 200, 200, 200, 200],
                                "POST": [302, 400, 400, 400, 400]},
    # Only the requester updates, renews and quietens their request; an empty update
    # comes back with its message.
    "/prayers/requests/{request}/update/": {
        "GET": [302, 405, 405, 405, 405], "POST": [302, 400, 403, 403, 403],
    },
    "/prayers/requests/{request}/renew/": {
        "GET": [302, 405, 405, 405, 405], "POST": [302, 400, 403, 403, 403],
    },
    "/prayers/requests/{request}/daily-mail/": {
        "GET": [302, 405, 405, 405, 405], "POST": [302, 302, 403, 403, 403],
    },
    # Only the requester asks for urgency and shows the notes to everyone; their
    # request held for review is theirs to ask for, and nobody else's to find.
    "/prayers/requests/{request}/urgent/": {
        "GET": [302, 405, 405, 405, 405], "POST": [302, 302, 403, 403, 403],
    },
    "/prayers/requests/{held_request}/urgent/": {"POST": [302, 302, 404, 404, 404]},
    "/prayers/requests/{request}/notes-shown/": {
        "GET": [302, 405, 405, 405, 405], "POST": [302, 302, 403, 403, 403],
    },
    # A note on a request whose notes only its requester sees: they may report it (a
    # report without a reason is 400); to everyone else, its writer too, it is nothing.
    "/prayers/notes/{note}/report/": {
        "GET": [302, 200, 404, 404, 404], "POST": [302, 400, 404, 404, 404],
    },
    # The mail's one-click link is its own proof; a made-up one is nothing.
    "/prayers/requests/{request}/quiet/{quiet_token}/": {"GET": [200] * 5, "POST": [200] * 5},
    "/prayers/requests/{request}/quiet/{other_quiet_token}/": {"GET": [404] * 5,
                                                                 "POST": [404] * 5},
    "/prayers/requests/{request}/quiet/made-up/": {"GET": [404] * 5, "POST": [404] * 5},
    # Prayer updates by email: anyone subscribes (an empty form comes back with its
    # message); links in mail carry their own proof; a member's own choices need a
    # session.
    "/updates/": {"GET": [200] * 5, "POST": [400] * 5},
    "/updates/check-your-inbox/": {"GET": [200] * 5, "POST": [405] * 5},
    "/updates/confirm/made-up/": {"GET": [400] * 5, "POST": [400] * 5},
    "/updates/pray/made-up/": {"GET": [400] * 5, "POST": [400] * 5},
    "/updates/leave/made-up/": {"GET": [400] * 5, "POST": [400] * 5},
    "/updates/leave/{leave_token}/": {"GET": [200] * 5},
    "/updates/mine/": {"GET": [302, 405, 405, 405, 405], "POST": [302] * 5},
    "/comments/post/": {"GET": [405] * 5, "POST": [302] * 5},
    "/comments/{comment}/reply/": {
        "GET": [302, 200, 200, 200, 200], "POST": [302, 405, 405, 405, 405],
    },
    "/comments/{comment}/edit/": {
        "GET": [302, 200, 403, 403, 403], "POST": [302, 302, 403, 403, 403],
    },
    "/comments/{comment}/delete/": {"GET": [302, 200, 403, 403, 403]},
    "/comments/{other_comment}/delete/": {"POST": [302, 403, 302, 403, 403]},
    # Asks why first; the author cannot report their own; a report without a reason is 400.
    "/comments/{comment}/report/": {
        "GET": [302, 302, 200, 200, 200], "POST": [302, 400, 400, 400, 400],
    },
    "/comments/{draft_comment}/edit/": {"GET": [302, 404, 404, 403, 403]},
    "/accounts/profile/": {"GET": [302, 200, 200, 200, 200]},
    "/accounts/welcome/": {"GET": [302, 200, 200, 200, 200]},
    "/accounts/delete/": {"GET": [302, 200, 200, 200, 200]},
    "/accounts/export/": {"GET": [302, 200, 200, 200, 200], "POST": [302, 405, 405, 405, 405]},
    "/accounts/prayers/": {"GET": [302, 200, 200, 200, 200], "POST": [302, 405, 405, 405, 405]},
    "/accounts/prayers/?show=requests": {"GET": [302, 200, 200, 200, 200]},
    # Leaders: pages for all; a written prayer needs a member (an empty one comes back
    # with its message); a report asks why, and nobody reports their own.
    "/leaders/": {"GET": [200] * 5, "POST": [405] * 5},
    "/leaders/?q=texas": {"GET": [200] * 5},
    "/leaders/{leader}/": {"GET": [200] * 5, "POST": [405] * 5},
    "/leaders/no-such-leader/": {"GET": [404] * 5},
    "/leaders/{leader}/pray/": {"GET": [302, 405, 405, 405, 405],
                                "POST": [302, 400, 400, 400, 400]},
    "/leaders/prayers/{leader_prayer}/report/": {
        "GET": [302, 302, 200, 200, 200], "POST": [302, 400, 400, 400, 400],
    },
    "/leaders/prayers/{held_leader_prayer}/report/": {"GET": [302, 404, 404, 404, 404]},
    "/leaders/prayers/{leader_prayer}/edit/": {"GET": [302, 200, 403, 403, 403],
                                               "POST": [302, 400, 403, 403, 403]},
    "/leaders/prayers/{leader_prayer}/delete/": {"GET": [302, 405, 405, 405, 405],
                                                 "POST": [302, 302, 403, 403, 403]},
    "/admin/leaders/leader/": {"GET": [302, 302, 302, 200, 200]},
    "/admin/leaders/leader/add/": {"GET": [302, 302, 302, 200, 200]},
    "/admin/leaders/leaderturn/add/": {"GET": [302, 302, 302, 200, 200]},
    "/admin/leaders/leaderprayer/": {"GET": [302, 302, 302, 200, 200]},
    "/admin/leaders/leaderprayerreport/": {"GET": [302, 302, 302, 200, 200]},
    "/partner/": {"GET": [200] * 5},
    # A member's own giving and statements; a statement link carries its own proof.
    "/accounts/giving/": {"GET": [302, 200, 200, 200, 200], "POST": [302, 405, 405, 405, 405]},
    "/accounts/giving/{year}/statement/": {"GET": [302, 200, 200, 200, 200],
                                           "POST": [302, 405, 405, 405, 405]},
    "/accounts/giving/{year}/statement.pdf": {"GET": [302, 200, 200, 200, 200]},
    "/partner/statement/made-up/": {"GET": [400] * 5, "POST": [405] * 5},
    "/partner/statement/made-up/pdf/": {"GET": [400] * 5},
    # The giving desk and the partners' records: only who may see gifts.
    "/admin/partners/gift/desk/": {"GET": [302, 302, 302, 403, 200]},
    "/admin/partners/gift/desk/gifts.csv": {"GET": [302, 302, 302, 403, 200]},
    "/admin/partners/gift/desk/pledges/{pledge}/gives-online/": {
        "GET": [302, 302, 302, 405, 405], "POST": [302, 302, 302, 403, 302]},
    "/admin/partners/gift/": {"GET": [302, 302, 302, 403, 200]},
    "/admin/partners/partner/": {"GET": [302, 302, 302, 403, 200]},
    "/admin/partners/yearstatement/": {"GET": [302, 302, 302, 403, 200]},
    # A letter to a state's coordinator: anyone writes (an empty one comes back with
    # its message); letters are read in admin by staff allowed to.
    "/states/texas/write/": {"GET": [200] * 5, "POST": [400] * 5},
    "/states/maine/write/": {"GET": [404] * 5},
    "/admin/library/letter/": {"GET": [302, 302, 302, 403, 200]},
    "/partner/thanks/": {"GET": [302] * 5, "POST": [405] * 5},
    "/admin/": {"GET": [302, 302, 302, 200, 200]},
    "/admin/articles/article/add/": {"GET": [302, 302, 302, 200, 200]},
    "/admin/comments/comment/": {"GET": [302, 302, 302, 200, 200]},
    "/admin/prayers/prayerrequest/": {"GET": [302, 302, 302, 200, 200]},
    "/admin/prayers/prayerreport/": {"GET": [302, 302, 302, 200, 200]},
    "/admin/prayers/prayerupdate/": {"GET": [302, 302, 302, 200, 200]},
    "/admin/prayers/prayernote/": {"GET": [302, 302, 302, 200, 200]},
    "/admin/prayers/prayernotereport/": {"GET": [302, 302, 302, 200, 200]},
    "/admin/prayers/prayerupdate/add/": {"GET": [302, 302, 302, 200, 200]},
    "/admin/updates/subscriber/": {"GET": [302, 302, 302, 403, 200]},
    "/admin/updates/edition/": {"GET": [302, 302, 302, 200, 200]},
    "/admin/updates/timetable/": {"GET": [302, 302, 302, 200, 200]},
    "/admin/updates/mailing/": {"GET": [302, 302, 302, 200, 200]},
    "/admin/updates/mailing/add/": {"GET": [302, 302, 302, 200, 200]},
    "/admin/library/suppressedaddress/": {"GET": [302, 302, 302, 403, 200]},
    # The mail provider's webhook: none while no provider is configured.
    "/mail/events/mailgun/tracking/": {"POST": [404] * 5},
    # Editors read the mail sent to many (tests/library/mail/test_outbox_editors.py).
    "/admin/library/outboxmessage/": {"GET": [302, 302, 302, 200, 200]},
    "/admin/partners/partnerpledge/": {"GET": [302, 302, 302, 403, 200]},
    "/admin/accounts/user/": {"GET": [302, 302, 302, 403, 200]},
    "/admin/auth/group/": {"GET": [302, 302, 302, 403, 200]},
    "/healthz": {"GET": [200] * 5, "POST": [405] * 5},
    "/robots.txt": {"GET": [200] * 5},
    "/sitemap.xml": {"GET": [200] * 5},
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module's cases, in a transaction rolled back at its end:
    each case runs in a savepoint of it (`db`), so what a case writes is gone before
    the next one, which finds the world as built."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


def _build_world():
    owner = make_member(display_name="Owner")
    other = make_member(display_name="Other")
    editor = make_member(display_name="Editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    superuser = make_member(display_name="Root", is_staff=True, is_superuser=True)
    post = make_article(title="Valley post")
    draft = make_article(title="Draft post", status="draft")
    # A minute old: past the 15-second flood rule, inside the 15-minute edit window.
    minute_ago = timezone.now() - timedelta(minutes=1)
    State.objects.filter(code="TX").update(coordinator_email="coordinator@tx.example")
    fields = {
        "year": timezone.localdate().year,
        "pledge": PartnerPledge.objects.create(
            reference="P-AUTH1", first_name="Pat", last_name="Giver",
            email="pat@example.net", amount=25, frequency="monthly").pk,
        "post": post.slug,
        "draft": draft.slug,
        "prayer": post.prayer.pk,
        "draft_prayer": draft.prayer.pk,
        "comment": make_comment(target=post, author=owner, created_at=minute_ago).pk,
        "other_comment": make_comment(target=post, author=other, created_at=minute_ago).pk,
        "draft_comment": make_comment(target=draft, author=owner, created_at=minute_ago).pk,
        "request": (request := make_request(author=owner, created_at=minute_ago)).pk,
        "other_request": (other_request := make_request(author=other, created_at=minute_ago)).pk,
        "quiet_token": quiet_token(request),
        "other_quiet_token": quiet_token(other_request),
        "leave_token": Subscriber.objects.create(email="reader@example.org").leave_token,
        "held_request": make_request(author=owner, status="pending").pk,
        "note": PrayerNote.objects.create(prayer=request, author=other, text="Praying.",
                                          body_html="<p>Praying.</p>").pk,
        "leader": (leader := save_leader(leader=Leader(
            name="Ada Zephyr", office="senator", area="TX",
            state=State.objects.get(code="TX")))).slug,
        "leader_prayer": LeaderPrayer.objects.create(
            leader=leader, author=owner, text="Amen.", body_html="<p>Amen.</p>").pk,
        "held_leader_prayer": LeaderPrayer.objects.create(
            leader=leader, author=owner, text="Held.", status="pending").pk,
        "event": make_event(title="National call", repeat="weekly").slug,
    }
    return [None, owner, other, editor, superuser], fields, post


CASES = [
    (path, method, role)
    for path, methods in MATRIX.items()
    for method in methods
    for role in range(len(ROLES))
]


@pytest.mark.parametrize(
    ("path", "method", "role"), CASES, ids=[f"{m} {p} {ROLES[r]}" for p, m, r in CASES]
)
def test_authorization_matrix(world, db, path, method, role):
    users, fields, post = world
    client = Client()
    if users[role] is not None:
        client.force_login(users[role])
    url = path.format(**fields)
    data = {"target": "articles.article", "object_id": post.pk, "body": "Praying with you.",
            "next": "/"} if method == "POST" else None
    response = client.post(url, data) if method == "POST" else client.get(url)
    assert response.status_code == MATRIX[path][method][role]
