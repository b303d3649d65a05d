"""Where outbound webhooks may go, and a POST that goes only there.

Admins type the URLs, so a URL is a way into the service's own network unless it is
checked: only https, to names whose every address is a public one (no private, loopback,
link-local, multicast or reserved ranges: no cloud metadata at 169.254.169.254, no
database on localhost). The name is resolved and checked when the endpoint is saved and
again at every delivery, and the delivery connects to the address that was checked, so a
name that changes its answer in between (DNS rebinding) cannot steer it elsewhere.
Redirects are not followed. Plain http, and any address, are allowed only for the hosts an
admin lists in ``RETURNS_WEBHOOK_HTTP_HOSTS``, for local development.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3
from urllib3.exceptions import HTTPError

#: Bytes of an answer read at most; the rest is dropped unread.
MAX_ANSWER_BYTES = 2048
#: Characters of an answer kept in the delivery log.
EXCERPT_CHARACTERS = 200
_UNPRINTABLE = re.compile(r"[^\S ]+|[\x00-\x1f\x7f-\x9f]")


class UnsafeTarget(ValueError):
    """A URL the service will not send to; the message says why."""


class Unresolvable(UnsafeTarget):
    """The URL's host name does not resolve."""


class TargetUnreachable(Exception):
    """The target could not be reached or did not answer in time."""


@dataclass(frozen=True, slots=True)
class Target:
    """A checked destination: the address to connect to and the name it answers for."""

    scheme: str
    host: str
    port: int
    path: str
    #: The checked address to connect to; the host itself for allow-listed hosts.
    address: str


@dataclass(frozen=True, slots=True)
class Answer:
    """What came back: the status and a short, printable excerpt of the body."""

    status: int
    excerpt: str


def allowed_http_hosts(setting: str) -> frozenset[str]:
    """The comma-separated ``RETURNS_WEBHOOK_HTTP_HOSTS`` as lower-case host names."""
    return frozenset(host.strip().lower() for host in setting.split(",") if host.strip())


def check_url(url: str, http_hosts: Collection[str]) -> Target:
    """The checked target of ``url``; raises :class:`UnsafeTarget` saying what is wrong."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeTarget("the URL has no host")
    if parts.username or parts.password:
        raise UnsafeTarget("the URL must not carry a user name or password")
    trusted = host in http_hosts
    if parts.scheme != "https" and not (parts.scheme == "http" and trusted):
        raise UnsafeTarget(
            "the URL must use https (plain http only for hosts in RETURNS_WEBHOOK_HTTP_HOSTS)"
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeTarget("the URL's port is not a number from 1 to 65535") from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if trusted:
        return Target(parts.scheme, host, port, path, host)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Unresolvable(f"the host {host} does not resolve") from None
    addresses = [str(info[4][0]) for info in found]
    for address in addresses:
        _check_public(host, address)
    return Target(parts.scheme, host, port, path, addresses[0])


def check_endpoint_url(url: str, http_hosts: Collection[str]) -> None:
    """Check a URL an admin saves. A name that does not resolve yet passes (its DNS may come
    later); every delivery checks it again."""
    try:
        check_url(url, http_hosts)
    except Unresolvable:
        pass


def _check_public(host: str, address: str) -> None:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # is_global is false for private, loopback, link-local, shared (CGNAT) and reserved
    # ranges; multicast is checked apart because some multicast ranges count as global.
    if not ip.is_global or ip.is_multicast:
        raise UnsafeTarget(f"{host} resolves to {ip}, which is not a public address")


class _Pools(threading.local):
    """This thread's connection pools, one per checked address: a worker's deliveries to an
    endpoint reuse its connection (no TCP and TLS handshake per delivery)."""

    def __init__(self) -> None:
        self.by_target: dict[tuple[str, str, int, str], urllib3.HTTPConnectionPool] = {}


_pools = _Pools()
#: Pools kept per thread at most; past that they are all closed and opened again as needed.
MAX_KEPT_POOLS = 32


def _pool(target: Target) -> urllib3.HTTPConnectionPool:
    key = (target.scheme, target.address, target.port, target.host)
    pool = _pools.by_target.get(key)
    if pool is not None:
        return pool
    if len(_pools.by_target) >= MAX_KEPT_POOLS:
        for kept in _pools.by_target.values():
            kept.close()
        _pools.by_target.clear()
    options: dict = {"retries": False, "maxsize": 1}
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, **options)
    _pools.by_target[key] = pool
    return pool


def post(target: Target, body: bytes, headers: Mapping[str, str], timeout: float) -> Answer:
    """POST ``body`` to the checked address of ``target``, following no redirect.

    TLS is verified against the host name, not the address, as if it had been resolved
    normally. Only the first :data:`MAX_ANSWER_BYTES` of the answer are read; a connection
    whose answer was not read to its end is closed rather than used again.
    """
    pool = _pool(target)
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            preload_content=False,
            assert_same_host=False,
            timeout=urllib3.Timeout(connect=min(timeout, 5.0), read=timeout),
        )
        try:
            raw = response.read(MAX_ANSWER_BYTES)
        finally:
            if not response.closed:
                response.close()  # the rest unread: the connection is not reusable
            response.release_conn()
    except (HTTPError, OSError) as exc:
        raise TargetUnreachable(_reason(exc)) from exc
    return Answer(response.status, excerpt(raw))


def excerpt(raw: bytes) -> str:
    """A short, printable, one-line excerpt of an answer's body."""
    text = raw.decode("utf-8", "replace")
    return _UNPRINTABLE.sub(" ", text).strip()[:EXCERPT_CHARACTERS]


def _reason(exc: BaseException) -> str:
    """Why a connection failed, in general words (no internal addresses echoed back)."""
    name = type(exc).__name__
    if "Timeout" in name:
        return "timed out"
    if isinstance(exc, ConnectionRefusedError) or "NewConnectionError" in name:
        return "connection refused or failed"
    if "SSL" in name:
        return "TLS handshake or certificate check failed"
    return "connection failed"
