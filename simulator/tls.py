"""A local certificate authority for `pcsim serve --tls` (MSAL and ADAL accept only https authorities).

`ensure(folder, host)` writes into `folder`:

- `ca.pem`: the CA certificate, the bundle clients trust (REQUESTS_CA_BUNDLE, SSL_CERT_FILE, verify=);
- `ca-key.pem`: the CA's private key (mode 0600), kept so the CA stays the same across restarts;
- `server.pem` and `server-key.pem`: a server certificate for localhost, 127.0.0.1, ::1 and the
  configured host, issued afresh by that CA on every start.

An existing CA in the folder is reused when its certificate and key load, belong together and have
not expired; otherwise a new CA is made (and clients must trust the new `ca.pem`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from simulator import clock

LOOPBACK = ("localhost", "127.0.0.1", "::1")
WILDCARDS = ("", "0.0.0.0", "::")


@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    cert: Path
    key: Path


def names(host: str) -> list[str]:
    """What the server certificate covers: loopback in every form, and the bind address unless it is
    a wildcard (a client never connects to 0.0.0.0)."""
    covered = list(LOOPBACK)
    host = host.strip().strip("[]")
    if host not in WILDCARDS and host.lower() not in covered:
        covered.append(host)
    return covered


def _write(path: Path, data: bytes, private: bool = False) -> None:
    """Write through a temporary file and a rename, so a reader never sees half a PEM file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


def _load_ca(cert_path: Path, key_path: Path) -> trustme.CA | None:
    try:
        cert_pem, key_pem = cert_path.read_bytes(), key_path.read_bytes()
        cert = x509.load_pem_x509_certificate(cert_pem)
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (OSError, ValueError, TypeError):
        return None
    der, spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    same_key = cert.public_key().public_bytes(der, spki) == key.public_key().public_bytes(der, spki)
    fresh = cert.not_valid_after_utc > clock.wall_now() + timedelta(days=1)
    if not (same_key and fresh):
        return None
    return trustme.CA.from_pem(cert_pem, key_pem)


def ensure(folder: Path, host: str = "127.0.0.1") -> TlsFiles:
    """The CA bundle and a server certificate and key for `host`, written into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(folder / "ca.pem", folder / "server.pem", folder / "server-key.pem")
    ca_key = folder / "ca-key.pem"
    ca = _load_ca(files.ca, ca_key)
    if ca is None:
        ca = trustme.CA(organization_name="pcsim", organization_unit_name="pcsim local CA")
        _write(ca_key, ca.private_key_pem.bytes(), private=True)
        _write(files.ca, ca.cert_pem.bytes())
    leaf = ca.issue_cert(*names(host), common_name="pcsim")
    _write(files.key, leaf.private_key_pem.bytes(), private=True)
    _write(files.cert, b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    return files

