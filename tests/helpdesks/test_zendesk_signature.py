"""Zendesk's signed first load: the ZAF JWT (RS256, the installation's public key, iss/aud/exp/iat) is accepted
only as Zendesk signs it; every refusal is a logged 401/403, never a 500. Tokens are built in the test with
`cryptography` (zendesk_helpers.py), not with Chargeside's verifier."""

from __future__ import annotations

import time

import pytest

from chargeside.core.signing import SignatureError
from chargeside.helpdesks.zendesk import zafjwt

from . import zendesk_helpers
from .zendesk_helpers import (
    AUD,
    FORM,
    ISS,
    boot_token,
    callback_path,
    claims,
    frame_post,
    jwt_hs256,
    jwt_none,
    jwt_rs256,
    pem,
    rsa_key,
    signed_load,
)

zendesk_sim, zendesk_connection = zendesk_helpers.zendesk_sim, zendesk_helpers.zendesk_connection  # fixtures

pytestmark = pytest.mark.django_db


def test_zendesks_signed_load_answers_the_boot_page(client, zendesk_sim, zendesk_connection):
    response = signed_load(client, zendesk_connection, jwt_rs256(zendesk_sim.key, claims()))
    assert response.status_code == 200
    html = response.content.decode()
    assert boot_token(html) and 'name="ticket"' in html
    assert f'src="{zendesk_sim.base_url}/zaf_sdk.js"' in html and "/static/chargeside/zendesk/boot.js" in html
    csp = response["Content-Security-Policy"]
    assert f"script-src 'self' {zendesk_sim.base_url};" in csp and f"frame-ancestors 'self' {zendesk_sim.base_url}" in csp
    assert "unsafe-inline" not in csp and response["Cache-Control"] == "no-store"


def hs256_with_the_public_key(sim) -> str:
    return jwt_hs256(sim.public_key_pem.encode(), claims())


@pytest.mark.parametrize("make, reason", [
    (lambda sim: jwt_rs256(sim.key, claims(aud="https://acme.zendesk.com/api/v2/apps/installations/999.json")), "audience"),
    (lambda sim: jwt_rs256(sim.key, claims(iss="evil.zendesk.com")), "issuer"),
    (lambda sim: jwt_rs256(rsa_key(), claims()), "signature"),
    (lambda sim: jwt_rs256(sim.key, claims(iat=int(time.time()) - 900, nbf=None, exp=int(time.time()) - 600)), "expired"),
    (lambda sim: jwt_rs256(sim.key, claims(exp=None)), "lacks exp"),
    (lambda sim: jwt_rs256(sim.key, claims(iat=int(time.time()) + 600, exp=int(time.time()) + 900)), "not valid yet"),
    (lambda sim: jwt_rs256(sim.key, claims(exp=int(time.time()) + 86400)), "lives longer"),
    (lambda sim: jwt_none(claims()), "'none'"),
    (hs256_with_the_public_key, "'HS256'"),
    (lambda sim: jwt_rs256(sim.key, claims(), header={"alg": "RS512", "typ": "JWT"}), "'RS512'"),
    (lambda sim: "not.a.jwt", "not JSON"),
    (lambda sim: "a b.c.d", "base64url"),
    (lambda sim: "", "no token"),
])
def test_tokens_zendesk_did_not_sign_for_this_installation_get_401(client, zendesk_sim, zendesk_connection, caplog, make, reason):
    caplog.set_level("INFO", logger="chargeside.helpdesks.desk_views")
    response = signed_load(client, zendesk_connection, make(zendesk_sim))
    assert response.status_code == 401
    assert "Chargeside:" in response.content.decode() and "frame-ancestors *" in response["Content-Security-Policy"]
    assert any(reason in record.getMessage() for record in caplog.records), [r.getMessage() for r in caplog.records]


def test_the_verifier_pins_rs256_and_checks_the_claims():
    key = rsa_key()
    public = zafjwt.load_public_key(pem(key))
    good = jwt_rs256(key, claims())
    assert zafjwt.verify(good, public_key=public, issuer=ISS, audience=AUD)["sub"] == "42"
    assert zafjwt.verify(jwt_rs256(key, claims(aud=["x", AUD])), public_key=public, issuer=ISS, audience=AUD)
    head, _body, sig = good.split(".")
    tampered = jwt_rs256(key, claims(sub="1"))
    with pytest.raises(SignatureError, match="signature"):  # another token's claims under this signature
        zafjwt.verify(f"{head}.{tampered.split('.')[1]}.{sig}", public_key=public, issuer=ISS, audience=AUD)
    with pytest.raises(SignatureError, match="expired"):  # a minute of leeway, no more
        zafjwt.verify(good, public_key=public, issuer=ISS, audience=AUD, now=time.time() + 300 + 61)
    assert zafjwt.verify(good, public_key=public, issuer=ISS, audience=AUD, now=time.time() + 300 + 30)
    with pytest.raises(ValueError):
        zafjwt.load_public_key("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----")


def test_unknown_installation_is_403_and_a_bad_public_key_401(client, zendesk_sim, zendesk_connection):
    token = jwt_rs256(zendesk_sim.key, claims())
    assert client.post("/desk/zendesk/not-a-token/", f"token={token}", content_type=FORM).status_code == 403
    zendesk_connection.status = zendesk_connection.Status.DISABLED
    zendesk_connection.save()
    assert signed_load(client, zendesk_connection, token).status_code == 403
    zendesk_connection.status = zendesk_connection.Status.ACTIVE
    zendesk_connection.settings = {**zendesk_connection.settings, "app_public_key": "garbage"}
    zendesk_connection.save()
    assert signed_load(client, zendesk_connection, token).status_code == 401


def test_the_frames_second_post_needs_a_boot_token_of_this_installation(client, zendesk_sim, zendesk_connection, settings):
    ticket = zendesk_sim.add_ticket(requester=zendesk_sim.add_user(name="Jane", email="jane@example.com"), subject="Hi")
    assert frame_post(client, zendesk_connection, "forged:boot:token", ticket.id).status_code == 401
    assert client.post(callback_path(zendesk_connection), f"ticket={ticket.id}", content_type=FORM).status_code == 401
    assert client.post(callback_path(zendesk_connection), b"token=a&token=b",
                       content_type=FORM).status_code == 401
    boot = boot_token(signed_load(client, zendesk_connection, jwt_rs256(zendesk_sim.key, claims())).content.decode())
    # the same boot token under another installation id (another aud, so another salt) does not verify
    zendesk_connection.settings = {**zendesk_connection.settings, "installation_id": "7"}
    zendesk_connection.save()
    assert frame_post(client, zendesk_connection, boot, ticket.id).status_code == 401
