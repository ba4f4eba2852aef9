"""Single sign-on and LTI settings: what is on by default, and a clear refusal of settings that cannot work."""

from __future__ import annotations

import pytest

from elearning.config import StartupError, check_production, from_env

SSO = {
    "ELEARNING_OIDC_ISSUER": "https://login.example.org/realms/rijk/",
    "ELEARNING_OIDC_CLIENT_ID": "elearning",
    "ELEARNING_OIDC_CLIENT_SECRET": "s3cret",
}
PRODUCTION = {
    "ELEARNING_ENV": "production",
    "ELEARNING_SECRET_KEY": "x" * 40,
    "ELEARNING_MAIL_BACKEND": "smtp",
    "ELEARNING_BASE_URL": "https://leren.example.org",
}


def test_without_an_issuer_sso_is_off_and_everyone_uses_a_password() -> None:
    config = from_env({})
    assert config["OIDC_ISSUER"] == ""
    assert config["PASSWORD_LOGIN"] == "everyone"
    assert config["LTI_PERSON_MATCH"] == "email"
    assert config["LTI_KEY_FILE"].endswith("lti-tool-key.pem")
    check_production(config)


def test_with_an_issuer_passwords_are_for_administrators_unless_asked_otherwise() -> None:
    config = from_env(SSO)
    assert config["OIDC_ISSUER"] == "https://login.example.org/realms/rijk"  # no trailing slash
    assert config["PASSWORD_LOGIN"] == "admins"
    assert config["OIDC_EMPLOYEE_NUMBER_CLAIM"] == "employee_number"
    check_production(config)
    assert from_env({**SSO, "ELEARNING_PASSWORD_LOGIN": "everyone"})["PASSWORD_LOGIN"] == "everyone"


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"ELEARNING_OIDC_ISSUER": "https://login.example.org"}, "ELEARNING_OIDC_CLIENT_ID"),
        ({**SSO, "ELEARNING_PASSWORD_LOGIN": "nobody"}, "ELEARNING_PASSWORD_LOGIN"),
        ({"ELEARNING_PASSWORD_LOGIN": "admins"}, "ELEARNING_OIDC_ISSUER"),
        ({"ELEARNING_LTI_PERSON_MATCH": "name"}, "ELEARNING_LTI_PERSON_MATCH"),
        ({**PRODUCTION, **SSO, "ELEARNING_OIDC_ISSUER": "http://login.example.org"}, "https://"),
    ],
)
def test_settings_that_cannot_work_are_refused_with_the_variable_named(environ: dict[str, str], named: str) -> None:
    with pytest.raises(StartupError, match=named):
        check_production(from_env(environ))
