"""Connections: a form from the adapter's settings spec, write-only secrets, testing against the fake."""

from __future__ import annotations

from chargeside.connections.models import Connection


def test_add_form_validates_required_secret_and_url(login, admin):
    response = login(admin).post("/connections/add/stripe/", {"name": "Stripe EU", "base_url": "not a url", "secret_key": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a full URL starting with http:// or https://." in page
    assert "This field is required." in page
    assert not Connection.objects.exists()


def test_add_stores_secrets_encrypted_and_shows_the_webhook_url(login, admin, settings):
    settings.CHARGESIDE_PUBLIC_URL = "https://billing.acme.example"
    client = login(admin)
    response = client.post("/connections/add/stripe/", {
        "name": "Stripe EU", "base_url": "https://api.stripe.com", "secret_key": "sk_test_SECRET123", "webhook_secret": "whsec_SECRET456",
    })
    connection = Connection.objects.get(workspace=admin.workspace, name="Stripe EU")
    assert response.status_code == 302
    assert connection.credentials == {"secret_key": "sk_test_SECRET123", "webhook_secret": "whsec_SECRET456"}
    assert "sk_test_SECRET123" not in connection.credentials_encrypted
    assert connection.settings == {"base_url": "https://api.stripe.com"}
    page = client.get(f"/connections/{connection.pk}/").content.decode()
    assert f"https://billing.acme.example/hooks/{connection.webhook_token}/" in page
    assert "SECRET123" not in page and "SECRET456" not in page
    assert "Stored. Leave blank to keep the current value." in page


def test_blank_secret_on_edit_keeps_it_and_a_new_one_replaces_it(login, admin, stripe_connection):
    client = login(admin)
    base = {"name": "Stripe", "base_url": stripe_connection.settings["base_url"], "secret_key": "", "webhook_secret": ""}
    assert client.post(f"/connections/{stripe_connection.pk}/", base).status_code == 302
    stripe_connection.refresh_from_db()
    assert stripe_connection.credentials == {"secret_key": "sk_test_chargeside", "webhook_secret": "whsec_test_chargeside"}
    client.post(f"/connections/{stripe_connection.pk}/", {**base, "webhook_secret": "whsec_rotated"})
    stripe_connection.refresh_from_db()
    assert stripe_connection.credentials == {"secret_key": "sk_test_chargeside", "webhook_secret": "whsec_rotated"}


def test_list_shows_provider_status_and_last_error(login, admin, stripe_connection):
    stripe_connection.record_error("Stripe said no")
    page = login(admin).get("/connections/").content.decode()
    assert "Stripe said no" in page
    assert ">stripe<" in page
    assert "never" in page  # not synced yet


def test_test_connection_against_the_fake_succeeds(login, admin, stripe_connection):
    response = login(admin).post(f"/connections/{stripe_connection.pk}/test/", follow=True)
    page = response.content.decode()
    assert "Connection works: Connected to Stripe" in page
    stripe_connection.refresh_from_db()
    assert stripe_connection.status == Connection.Status.ACTIVE
    assert stripe_connection.last_error == ""


def test_test_connection_with_the_fake_stopped_shows_a_clear_error(login, admin, stripe_connection, stripe_fake):
    stripe_fake.stop()
    response = login(admin).post(f"/connections/{stripe_connection.pk}/test/", follow=True)
    stripe_connection.refresh_from_db()
    assert response.status_code == 200
    assert stripe_connection.status == Connection.Status.ERROR
    assert stripe_connection.last_error != ""
    assert f"Connection test failed: {stripe_connection.last_error}" in response.content.decode()
    assert "Traceback" not in stripe_connection.last_error


def test_test_connection_with_a_wrong_key_records_the_error(login, admin, stripe_connection, stripe_fake):
    stripe_fake.api_keys = {"sk_test_only_this_one"}
    login(admin).post(f"/connections/{stripe_connection.pk}/test/")
    stripe_connection.refresh_from_db()
    assert stripe_connection.status == Connection.Status.ERROR
    assert stripe_connection.last_error_at is not None


def test_sync_now_queues_a_reconcile_for_the_worker(login, admin, stripe_connection):
    from django_tasks_db.models import DBTaskResult

    page = login(admin).post(f"/connections/{stripe_connection.pk}/sync/", follow=True).content.decode()
    assert "Sync requested" in page
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "chargeside.ingest.tasks.reconcile_connection"
    assert queued.args_kwargs["args"] == [stripe_connection.pk]


def test_disabled_connection_is_not_synced(login, admin, stripe_connection):
    from django_tasks_db.models import DBTaskResult

    client = login(admin)
    client.post(f"/connections/{stripe_connection.pk}/toggle/")
    page = client.post(f"/connections/{stripe_connection.pk}/sync/", follow=True).content.decode()
    assert "Enable the connection first." in page
    assert not DBTaskResult.objects.exists()
