"""Development mail kept as files: each message is written whole to an `.eml` file
in DEV_MAIL_DIR, and the log gets one line naming it, so the terminal of the site
and its worker stays readable and every mail can be opened in a mail program."""
import logging
import os
import secrets
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django.utils.text import slugify

logger = logging.getLogger("library.mail")


class EmailBackend(BaseEmailBackend):
    def __init__(self, *, folder=None, fail_silently=False, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.folder = Path(folder or settings.DEV_MAIL_DIR)

    def send_messages(self, email_messages):
        kept = 0
        for message in email_messages:
            try:
                path = self._keep(message)
            except OSError:
                if not self.fail_silently:
                    raise
                continue
            # One line: a subject with a line break never gets this far (BadHeaderError).
            logger.info('Mail "%s" to %s: %s', message.subject,
                        ", ".join(message.recipients()), path)
            kept += 1
        return kept

    def _keep(self, message) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        slug = slugify(message.subject)[:60].strip("-") or "mail"
        # The time sorts the folder; the random part keeps two mails of one second apart.
        name = f"{timezone.localtime():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}-{slug}.eml"
        path = self.folder / name
        # Written beside, then renamed: whoever watches the folder sees whole files only.
        handle, partial = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(message.message().as_bytes())
            os.replace(partial, path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        return path
