"""xAPI settings: off by default, and the settings a production start refuses."""

from __future__ import annotations

import pytest

from elearning.config import StartupError, check_production, from_env
from elearning.services.xapi.settings import from_config

PRODUCTION = {
    "ELEARNING_ENV": "production",
    "ELEARNING_SECRET_KEY": "x" * 40,
    "ELEARNING_MAIL_BACKEND": "smtp",
    "ELEARNING_BASE_URL": "https://leren.example.org",
}
XAPI = {
    "ELEARNING_XAPI_ENABLED": "1",
    "ELEARNING_XAPI_ENDPOINT": "https://lrs.example.org/xapi/",
    "ELEARNING_XAPI_KEY": "key",
    "ELEARNING_XAPI_SECRET": "secret",
    "ELEARNING_XAPI_ACTOR_KEY": "k" * 40,
}


def test_off_by_default() -> None:
    config = from_env({})
    assert config["XAPI_ENABLED"] is False and from_config(config) is None
    check_production(config)


def test_production_accepts_a_complete_setting() -> None:
    config = from_env(PRODUCTION | XAPI)
    check_production(config)
    settings = from_config(config)
    assert settings is not None and settings.endpoint == "https://lrs.example.org/xapi/"
    assert settings.base_url == "https://leren.example.org" and settings.actor == "account"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ELEARNING_XAPI_ENDPOINT": "http://lrs.example.org/xapi/"}, "https:// address in production"),
        ({"ELEARNING_XAPI_ENDPOINT": ""}, "set ELEARNING_XAPI_ENDPOINT"),
        ({"ELEARNING_XAPI_SECRET": ""}, "ELEARNING_XAPI_KEY and ELEARNING_XAPI_SECRET"),
        ({"ELEARNING_XAPI_ACTOR_KEY": "short"}, "ELEARNING_XAPI_ACTOR_KEY"),
        ({"ELEARNING_XAPI_ACTOR": "name"}, "ELEARNING_XAPI_ACTOR='name' is unknown"),
        ({"ELEARNING_XAPI_BATCH_SIZE": "0"}, "ELEARNING_XAPI_BATCH_SIZE"),
    ],
)
def test_production_refuses_an_unsafe_or_incomplete_setting(change: dict[str, str], message: str) -> None:
    with pytest.raises(StartupError, match=message):
        check_production(from_env(PRODUCTION | XAPI | change))


def test_mbox_needs_no_pseudonym_key_and_a_laptop_derives_one() -> None:
    check_production(from_env(PRODUCTION | XAPI | {"ELEARNING_XAPI_ACTOR": "mbox", "ELEARNING_XAPI_ACTOR_KEY": ""}))
    laptop = from_env({"ELEARNING_XAPI_ENABLED": "1", "ELEARNING_XAPI_ENDPOINT": "file:///tmp/lrs"})
    check_production(laptop)
    settings = from_config(laptop)
    assert settings is not None and len(settings.actor_key) == 64
