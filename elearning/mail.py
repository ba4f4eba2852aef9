"""Outgoing e-mail through a pluggable sender: SMTP in production, console or files on a laptop, memory in tests."""

from __future__ import annotations

import smtplib
import ssl
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Protocol
from uuid import uuid4


@dataclass(frozen=True)
class Mail:
    """One plain-text message to one recipient."""

    to: str
    subject: str
    body: str


class MailError(Exception):
    """The message could not be handed over; the caller keeps it to retry later."""


class Sender(Protocol):
    def send(self, mail: Mail) -> None: ...


def _email_message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(mail.body)
    return message


@dataclass
class SmtpSender:
    """Hands messages to an SMTP relay, with STARTTLS unless switched off."""

    host: str
    port: int
    from_address: str
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout: float = 10.0

    def send(self, mail: Mail) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(_email_message(mail, self.from_address))
        except (OSError, smtplib.SMTPException) as exc:
            # The exception text may hold the recipient; name only the relay.
            raise MailError(f"SMTP relay {self.host}:{self.port} refused or failed: {type(exc).__name__}") from None


@dataclass
class ConsoleSender:
    """Prints whole messages to standard output, so that `make run` shows invitations and reminders."""

    from_address: str

    def send(self, mail: Mail) -> None:
        text = _email_message(mail, self.from_address).as_string()
        sys.stdout.write(f"----- e-mail (console sender) -----\n{text}\n----- end of e-mail -----\n")
        sys.stdout.flush()


@dataclass
class FileSender:
    """Writes each message as an .eml file into a folder, for inspection on a laptop or a test server."""

    folder: Path
    from_address: str

    def send(self, mail: Mail) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{uuid4().hex}.eml"
        path.write_bytes(bytes(_email_message(mail, self.from_address)))


@dataclass
class MemorySender:
    """Keeps messages in a list; the test suite reads what would have been sent."""

    outbox: list[Mail]

    def send(self, mail: Mail) -> None:
        self.outbox.append(mail)


BACKENDS = ("console", "file", "smtp", "memory")


def make_sender(config: Mapping[str, Any]) -> Sender:
    """The sender chosen by ELEARNING_MAIL_BACKEND."""
    backend = config["MAIL_BACKEND"]
    from_address = config["MAIL_FROM"]
    if backend == "smtp":
        return SmtpSender(
            host=config["SMTP_HOST"],
            port=int(config["SMTP_PORT"]),
            from_address=from_address,
            username=config.get("SMTP_USERNAME") or None,
            password=config.get("SMTP_PASSWORD") or None,
            starttls=bool(config["SMTP_STARTTLS"]),
        )
    if backend == "file":
        return FileSender(Path(config["INSTANCE_DIR"]) / "mail", from_address)
    if backend == "memory":
        return MemorySender([])
    return ConsoleSender(from_address)


def current_sender() -> Sender:
    """The app's sender (views and commands pass it on to services, which stay free of Flask)."""
    from flask import current_app

    sender: Sender = current_app.extensions["mail_sender"]
    return sender
