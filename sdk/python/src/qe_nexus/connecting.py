"""``connect()``: awaitable, and an async context manager."""

from __future__ import annotations

from collections.abc import Generator
from types import TracebackType
from typing import Any

from .backoff import Backoff
from .client import Client
from .transport import TokenSource


class Connecting:
    """What :func:`connect` returns: ``nx = await connect(...)``, or ``async with connect(...) as nx``
    (closed on exit)."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def __await__(self) -> Generator[Any, None, Client]:
        return self._start().__await__()

    async def _start(self) -> Client:
        await self._client._conn.start()
        return self._client

    async def __aenter__(self) -> Client:
        return await self._start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._client.close()


def connect(
    url: str,
    token: TokenSource,
    *,
    kind: str | None = None,
    resource: str | None = None,
    reconnect: bool | Backoff = True,
    ping_interval: float | None = None,
    connect_timeout: float = 10.0,
    request_timeout: float = 30.0,
) -> Connecting:
    """Connects to a Nexus edge; done once welcomed and every declaration is in force.

    ``url`` is the edge's base URL (``http(s)://`` or ``ws(s)://``); ``token`` a JWT, or a callable
    (sync or async) asked again on every reconnect and on close 4001; ``kind`` asks the server for a
    random suffix (``"pydefault"``), ``resource`` an exact resource. ``reconnect`` is ``True`` (full-jitter
    backoff, 0.5 s doubling to 2 s), a :class:`Backoff`, or ``False``. ``ping_interval`` overrides the
    keepalive period, by default ``welcome.limits.pingIntervalMs``. Raises ``UnauthorizedError`` (401),
    ``ForbiddenError`` (403), ``BadRequestError`` (400), ``QuotaExceededError`` (429),
    ``UnavailableError`` (503) when refused, ``DisconnectedError`` when the edge cannot be reached::

        async with connect("http://127.0.0.1:8787", token, kind="pydefault") as nx:
            ...
    """
    client = Client(
        url,
        token,
        kind=kind,
        resource=resource,
        reconnect=reconnect,
        ping_interval=ping_interval,
        connect_timeout=connect_timeout,
        request_timeout=request_timeout,
    )
    return Connecting(client)
