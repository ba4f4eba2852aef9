"""Outgoing mail: no header can be injected, and the SMTP relay is reached over TLS whose certificate is checked."""

from __future__ import annotations

import ssl
from typing import Any, ClassVar

import pytest

from elearning import mail as mail_module
from elearning.mail import Mail, SmtpSender, _email_message


@pytest.mark.parametrize("field", ["to", "subject"])
def test_a_line_break_cannot_add_a_header(field: str) -> None:
    values = {"to": "employee@example.org", "subject": "Herinnering", "body": "Tekst\n"}
    values[field] += "\r\nBcc: everyone@evil.example"
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        _email_message(Mail(**values), "e-learning@example.org")


def test_a_name_with_line_breaks_stays_in_the_body(app: Any) -> None:
    from elearning.mail_text import compose

    with app.app_context():
        mail = compose(
            "password_changed",
            "employee@example.org",
            "en",
            name="Eva\r\nBcc: x@evil.example",
            when="now",
            reset_url="https://leren.example.org/auth/reset",
        )
    message = _email_message(mail, "e-learning@example.org")
    assert message["Bcc"] is None and "\n" not in message["Subject"]


class FakeSMTP:
    """Records what the sender does with the relay."""

    calls: ClassVar[list[tuple[str, Any]]] = []

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.calls.append(("connect", (host, port)))

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def starttls(self, context: ssl.SSLContext) -> None:
        self.calls.append(("starttls", context))

    def login(self, user: str, password: str) -> None:
        self.calls.append(("login", user))

    def send_message(self, message: Any) -> None:
        self.calls.append(("send", message["To"]))


def test_smtp_uses_starttls_with_a_checked_certificate_before_logging_in(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeSMTP.calls = []
    monkeypatch.setattr(mail_module.smtplib, "SMTP", FakeSMTP)
    sender = SmtpSender("smtp.example.org", 587, "e-learning@example.org", username="app", password="pw")
    sender.send(Mail("employee@example.org", "Onderwerp", "Tekst\n"))
    names = [name for name, _value in FakeSMTP.calls]
    assert names == ["connect", "starttls", "login", "send"]  # the password only goes over TLS
    context = FakeSMTP.calls[1][1]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname is True
