"""A webhook receiver for tests: a small HTTP server on a free loopback port, in a thread, that keeps
every POST it gets (the `pcsim_webhook_receiver` fixture; docs/webhooks.md).

    receiver.url                       # register it: POST /webhooks/v1/registration {"WebhookUrl": receiver.url ...}
    receiver.events                    # the event bodies received, in order (dicts)
    receiver.received                  # the requests themselves (headers, raw body, body)
    receiver.wait(2, timeout=5)        # until 2 have come (a bounded poll of wall time)
    receiver.answer(500, times=3)      # answer the next 3 with 500 (then 200 again)
    receiver.verify(request)           # the signature checked with the certificate at X-MS-Certificate-Url

Only the standard library and `cryptography` (a pcsim dependency) are used.
"""
from __future__ import annotations

import base64
import json
import threading
import time
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]   # names in lower case
    raw: bytes
    body: Any                 # the JSON body, or None when it is no JSON

    def signature(self) -> str:
        """The base64 signature from `Authorization: Signature …` or `x-ms-signature: Signature …`."""
        token = self.headers.get("authorization") or self.headers.get("x-ms-signature") or ""
        scheme, _, value = token.partition(" ")
        if scheme.lower() != "signature" or not value.strip():
            raise ValueError("no `Signature <base64>` in Authorization or x-ms-signature")
        return value.strip()


def verify_signature(certificate_der: bytes, body: bytes, signature_b64: str) -> None:
    """Raises cryptography's InvalidSignature unless the body was signed (RSA-SHA256, PKCS#1 v1.5) by
    the key of the certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    public = x509.load_der_x509_certificate(certificate_der).public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(base64.b64decode(signature_b64), body, padding.PKCS1v15(), hashes.SHA256())


class Receiver:
    def __init__(self, host: str = "127.0.0.1", path: str = "/webhooks/callback") -> None:
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._answers: list[int] = []  # the statuses of the next answers; 200 after them
        self._certificates: dict[str, bytes] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the http.server spelling)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                status = owner._take(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, raw, body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
                return None

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://{host}:{self._server.server_address[1]}{path}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="pcsim-webhook-receiver", daemon=True)
        self._thread.start()

    def _take(self, request: Received) -> int:
        with self._lock:
            self.received.append(request)
            return self._answers.pop(0) if self._answers else 200

    @property
    def events(self) -> list[Any]:
        with self._lock:
            return [r.body for r in self.received]

    def answer(self, status: int, times: int = 1) -> None:
        """Answer the next `times` deliveries with `status` (then 200 again)."""
        with self._lock:
            self._answers.extend([status] * times)

    def clear(self) -> None:
        with self._lock:
            self.received.clear()
            self._answers.clear()

    def wait(self, count: int = 1, timeout: float = 10.0) -> list[Any]:
        """The events, once at least `count` have come; AssertionError after `timeout` wall seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received) >= count:
                return self.events
            time.sleep(0.02)
        raise AssertionError(f"{len(self.received)} webhook event(s) received in {timeout} s, not {count}")

    def certificate(self, url: str) -> bytes:
        """The certificate at `url` (fetched once)."""
        if url not in self._certificates:
            with urllib.request.urlopen(url, timeout=10) as reply:  # noqa: S310 (the URL the simulator gave)
                self._certificates[url] = reply.read()
        return self._certificates[url]

    def verify(self, request: Received) -> None:
        """Checks the headers and the signature as a partner's handler does; raises if anything is wrong."""
        if request.headers.get("x-ms-signature-algorithm", "").lower() != "rsa-sha256":
            raise ValueError("X-MS-Signature-Algorithm is not rsa-sha256")
        url = request.headers.get("x-ms-certificate-url")
        if not url:
            raise ValueError("no X-MS-Certificate-Url")
        verify_signature(self.certificate(url), request.raw, request.signature())

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Receiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
