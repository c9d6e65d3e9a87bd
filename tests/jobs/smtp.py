"""A real SMTP server on loopback for the delivery tests (aiosmtpd), which can be
stopped and started again on its port, refuse chosen recipients for good, and
take its time over each message."""
import asyncio
import email
import threading
import time

from aiosmtpd.controller import Controller


class Inbox:
    """The server's side: what it accepted, and how it answers."""

    def __init__(self):
        self.messages = []  # email.message.Message, in the order accepted
        self.refused = set()  # addresses answered "550" for good
        self.asked_for = []  # every recipient offered, refused or not
        self.delay = 0.0  # seconds to wait before accepting each message
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.asked_for.append(address)
        if address in self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def ids(self) -> list[str]:
        with self.lock:
            return [m["Message-ID"] for m in self.messages]

    def wait_for(self, count: int, timeout: float) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        with self.lock:
            return list(self.messages)


class MailServer:
    def __init__(self, port: int):
        self.port, self.inbox, self.controller = port, Inbox(), None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
