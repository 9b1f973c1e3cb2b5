"""One socket: the connect URL, the upgrade (refusals read from the HTTP answer), the welcome, close codes."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from .errors import BadRequestError, DisconnectedError, ForbiddenError, NexusError, UnauthorizedError, refusal_error
from .frames import Frame

#: A fixed token, or a callable (sync or async) asked again on every reconnect and on close 4001.
TokenSource = str | Callable[[], str] | Callable[[], Awaitable[str]]

# Frames above 1 MiB may be refused by the edge with 1009; accept what the edge may send (large Find results).
_MAX_INCOMING = 16 * 1024 * 1024
_VERSION = "0.1.0"


class _Socket(ClientConnection):
    """A client connection that ends as soon as both close frames are out: workerd keeps the TCP
    connection open for ~10 s after its close frame, which would hide a 4009 or 4001 that long."""

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.protocol.close_rcvd is not None and self.protocol.close_sent is not None:
            self.transport.close()  # flushes our close reply first


def terminal_error(code: int, reason: str) -> NexusError | None:
    """The error for a close code after which the client must not reconnect by itself, else ``None``.

    4001 (token expired) is final only with a fixed token; the caller asks a token callable again instead.
    """
    why = f": {reason}" if reason else ""
    if code == 4001:
        return UnauthorizedError(f"token expired (close 4001){why}", close_code=code)
    if code == 4008:
        return ForbiddenError(f"closed by policy (close 4008){why}", close_code=code, retryable=False)
    if code == 4009:
        message = f"replaced by a newer connection with the same JID (close 4009){why}"
        return DisconnectedError(message, close_code=code, retryable=False)
    return None


def connect_url(base: str, target: dict[str, str]) -> str:
    """``http(s)://host[:port]`` or ``ws(s)://...`` plus ``/v1/connect?kind=...`` (or ``resource=``)."""
    parts = urlsplit(base)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    if scheme not in ("ws", "wss"):
        raise BadRequestError(f"url must be http(s):// or ws(s)://, not {base!r}")
    path = parts.path.rstrip("/")
    if not path.endswith("/v1/connect"):
        path += "/v1/connect"
    return urlunsplit((scheme, parts.netloc, path, urlencode(target), ""))


async def resolve_token(source: TokenSource) -> str:
    """The token to connect with: the string, or what the callable returns (awaited when async)."""
    if isinstance(source, str):
        return source
    try:
        value = source()
        token = await value if inspect.isawaitable(value) else value
    except NexusError:
        raise
    except Exception as err:
        raise UnauthorizedError(f"the token callable failed: {err!r}", retryable=True) from err
    if not isinstance(token, str):
        raise UnauthorizedError("the token callable must return a str", retryable=False)
    return token


async def open_socket(base: str, target: dict[str, str], token: str, timeout: float) -> ClientConnection:
    """Upgrades to a WebSocket; a refusal raises the contract's error from the HTTP answer."""
    url = connect_url(base, target)
    try:
        return await ws_connect(
            url,
            additional_headers={"Authorization": f"Bearer {token}"},
            user_agent_header=f"qe-nexus-python/{_VERSION}",
            compression=None,
            proxy=None,
            open_timeout=timeout,
            ping_interval=None,  # the contract's keepalive is the {"t":"ping"} text frame
            close_timeout=1,
            max_size=_MAX_INCOMING,
            create_connection=_Socket,
        )
    except InvalidStatus as err:
        raise refusal_error(err.response.status_code, bytes(err.response.body or b"")) from err
    except InvalidURI as err:
        raise BadRequestError(f"invalid url {base!r}") from err
    except (OSError, InvalidHandshake, asyncio.TimeoutError) as err:
        raise DisconnectedError(f"could not connect to {base}: {err!r}", retryable=True) from err


async def await_welcome(ws: ClientConnection, base: str, timeout: float) -> Frame:
    """The first ``welcome`` frame (frames before it are ignored), within ``timeout`` seconds."""

    async def first() -> Frame:
        while True:
            text = await ws.recv()
            with contextlib.suppress(ValueError):
                frame = json.loads(text)
                if isinstance(frame, dict) and frame.get("t") == "welcome":
                    return frame

    try:
        return await asyncio.wait_for(first(), timeout)
    except asyncio.TimeoutError as err:
        await ws.close(4000, "no welcome")
        raise DisconnectedError(f"no welcome from {base}", retryable=True) from err
    except ConnectionClosed as err:
        code = err.rcvd.code if err.rcvd is not None else 1006
        reason = err.rcvd.reason if err.rcvd is not None else ""
        terminal = terminal_error(code, reason)
        raise terminal or DisconnectedError(f"closed before welcome ({code})", close_code=code) from err
