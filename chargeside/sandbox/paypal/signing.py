"""How PayPal signs a webhook delivery, with the fake's own RSA test key pair.

Signed string: "{transmission_id}|{transmission_time}|{webhook_id}|{crc32(raw body) as unsigned decimal}",
RSA PKCS#1 v1.5 over SHA-256 ("SHA256withRSA"), base64 in PAYPAL-TRANSMISSION-SIG. The receiver gets the public
key from the X.509 certificate at PAYPAL-CERT-URL, which the fake serves at /v1/notifications/certs/<name>.
(The string is what public implementations verify; PayPal's spec documents only the verify API.)
"""

from __future__ import annotations

import base64
import datetime as dt
import zlib
from functools import cached_property

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

AUTH_ALGO = "SHA256withRSA"
CERT_NAME = "CERT-360caa42-fca2a594-a5cafa77"


def signed_string(transmission_id: str, transmission_time: str, webhook_id: str, body: bytes) -> bytes:
    return f"{transmission_id}|{transmission_time}|{webhook_id}|{zlib.crc32(body) & 0xFFFFFFFF}".encode()


class Signer:
    """One RSA-2048 key and a self-signed certificate for it, made when first used (about 50 ms)."""

    @cached_property
    def key(self) -> rsa.RSAPrivateKey:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @cached_property
    def certificate_pem(self) -> bytes:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "messageverificationcerts.sandbox.paypal.test")])
        now = dt.datetime.now(dt.UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(self.key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=365)).sign(self.key, hashes.SHA256()))
        return cert.public_bytes(serialization.Encoding.PEM)

    def sign(self, transmission_id: str, transmission_time: str, webhook_id: str, body: bytes) -> str:
        signature = self.key.sign(signed_string(transmission_id, transmission_time, webhook_id, body), padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode()

    def verify(self, transmission_id: str, transmission_time: str, webhook_id: str, body: bytes, signature_b64: str) -> bool:
        try:
            self.key.public_key().verify(base64.b64decode(signature_b64, validate=True),
                                         signed_string(transmission_id, transmission_time, webhook_id, body),
                                         padding.PKCS1v15(), hashes.SHA256())
        except Exception:
            return False
        return True
