"""Password rules and hashing: argon2id with fixed parameters, rehash on login, length, the common-password list."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlalchemy.orm import Session

from elearning.services import password_policy
from elearning.services.accounts import authenticate, check_password_rules
from elearning.services.errors import InvalidInput
from elearning.services.passwords import PARAMETERS, hash_password, needs_rehash, verify_password

from ..conftest import PASSWORD, World

CURRENT_PREFIX = "$argon2id$v=19$m=65536,t=3,p=4$"


def test_hashes_are_argon2id_with_the_rfc_9106_low_memory_profile() -> None:
    assert PARAMETERS == RFC_9106_LOW_MEMORY
    password_hash = hash_password("a long enough passphrase")
    assert password_hash.startswith(CURRENT_PREFIX)
    assert verify_password(password_hash, "a long enough passphrase")
    assert not verify_password(password_hash, "a long enough passphrasE")
    assert not needs_rehash(password_hash)


@pytest.mark.parametrize(
    "old_hasher",
    [
        PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1),  # OWASP's minimum
        PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1),
    ],
    ids=["owasp-minimum", "weak"],
)
def test_a_hash_with_other_parameters_is_replaced_at_login(
    db: Session, world: World, old_hasher: PasswordHasher
) -> None:
    world.employee.password_hash = old_hasher.hash(PASSWORD)
    db.commit()
    assert needs_rehash(world.employee.password_hash)
    person = authenticate(db, "employee@example.org", PASSWORD)
    assert person is world.employee
    db.commit()
    db.expire_all()
    assert world.employee.password_hash.startswith(CURRENT_PREFIX)
    assert verify_password(world.employee.password_hash, PASSWORD)


def test_a_failed_login_does_not_rehash(db: Session, world: World) -> None:
    old = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1).hash(PASSWORD)
    world.employee.password_hash = old
    db.commit()
    assert authenticate(db, "employee@example.org", "not the password at all") is None
    assert world.employee.password_hash == old


def test_garbage_in_the_hash_column_is_no_login_and_asks_for_a_rehash() -> None:
    assert not verify_password("plain text", "plain text")
    assert needs_rehash("plain text")


@pytest.mark.parametrize("length", [1, 8, 11])
def test_shorter_than_twelve_is_refused(world: World, length: int) -> None:
    with pytest.raises(InvalidInput, match="at least 12 characters"):
        check_password_rules(world.employee, "kq7#vnw&zp@r"[:length])


@pytest.mark.parametrize(
    "password",
    [
        "kq7vnwzprxtb",  # 12, lower case only
        "paarse olifanten dansen op het dak",  # a sentence, no digit, no capital, no symbol
        "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZx",
        "ééé ñññ 漢字 emoji 🙂 ok",
    ],
)
def test_no_composition_rules_and_long_passwords_are_fine(world: World, password: str) -> None:
    check_password_rules(world.employee, password)


def test_up_to_128_characters_are_fine_and_longer_is_refused(world: World) -> None:
    sentence = "de zon schijnt op het water van de gracht terwijl de fietsers voorbij rijden en de meeuwen krijsen "
    for length in (64, 128):
        check_password_rules(world.employee, (sentence * 2)[:length])
    with pytest.raises(InvalidInput, match="at most 128 characters"):
        check_password_rules(world.employee, (sentence * 2)[:129])


def test_a_long_password_is_not_truncated(world: World) -> None:
    """The whole password counts: one that differs only in its last of 128 characters does not log in."""
    password = ("lange zin " * 13)[:127] + "a"
    stored = hash_password(password)
    assert verify_password(stored, password)
    assert not verify_password(stored, password[:-1] + "b")
    assert not verify_password(stored, password[:72])  # no bcrypt-style cut at 72 bytes


@pytest.mark.parametrize(
    "password",
    [
        "wachtwoord123",  # generated Dutch pattern
        "Welkom2026!!!",
        "Rijksoverheid1",
        "qwertyuiopasdf",  # keyboard run
        "1q2w3e4r5t6y",  # from zxcvbn's list
        "123456789012",
        "Qwerty 123456",  # zxcvbn's "qwerty123456", with a space and a capital
        "WACHT-WOORD-2025",
        "sociaalveilig2026",  # this platform's own words
    ],
)
def test_common_passwords_are_refused_with_a_clear_message(world: World, password: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_password_rules(world.employee, password)
    assert "list of common passwords" in str(refused.value)
    assert "sentence" in str(refused.value)


def test_the_email_address_and_its_name_part_are_refused(world: World) -> None:
    for password in ("employee@example.org", " Employee@Example.ORG "):
        with pytest.raises(InvalidInput, match="e-mail address"):
            check_password_rules(world.employee, password)
    world.employee.email = "jan.de.vries.1975@example.org"
    with pytest.raises(InvalidInput, match="e-mail address"):
        check_password_rules(world.employee, "Jan-de-Vries-1975")


def test_the_shipped_list_is_the_documented_one() -> None:
    words = password_policy.common_passwords()
    lines = password_policy.COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#") and any("zxcvbn 4.5.0" in line for line in lines if line.startswith("#"))
    assert len(words) > 10_000
    assert {"123456", "password", "qwerty", "iloveyou", "wachtwoord123"} <= words  # zxcvbn's top and ours
    assert all(word == password_policy.normalise(word) for word in words)
    assert (password_policy.COMMON_PASSWORDS_FILE.parent / "LICENSE-zxcvbn.txt").exists()


def test_the_passphrase_of_the_tests_is_not_on_the_list() -> None:
    assert not password_policy.is_common(PASSWORD)
