"""The password policy and hashing (pure)."""
import pytest

from hotline.auth.passwords import hash_password, verify_password, weakness


@pytest.mark.parametrize("password", [
    "short", "motdepasse123", "Azertyuiop123!", "123456789012", "aaaaaaaaaaaaaa", "Password1234",
])
def test_weak_passwords_are_refused(password):
    assert weakness(password) is not None


def test_password_containing_the_email_is_refused():
    assert "adresse" in weakness("jean.dupont-2026!x", "jean.dupont@example.org")


def test_good_password_passes():
    assert weakness("Correct-Horse-Battery-62") is None


def test_hash_is_argon2id_and_verifies():
    hashed = hash_password("Correct-Horse-Battery-62")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "Correct-Horse-Battery-62")
    assert not verify_password(hashed, "wrong")
    assert not verify_password(None, "x")
    assert not verify_password("not a hash", "x")
