import datetime as dt
import hashlib

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from chargeside.core import crypto
from chargeside.core.formatting import date, money
from chargeside.core.money import Money, MoneyError, to_minor
from chargeside.core.redaction import redact
from chargeside.core.signing import SignatureError, check_timestamp, hmac_hex


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [("12.50", "EUR", 1250), ("12,5", "TRY", 1250), ("1000", "JPY", 1000), ("1.234", "KWD", 1234), ("0.01", "usd", 1)],
)
def test_to_minor_parses_what_people_type(typed, currency, minor):
    assert to_minor(typed, currency) == minor


@pytest.mark.parametrize(("typed", "currency"), [("10.005", "EUR"), ("1.5", "JPY"), ("abc", "EUR"), ("NaN", "EUR"), ("1.2345", "KWD")])
def test_to_minor_refuses_what_does_not_fit(typed, currency):
    with pytest.raises(MoneyError):
        to_minor(typed, currency)


def test_money_refuses_floats_and_mixed_currencies():
    with pytest.raises(MoneyError):
        Money(12.5, "EUR")
    with pytest.raises(MoneyError):
        Money(1, "EUR") + Money(1, "USD")
    assert str(Money(1234, "kwd")) == "1.234 KWD"


def test_formatting_per_locale():
    assert money(123456, "TRY", "tr") == "₺1.234,56"
    assert money(123456, "USD", "en") == "$1,234.56"
    assert money(1234, "JPY", "en") == "¥1,234"
    assert money(120000, "TRY", "en") == "TRY\u00a01,200.00"  # no symbol in English: code, then a space
    assert money(1234, "KWD", "tr") == "KWD\u00a01,234"
    assert date(dt.date(2026, 11, 27), "tr") == "27.11.2026"
    assert date(dt.date(2026, 11, 27), "en") == "Nov 27, 2026"


def test_secrets_round_trip_and_rotate(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CHARGESIDE_ENCRYPTION_KEYS = [old]
    token = crypto.encrypt_json({"secret_key": "sk_test_1"})
    assert "sk_test_1" not in token
    settings.CHARGESIDE_ENCRYPTION_KEYS = [new, old]
    rotated = crypto.rotate(token)
    settings.CHARGESIDE_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt_json(rotated) == {"secret_key": "sk_test_1"}
    with pytest.raises(crypto.SecretDecryptError):
        crypto.decrypt_json(token)


def test_rotate_secrets_command_reencrypts_connections(settings, workspace):
    from chargeside.connections.models import Connection

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CHARGESIDE_ENCRYPTION_KEYS = [old]
    connection = Connection(workspace=workspace, provider="stripe", name="s")
    connection.set_credentials({"secret_key": "sk_test_2"})
    connection.save()
    settings.CHARGESIDE_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_secrets")
    settings.CHARGESIDE_ENCRYPTION_KEYS = [new]
    connection.refresh_from_db()
    assert connection.credentials == {"secret_key": "sk_test_2"}


def test_redaction_masks_card_numbers_and_keys():
    assert redact("card 4242 4242 4242 4242 failed") == "card [card number removed] failed"
    assert redact("order 1234567890123") == "order 1234567890123"  # not a Luhn number
    assert "sk_test_abcdefgh" not in redact("key sk_test_abcdefghijkl leaked")


def test_signing_primitives():
    assert hmac_hex("k", "m") == __import__("hmac").new(b"k", b"m", hashlib.sha256).hexdigest()
    check_timestamp(1000, tolerance=300, now=1200)
    with pytest.raises(SignatureError):
        check_timestamp(1000, tolerance=300, now=1301)


def test_healthz_checks_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
