"""A staff mailing in Chromium: an editor presses send, sees who gets it and how many
before anything is recorded, and confirms; the preview looks exactly as the mail
does in a mail program, with no policy error on the page."""
from django.utils import timezone
from playwright.sync_api import expect

from library.models import OutboxMessage
from states.models import State
from updates import mailings
from updates.models import Mailing, Subscriber

EDITOR = {"email": "editor@intercessors.example", "password": "editor-demo-psalm-121"}
LETTER = ("Storms reach the **Gulf Coast** tonight. Read [the Texas page](/states/texas/).\n\n"
          "- for crews\n- for families\n\nIn His service,\nThe prayer team")

# What a mail program draws each element with, in order: what the preview must match.
STYLES = """() => [...document.body.querySelectorAll('*')].map(element => {
    const style = getComputedStyle(element);
    return [element.tagName, ...['background-color', 'color', 'padding', 'border-top',
            'border-radius', 'font-family', 'font-size', 'font-weight', 'line-height',
            'max-width', 'text-decoration-line'].map(name => style.getPropertyValue(name))];
})"""


def letter_to_texas(readers=3):
    texas = State.objects.get(code="TX")
    for n in range(readers):
        Subscriber.objects.create(email=f"texan{n}@example.org", state=texas,
                                  confirmed_at=timezone.now())
    mailing = Mailing(subject="Pray for the Gulf Coast", body=LETTER, audience="state",
                      state=texas)
    mailings.render(mailing)
    mailing.save()
    return mailing


def log_in_to_admin(page, site):
    page.goto(site.url + "/admin/")
    page.fill("#id_login", EDITOR["email"])
    page.fill("#id_password", EDITOR["password"])
    page.click("main button[type=submit]")


def copies():
    return OutboxMessage.objects.filter(kind="updates/email/mailing").exclude(batch_key="")


def test_an_editor_sees_who_gets_a_mailing_before_it_goes(page, site):
    mailing = letter_to_texas()
    log_in_to_admin(page, site)
    page.goto(f"{site.url}/admin/updates/mailing/{mailing.pk}/change/")
    page.get_by_role("link", name="Send now…").click()
    expect(page.locator("h1")).to_have_text("Send “Pray for the Gulf Coast”?")
    expect(page.locator(".mailing-reach")).to_have_text("This goes to 3 subscribers in Texas.")
    assert OutboxMessage.objects.count() == 0  # asking has recorded nothing
    page.get_by_role("button", name="Yes, send it now").click()
    expect(page.locator(".messagelist")).to_contain_text("Sending now")
    mailings.fan_out()  # the job the send queued, run here rather than by a worker
    assert copies().count() == 3
    mailing.refresh_from_db()
    assert mailing.status == "sent"


def test_the_preview_looks_exactly_as_the_mail_does(page, site, tmp_path):
    mailing = letter_to_texas(readers=1)
    mailings.start(mailing)
    mailings.fan_out()
    mail = tmp_path / "mail.html"
    mail.write_text(copies().get().html)
    log_in_to_admin(page, site)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{site.url}/admin/updates/mailing/{mailing.pk}/preview/")
    expect(page.locator("pre")).to_contain_text("In His service,\nThe prayer team")
    frame = page.locator("iframe.mailing-preview-frame").element_handle().content_frame()
    frame.wait_for_load_state()
    assert frame.url.endswith(f"/admin/updates/mailing/{mailing.pk}/preview/email/")
    in_preview = frame.evaluate(STYLES)

    as_mailed = page.context.new_page()
    as_mailed.goto(mail.as_uri())
    in_mail_program = as_mailed.evaluate(STYLES)
    assert in_preview == in_mail_program
    header = next(row for row in in_preview if row[1] == "rgb(31, 58, 95)")
    assert header[0] == "TD" and header[3] == "20px 24px"  # the navy header
    card = next(row for row in in_preview if row[0] == "TABLE" and row[10] == "600px")
    assert card[1] == "rgb(255, 255, 255)" and card[5] == "8px"  # the white card
    assert not [error for error in errors if "Content Security Policy" in error], errors
