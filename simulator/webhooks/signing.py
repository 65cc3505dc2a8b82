"""The key that signs webhook deliveries, and its self-signed certificate.

Partner Center signs every event body with RSA-SHA256 (PKCS#1 v1.5) and sends the signature in
`Authorization: Signature <base64>` (or `x-ms-signature`), the algorithm in `X-MS-Signature-Algorithm:
rsa-sha256` and the certificate's URL in `X-MS-Certificate-Url`. pcsim cannot sign with Microsoft's
key: it signs with a key of its own and serves the certificate at `CERTIFICATE_PATH`. The key is random
(never from the seed), made on first need; a --state file keeps it (its meta value `keys.webhooks`), so
a restart signs with the same key and the certificate a receiver cached stays good. Without a state file
it lives as long as the process.
"""
from __future__ import annotations

import base64
import hashlib
import threading
import weakref
from functools import cached_property
from typing import TYPE_CHECKING

from simulator import persistence

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

    from simulator.context import Context
    from simulator.store import Store

CERTIFICATE_PATH = "/webhooks/cert/pcnotifications-dispatch.pcsim.cer"
ALGORITHM = "rsa-sha256"
ISSUER = "pcsim webhook signing (simulated Partner Center notifications)"


class WebhookKey:
    def __init__(self, private: RSAPrivateKey) -> None:
        self.private = private

    @classmethod
    def generate(cls) -> WebhookKey:
        from cryptography.hazmat.primitives.asymmetric import rsa
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def from_pem(cls, pem: bytes) -> WebhookKey:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        key = serialization.load_pem_private_key(pem, password=None, unsafe_skip_rsa_key_validation=True)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the saved webhook signing key is not an RSA key")
        return cls(key)

    def pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization
        return self.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())

    def sign(self, body: bytes) -> str:
        """The base64 RSA-SHA256 PKCS#1 v1.5 signature of the body's bytes."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
        return base64.b64encode(self.private.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()

    @cached_property
    def certificate(self) -> bytes:
        """A self-signed X.509 certificate of the public key (DER, as a `.cer` file), the same for the
        same key (fixed names and dates, the serial from the key)."""
        from datetime import UTC, datetime

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.x509.oid import NameOID
        public = self.private.public_key()
        der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pcnotifications-dispatch.pcsim"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, ISSUER)])
        serial = int.from_bytes(hashlib.sha256(der).digest()[:16], "big") >> 1 or 1
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(public)
                .serial_number(serial)
                .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
                .not_valid_after(datetime(2100, 1, 1, tzinfo=UTC))
                .sign(self.private, hashes.SHA256()))
        return cert.public_bytes(serialization.Encoding.DER)


_lock = threading.Lock()
_process: WebhookKey | None = None
_kept: weakref.WeakKeyDictionary[Store, WebhookKey] = weakref.WeakKeyDictionary()


def of(ctx: Context) -> WebhookKey:
    """The key of `ctx`'s state file (read, or made and filed, on first need), or the process's."""
    global _process
    store = ctx.store
    with _lock:
        key = _kept.get(store)
        if key is not None:
            return key
        if not persistence.keeps_signing_key(store):
            if _process is None:
                _process = WebhookKey.generate()
            return _process
        made: list[WebhookKey] = []

        def make() -> bytes:
            made.append(WebhookKey.generate())
            return made[0].pem()

        pem = persistence.signing_key(store, make, persistence.WEBHOOK_KEY)
        key = made[0] if made else WebhookKey.from_pem(pem)
        _kept[store] = key
        return key
