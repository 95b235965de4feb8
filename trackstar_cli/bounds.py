"""Bounds beneath httpx against a hostile or broken server: a per-attempt deadline on every network read and
write, inflating with a bounded output, and one SSLContext per process. Used by client.py only.

- `Deadline` is per thread (a client is shared by fan-out threads); `DeadlineBackend` wraps httpcore's network
  backend so that every connect, TLS handshake, read and write waits at most until the deadline, whatever the
  per-read timeout: a server trickling a byte every half second is cut off at it.
- `Inflater` decodes gzip/deflate with zlib's `max_length`, so a gzip bomb costs at most the cap in memory.
- `shared_ssl_context` builds a verifying context once per trust source (~90 ms each), not once per client.
"""

from __future__ import annotations

import os
import ssl
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore

__all__ = ["Deadline", "DeadlineBackend", "DeadlineStream", "Inflater", "shared_ssl_context"]

_ssl_lock = threading.Lock()
_ssl_contexts: dict[tuple[str | None, str | None, str | None], ssl.SSLContext] = {}


def shared_ssl_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    """One verifying SSLContext per process and trust source (~90 ms to build, so never one per client).

    The trust source is `ca_bundle`, else SSL_CERT_FILE / SSL_CERT_DIR (as httpx reads them), else certifi."""
    cert_file, cert_dir = os.environ.get("SSL_CERT_FILE") or None, os.environ.get("SSL_CERT_DIR") or None
    key = (ca_bundle, None, None) if ca_bundle else (None, cert_file, cert_dir)
    with _ssl_lock:
        context = _ssl_contexts.get(key)
        if context is None:
            if ca_bundle or cert_file:
                context = ssl.create_default_context(cafile=ca_bundle or cert_file)
            elif cert_dir:
                context = ssl.create_default_context(capath=cert_dir)
            else:
                import certifi

                context = ssl.create_default_context(cafile=certifi.where())
            _ssl_contexts[key] = context
        return context


class Deadline(threading.local):
    """The monotonic time by which the current thread's request attempt must be done (None: no deadline).
    `clock` is the client's, so that tests which patch the client's clock move the deadline with it."""

    at: float | None = None
    expired: bool = False

    def __init__(self, clock: Callable[[], float]) -> None:  # threading.local runs it again in each thread
        self.clock = clock

    def budget(self, timeout: float | None, exc: type[Exception]) -> float | None:
        if self.at is None:
            return timeout
        left = self.at - self.clock()
        if left <= 0:
            self.expired = True
            raise exc("the request's overall deadline passed")
        return left if timeout is None else min(timeout, left)

    @contextmanager
    def watch(self) -> Iterator[None]:
        """Mark a timeout that happened because the deadline (not the per-read timeout) ran out."""
        try:
            yield
        except httpcore.TimeoutException:
            if self.at is not None and self.clock() >= self.at - 0.01:
                self.expired = True
            raise


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read and write waits at most until the deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        budget = self._deadline.budget(timeout, httpcore.ReadTimeout)
        with self._deadline.watch():
            return self._inner.read(max_bytes, budget)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        budget = self._deadline.budget(timeout, httpcore.WriteTimeout)
        with self._deadline.watch():
            self._inner.write(buffer, budget)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        budget = self._deadline.budget(timeout, httpcore.ConnectTimeout)
        with self._deadline.watch():
            return DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, budget), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        budget = self._deadline.budget(timeout, httpcore.ConnectTimeout)
        with self._deadline.watch():
            stream = self._inner.connect_tcp(host, port, budget, local_address, socket_options)
        return DeadlineStream(stream, self._deadline)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        budget = self._deadline.budget(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._inner.connect_unix_socket(path, budget, socket_options), self._deadline)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class Inflater:
    """Decode a body of the encodings we ask for, never producing more than `cap` bytes."""

    def __init__(self, encoding: str, cap: int) -> None:
        self.cap = cap
        self.size = 0
        self._raw = encoding in ("", "identity")
        self._deflate = encoding == "deflate"
        if not (self._raw or self._deflate or encoding in ("gzip", "x-gzip")):
            raise ValueError(f"unsupported Content-Encoding {encoding[:40]!r}")
        self._z: Any = None if self._deflate else zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, data: bytes) -> bytes:
        if self._raw:
            return self._count(data)
        if self._z is None:  # "deflate" is zlib-wrapped by the RFC, raw by some servers
            zlib_header = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._z = zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
        out = bytearray()
        while data and not self._z.eof:
            out += self._count(self._z.decompress(data, self.cap - self.size + 1))
            data = self._z.unconsumed_tail
        return bytes(out)

    def _count(self, chunk: bytes) -> bytes:
        self.size += len(chunk)
        if self.size > self.cap:
            raise OverflowError
        return chunk
