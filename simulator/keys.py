"""The key that signs the simulator's tokens: RSA 2048, random, published as a JWK.

Entra ID signs its tokens with RS256 and publishes the public keys at the OpenID configuration's
`jwks_uri`; so does pcsim, so that any JWT library can validate what pcsim issues. The key is made
(or read) on first need, a token to sign, a JWKS to answer or a pcsim token to verify, never at
import or app build: RSA key generation costs tens of milliseconds.

* A SQLite store (`--state`) keeps the key in its meta table (simulator/persistence.py): a restart on
  the same file signs with the same key, so tokens issued before it keep validating.
* Without one, the key lives as long as the process: every in-memory simulator of the process shares it.

The key is random, never derived from the seed: nobody but the holder of the process or of the state
file can sign a token pcsim accepts. Its `kid` is `pcsim-` and the key's JWK thumbprint (RFC 7638), so it
is stable for a key, and a token whose `kid` starts with `pcsim` is known to claim pcsim as its signer.
"""
from __future__ import annotations

import base64
import hashlib
import json
import threading
import weakref
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from simulator import persistence

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

    from simulator.context import Context
    from simulator.store import Store

KID_PREFIX = "pcsim"  # every kid pcsim gives starts with it (and its HS256 tokens of old had "pcsim")
ALGORITHM = "RS256"
K = TypeVar("K", bound="RsaKey")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _uint(number: int) -> str:
    return _b64(number.to_bytes((number.bit_length() + 7) // 8 or 1, "big"))


class RsaKey:
    """An RSA 2048 private key as pcsim keeps one (the token signing key here, the webhook signing key in
    simulator/webhooks/signing.py): random, made on first need, filed as PKCS#8 PEM, with a self-signed
    certificate made the same for the same key."""

    WHAT = "signing key"  # in the message when a saved key is no RSA key

    def __init__(self, private: RSAPrivateKey) -> None:
        self.private = private
        self.public: RSAPublicKey = private.public_key()

    @classmethod
    def generate(cls) -> Self:
        from cryptography.hazmat.primitives.asymmetric import rsa
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def from_pem(cls, pem: bytes) -> Self:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        # The key comes from pcsim's own state file, where pcsim filed a key it generated: the RSA
        # consistency check (about 50 ms of primality tests) would only slow the first request down.
        key = serialization.load_pem_private_key(pem, password=None, unsafe_skip_rsa_key_validation=True)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"the saved {cls.WHAT} is not an RSA key")
        return cls(key)

    def pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization
        return self.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())

    def self_signed(self, names: dict[str, str], serial_of: bytes) -> bytes:
        """A self-signed certificate of the public key (DER) with the subject `names` (common name,
        organization), valid 2020-2100, its serial from `serial_of`: PKCS#1 v1.5 signatures are
        deterministic, so a key read back from a state file gives the same certificate."""
        from datetime import UTC, datetime

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.x509.oid import NameOID
        oids = {"CN": NameOID.COMMON_NAME, "O": NameOID.ORGANIZATION_NAME}
        name = x509.Name([x509.NameAttribute(oids[k], v) for k, v in names.items()])
        serial = int.from_bytes(hashlib.sha256(serial_of).digest()[:16], "big") >> 1 or 1
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(self.public)
                .serial_number(serial)
                .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
                .not_valid_after(datetime(2100, 1, 1, tzinfo=UTC))
                .sign(self.private, hashes.SHA256()))
        return cert.public_bytes(serialization.Encoding.DER)


class SigningKey(RsaKey):
    """The token signing key with its kid, its public JWK and a self-signed certificate for the JWK's x5c."""

    WHAT = "token signing key"

    def __init__(self, private: RSAPrivateKey) -> None:
        super().__init__(private)
        numbers = self.public.public_numbers()
        self.n, self.e = _uint(numbers.n), _uint(numbers.e)
        # RFC 7638: the SHA-256 of the required members, in lexicographic order, without whitespace
        thumbprint = json.dumps({"e": self.e, "kty": "RSA", "n": self.n}, separators=(",", ":"), sort_keys=True)
        self.kid = f"{KID_PREFIX}-{_b64(hashlib.sha256(thumbprint.encode()).digest())}"

    @cached_property
    def certificate(self) -> bytes:
        """The certificate Entra ID's JWKS carries in `x5c` (serial from the kid)."""
        return self.self_signed({"CN": "pcsim token signing"}, self.kid.encode())

    @cached_property
    def jwk(self) -> dict[str, Any]:
        """The public key as a JWK of the JWKS (RFC 7517), with Entra ID's members: x5t is the base64url
        SHA-1 thumbprint of the certificate, x5c the certificate in (padded, standard) base64."""
        return {"kty": "RSA", "use": "sig", "alg": ALGORITHM, "kid": self.kid,
                "x5t": _b64(hashlib.sha1(self.certificate).digest()), "n": self.n, "e": self.e,
                "x5c": [base64.b64encode(self.certificate).decode()]}


class Keeper(Generic[K]):
    """Where a kind of key lives: in the state file of a SQLite store (`--state`; read, or made and filed,
    on first need, under the meta name `meta`), else in the process (made on first need), shared by every
    in-memory simulator of the process."""

    def __init__(self, kind: type[K], meta: str) -> None:
        self.kind, self.meta = kind, meta
        self.lock = threading.Lock()
        self.process: K | None = None
        self.kept: weakref.WeakKeyDictionary[Store, K] = weakref.WeakKeyDictionary()

    def of(self, ctx: Context) -> K:
        store = ctx.store
        with self.lock:  # two threads never make two keys for one file
            key = self.kept.get(store)
            if key is not None:
                return key
            if not persistence.keeps_signing_key(store):
                if self.process is None:
                    self.process = self.kind.generate()
                return self.process
            made: list[K] = []

            def make() -> bytes:
                made.append(self.kind.generate())
                return made[0].pem()

            pem = persistence.signing_key(store, make, self.meta)
            key = made[0] if made else self.kind.from_pem(pem)
            self.kept[store] = key
            return key


TOKENS: Keeper[SigningKey] = Keeper(SigningKey, persistence.SIGNING_KEY)


def of(ctx: Context) -> SigningKey:
    """The key that signs `ctx`'s tokens."""
    return TOKENS.of(ctx)
