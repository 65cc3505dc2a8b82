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
from functools import cached_property
from typing import TYPE_CHECKING

from simulator import keys, persistence

if TYPE_CHECKING:
    from simulator.context import Context

CERTIFICATE_PATH = "/webhooks/cert/pcnotifications-dispatch.pcsim.cer"
ALGORITHM = "rsa-sha256"
ISSUER = "pcsim webhook signing (simulated Partner Center notifications)"


class WebhookKey(keys.RsaKey):
    WHAT = "webhook signing key"

    def sign(self, body: bytes) -> str:
        """The base64 RSA-SHA256 PKCS#1 v1.5 signature of the body's bytes."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
        return base64.b64encode(self.private.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()

    @cached_property
    def certificate(self) -> bytes:
        """A self-signed X.509 certificate of the public key (DER, as a `.cer` file; serial from the key)."""
        from cryptography.hazmat.primitives import serialization
        der = self.public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return self.self_signed({"CN": "pcnotifications-dispatch.pcsim", "O": ISSUER}, der)


WEBHOOKS: keys.Keeper[WebhookKey] = keys.Keeper(WebhookKey, persistence.WEBHOOK_KEY)


def of(ctx: Context) -> WebhookKey:
    """The key that signs `ctx`'s webhook deliveries: its state file's, or the process's."""
    return WEBHOOKS.of(ctx)
