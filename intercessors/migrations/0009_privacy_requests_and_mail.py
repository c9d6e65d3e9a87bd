"""The privacy page says what a prayer request holds and who reads it, what an email
subscription keeps, and that a mail delivery service carries our mail. A page staff
have rewritten since it was first written is left as they wrote it."""
import importlib

from django.db import migrations

from library.text.markup import render_markdown

FIRST = importlib.import_module("intercessors.migrations.0004_site_pages_text")

PRIVACY = """\
## What we keep, and why

**Your account.** Your email address, so that you can log in and reset your
password; the display name you choose, shown beside your comments; and, if you
give it, your home state, so that we can take you to your state page. Your email
address is never shown on any page.

**What you do here.** The prayers you mark with I Prayed (the counts are public,
who prayed is not) and the comments you write, which everyone can read.

**Prayer requests.** A request can hold what is closest to you: an illness, a
family matter, a loss. Everyone can read a request on the prayer wall, under the
name you choose to show, or as "A member in" your state. Our team reads requests
that wait for review, and those that readers report. A request stays on the wall
for 30 days unless you keep it there longer; you can change it, mark it answered
or delete it at any time, and deleting it takes its words off the site. Please
share only what you are glad for anyone to read, and leave out other people's
full names.

**Prayer updates by email.** If you ask for them, we keep your email address,
what you chose (the daily email, the weekly digest, your state, word of answered
prayers) and when you confirmed. Every email has a link to change what you get or
to leave with one click, which stops the mail at once. When you press I Prayed in
an email, we count that prayer as yours.

**The partner form.** Your name, email, phone if you give it, state and pledge,
so that our team can thank you and set up your gift. We never ask for or keep
card details.

**Messages you send us.** Your name, email address and message, so that we can
answer you.

## Who delivers our email

Our email is carried by a mail delivery service. It receives each message and the
address it goes to, only to deliver it, and tells us when an address bounces or
marks our mail as spam, so that we stop writing to it. We erase the text of the
mail we sent after 30 days; that a message went, to whom and when, stays in our
records.

## What you can do

From your profile you can download everything we keep about you, change or stop
the email you get, turn reply emails off, and delete your account. Deleting it
wipes your personal details and your prayer requests; your comments stay, shown
as by "Deleted member". You may also ask us to remove your name from your partner
pledges.

We do not sell or share your details, and the site runs no advertising or
tracking scripts."""


def rewrite(apps, schema_editor):
    SitePage = apps.get_model("intercessors", "SitePage")
    first = FIRST.PAGES["privacy"][1]
    SitePage.objects.filter(kind="privacy", body=first).update(
        body=PRIVACY, body_html=render_markdown(PRIVACY, rich=True))


class Migration(migrations.Migration):
    dependencies = [("intercessors", "0008_library_tables_move")]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
