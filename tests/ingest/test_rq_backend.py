"""The Redis (django-tasks-rq) backend end to end, as an operator with several machines runs it.

A web-side process stores a signed webhook and enqueues the drain on Redis; a separate `chargeside worker
--batch` process (an RQ worker in burst mode) picks it up, re-fetches the object from the fake Stripe and
writes it. Runs in subprocesses because the task backend is chosen by settings at start-up.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap

import pytest

REDIS_DB = 13  # a database of its own, flushed by the test


def _redis_up() -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


WEB_SIDE = textwrap.dedent(
    """
    import json, subprocess, sys, time
    import django
    django.setup()
    import redis, stripe
    from django.tasks import task
    from chargeside.billing.models import GatewayCustomer
    from chargeside.connections.models import Connection
    from chargeside.ingest.models import WebhookDelivery
    from chargeside.ingest.receive import receive
    from chargeside.ingest.tasks import drain_deliveries
    from chargeside.sandbox.stripe import StripeFake
    from chargeside.workspaces.models import Workspace

    redis.Redis.from_url(sys.argv[1]).flushdb()
    fake = StripeFake()
    base_url = fake.start()
    client = stripe.StripeClient("sk_test_rq", base_addresses={"api": base_url})
    customer = client.v1.customers.create({"email": "rq@example.com", "name": "Rita Queue"})
    workspace = Workspace.objects.create(slug="rq", name="RQ")
    connection = Connection(workspace=workspace, provider="stripe", name="s", settings={"base_url": base_url})
    connection.set_credentials({"secret_key": "sk_test_rq", "webhook_secret": "whsec_rq"})
    connection.save()
    body = json.dumps({"id": "evt_rq_1", "object": "event", "type": "customer.created", "created": int(time.time()),
                       "api_version": "2026-10-28.endive", "data": {"object": customer.to_dict()}}).encode()
    header = stripe.WebhookSignature.generate_signature_header(body.decode(), "whsec_rq", int(time.time()))
    receive(connection, headers={"Stripe-Signature": header, "Content-Type": "application/json"}, body=body)
    result = drain_deliveries.enqueue()
    assert type(drain_deliveries.get_backend()).__name__ == "RQBackend"
    assert not GatewayCustomer.objects.exists()
    worker = subprocess.run([sys.executable, "-m", "chargeside.cli", "worker", "--batch", "--no-scheduler"],
                            capture_output=True, text=True, timeout=120)
    assert worker.returncode == 0, worker.stderr[-2000:]
    row = GatewayCustomer.objects.get()
    print(json.dumps({"remote_id": row.remote_id, "email": row.email, "expected": customer.id,
                      "delivery": WebhookDelivery.objects.get().status}))
    fake.stop()
    """
)


@pytest.mark.skipif(not _redis_up(), reason="Redis is not listening on 127.0.0.1:6379")
def test_webhook_is_applied_by_an_rq_worker_in_another_process(tmp_path):
    pytest.importorskip("django_tasks_rq")
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}},
        "DJANGO_SETTINGS_MODULE": "chargeside.settings",
        "DEBUG": "1",
        "CHARGESIDE_HOME": str(tmp_path),
        "CHARGESIDE_TASKS_BACKEND": "rq",
        "CHARGESIDE_REDIS_URL": redis_url,
    }
    migrate = subprocess.run([sys.executable, "-m", "chargeside.cli", "migrate", "-v0"], env=env, capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    web = subprocess.run([sys.executable, "-c", WEB_SIDE, redis_url], env=env, capture_output=True, text=True, timeout=300)
    assert web.returncode == 0, web.stderr[-3000:]
    import json

    outcome = json.loads(web.stdout.strip().splitlines()[-1])
    assert outcome["remote_id"] == outcome["expected"]
    assert outcome["email"] == "rq@example.com"
    assert outcome["delivery"] == "processed"
