"""The first text of the ministry's own pages, for staff to change in admin, and the
Editors' right to change it."""
from django.db import migrations

from library import editors
from library.text.markup import render_markdown

PAGES = {
    "about": ("About us", """\
Intercessors is a community of ordinary people who pray: for the nation, for
their own states, and for the people behind the news of the day.

Each prayer post opens with a short prayer, then an excerpt of a news story so
you know what you are praying about. When you have prayed, press **I Prayed**:
the count tells everyone else that they are not praying alone.

Every state has its own page, with a note from the people who pray there, weekly
prayer calls and a conversation where neighbours share how they are praying.

The site is run by a 501(c)(3) nonprofit ministry and is supported by its
monthly partners."""),
    "contact": ("Contact us", """\
We are glad to hear from you, whether you have a question about the site, a
prayer you want to share with our team, or a gift you want to set up.

**By post**
Intercessors Prayer Ministry
PO Box 1000
Anytown, VA 22000

**By phone**
(555) 010-2030, Monday to Friday, 9 am to 5 pm Eastern

**By email**
hello@intercessors.example

We answer within two working days. We never ask for card details by email or
phone."""),
    "privacy": ("Privacy", """\
## What we keep, and why

**Your account.** Your email address, so that you can log in and reset your
password; the display name you choose, shown beside your comments; and, if you
give it, your home state, so that we can take you to your state page. Your email
address is never shown on any page.

**What you do here.** The prayers you mark with I Prayed (the counts are public,
who prayed is not) and the comments you write, which everyone can read.

**The partner form.** Your name, email, phone if you give it, state and pledge,
so that our team can thank you and set up your gift. We never ask for or keep
card details.

## What you can do

From your profile you can download everything we keep about you, turn reply
emails off, and delete your account. Deleting it wipes your personal details;
your comments stay, shown as by "Deleted member". You may also ask us to
remove your name from your partner pledges.

We do not sell or share your details, and the site runs no advertising or
tracking scripts."""),
}


def create(apps, schema_editor):
    SitePage = apps.get_model("intercessors", "SitePage")
    for kind, (title, body) in PAGES.items():
        SitePage.objects.get_or_create(
            kind=kind, defaults={"title": title, "body": body,
                                 "body_html": render_markdown(body, rich=True)},
        )
    editors.grant(apps, "intercessors", ["change_sitepage", "view_sitepage"])


class Migration(migrations.Migration):
    dependencies = [
        ("intercessors", "0003_site_pages"),
        ("articles", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
