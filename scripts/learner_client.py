"""A learner over HTTP, as a browser does it: log in, mark lessons done, start and hand in an assessment.

Used by the scale test and the fault test against gunicorn instances (scripts/cluster.py). Every request has a time
limit, so that a server that never answers shows up as a timeout instead of a test that hangs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import requests

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
QUESTION_OPTION = re.compile(r'name="q-([^"]+)" value="([^"]+)"')
ATTEMPT_PATH = re.compile(r"/assessment/(\d+)$")
TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class Outcome:
    """What became of one request: acknowledged (a redirect after a write, or 200), or which kind of failure."""

    kind: str  # "ok", "503 with Retry-After", "503 without Retry-After", "connection error", "timeout", "HTTP <n>"
    location: str = ""
    body: str = ""

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


class Learner:
    """One person's browser: a cookie jar shared by every instance it talks to."""

    def __init__(self, email: str, password: str, language: str = "en", verify_tls: bool = True):
        self.email = email
        self.verify_tls = verify_tls  # False only for the tests' self-signed certificate on loopback
        self.password = password
        self.http = requests.Session()
        self.http.headers.update({"Accept-Language": language, "User-Agent": "elearning-cluster-test"})
        self.csrf = ""

    def request(self, method: str, url: str, data: dict[str, str | list[str]] | None = None) -> Outcome:
        try:
            response = self.http.request(
                method,
                url,
                data=data,
                headers={"Referer": url},  # as a browser sends it; CSRF protection over HTTPS requires it
                allow_redirects=False,
                timeout=TIMEOUT_SECONDS,
                verify=self.verify_tls,
            )
        except requests.Timeout:
            return Outcome("timeout")
        except requests.ConnectionError:
            return Outcome("connection error")
        if response.status_code in (200, 302, 303):
            return Outcome("ok", response.headers.get("Location", ""), response.text)
        if response.status_code == 503:
            kind = "503 with Retry-After" if response.headers.get("Retry-After") else "503 without Retry-After"
            return Outcome(kind, body=response.text)
        return Outcome(f"HTTP {response.status_code}", body=response.text)

    def fetch_csrf(self, url: str) -> Outcome:
        """Open a page and keep its form token (valid on every instance: they share the secret key)."""
        outcome = self.request("GET", url)
        match = CSRF.search(outcome.body) if outcome.ok else None
        if match:
            self.csrf = match.group(1) or match.group(2)
        elif outcome.ok:
            return Outcome("no form token", body=outcome.body)
        return outcome

    def log_in(self, base: str) -> Outcome:
        outcome = self.fetch_csrf(f"{base}/auth/login")
        if not outcome.ok:
            return outcome
        data: dict[str, str | list[str]] = {"email": self.email, "password": self.password, "csrf_token": self.csrf}
        outcome = self.request("POST", f"{base}/auth/login", data)
        if outcome.ok and not outcome.location.endswith("/learn/"):
            return Outcome("login refused", body=outcome.body)
        return self.fetch_csrf(f"{base}/learn/") if outcome.ok else outcome

    def mark_done(self, base: str, module: str, lesson: str) -> Outcome:
        return self.request("POST", f"{base}/learn/{module}/{lesson}/done", {"csrf_token": self.csrf})

    def start_attempt(self, base: str, module: str) -> tuple[Outcome, int | None]:
        """Start (or continue the open) attempt: the outcome and the attempt's id."""
        outcome = self.request("POST", f"{base}/learn/{module}/assessment/", {"csrf_token": self.csrf})
        match = ATTEMPT_PATH.search(outcome.location) if outcome.ok else None
        return outcome, int(match.group(1)) if match else None

    def attempt_questions(self, base: str, module: str, attempt_id: int) -> tuple[Outcome, dict[str, list[str]]]:
        """The attempt page: its question ids with their option ids, in the order shown."""
        outcome = self.request("GET", f"{base}/learn/{module}/assessment/{attempt_id}")
        questions: dict[str, list[str]] = {}
        for question, option in QUESTION_OPTION.findall(outcome.body if outcome.ok else ""):
            questions.setdefault(question, []).append(option)
        return outcome, questions

    def submit(self, base: str, module: str, attempt_id: int, answers: dict[str, list[str]]) -> Outcome:
        data: dict[str, str | list[str]] = {"csrf_token": self.csrf}
        data.update({f"q-{question}": options for question, options in answers.items()})
        return self.request("POST", f"{base}/learn/{module}/assessment/{attempt_id}", data)
