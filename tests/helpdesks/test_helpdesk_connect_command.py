"""`chargeside helpdesk-connect`: a helpdesk connection from the adapter's settings spec, and the URL to paste."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from chargeside.connections.models import Connection

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("helpdesk-connect", *args, stdout=out)
    return out.getvalue()


def test_it_saves_secrets_encrypted_and_prints_the_callback_url(workspace, settings):
    printed = run("helpscout", "--workspace", workspace.slug, "--set", "secret_key=s3cret", "--set", "client_id=app-1",
                  "--set", "client_secret=app-secret")

    connection = Connection.objects.get(kind="helpdesk", provider="helpscout")
    assert connection.credentials == {"secret_key": "s3cret", "client_secret": "app-secret"}
    assert "s3cret" not in connection.credentials_encrypted and "s3cret" not in str(connection.settings)
    assert connection.settings["client_id"] == "app-1" and connection.settings["api_base_url"] == "https://api.helpscout.net"
    assert f"Callback URL: {settings.CHARGESIDE_PUBLIC_URL}/desk/helpscout/{connection.webhook_token}/" in printed

    run("helpscout", "--workspace", workspace.slug, "--set", "client_id=app-2")  # an update keeps the secrets
    connection.refresh_from_db()
    assert (connection.settings["client_id"], connection.credentials["secret_key"]) == ("app-2", "s3cret")
    assert Connection.objects.count() == 1


@pytest.mark.parametrize("args, message", [
    (["zendesk-ish", "--workspace", "acme"], "No helpdesk adapter"),
    (["helpscout", "--workspace", "nope", "--set", "secret_key=x"], "No workspace"),
    (["helpscout", "--workspace", "acme", "--set", "colour=blue"], "FIELD=VALUE"),
    (["helpscout", "--workspace", "acme"], "Missing required settings: secret_key"),
])
def test_mistakes_are_clear_errors(workspace, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
