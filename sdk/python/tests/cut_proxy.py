"""A TCP proxy on a free loopback port in front of the real edge, for what a network does to a client
while the edge stays up: ``cut()`` drops every connection and refuses new ones until ``restore()``;
``drop_next(channel)`` loses the next live ``msg`` frame of that channel on its way to the client, as a
delivery the edge lost (a channel object that died with it queued: docs/protocol.md, "Queued channel
deliveries") would be, while the socket and the subscription stay up."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Coroutine
from typing import Any
from urllib.parse import urlsplit

TEXT = 0x1


class CutProxy:
    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._down = False
        self._drops: dict[str, asyncio.Future[int]] = {}
        self.url = ""

    @classmethod
    async def start(cls, edge_url: str) -> CutProxy:
        parts = urlsplit(edge_url)
        proxy = cls((parts.hostname or "127.0.0.1", parts.port or 80))
        proxy._server = await asyncio.start_server(proxy._accept, "127.0.0.1", 0)
        port = proxy._server.sockets[0].getsockname()[1]
        proxy.url = f"http://127.0.0.1:{port}"
        return proxy

    def cut(self) -> None:
        """Drops every open connection (no close frame) and refuses new ones until :meth:`restore`."""
        self._down = True
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def restore(self) -> None:
        self._down = False

    def drop_next(self, channel: str) -> asyncio.Future[int]:
        """Loses the next live message of ``channel`` the edge sends; resolves with its seq."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._drops[channel] = future
        return future

    async def stop(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        if self._down:
            client_w.transport.abort()
            return
        try:
            edge_r, edge_w = await asyncio.open_connection(*self._target)
        except OSError:
            client_w.transport.abort()
            return
        self._writers.update((client_w, edge_w))
        pumps = (self._spawn(_copy(client_r, edge_w)), self._spawn(self._frames(edge_r, client_w)))
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        for writer in (client_w, edge_w):
            writer.transport.abort()
            self._writers.discard(writer)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _frames(self, edge: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        """Passes the edge's upgrade answer, then its WebSocket frames one by one (the edge does not mask)."""
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            head = await edge.readuntil(b"\r\n\r\n")
            client.write(head)
            if b" 101 " not in head.split(b"\r\n", 1)[0]:
                await _copy(edge, client)
                return
            while True:
                frame, opcode, payload = await _read_frame(edge)
                if opcode == TEXT and self._lost(payload):
                    continue
                client.write(frame)
                await client.drain()

    def _lost(self, payload: bytes) -> bool:
        if not self._drops:
            return False
        frame = json.loads(payload)
        future = self._drops.get(frame.get("channel")) if frame.get("t") == "msg" else None
        if future is None or frame.get("retained") is True:
            return False
        del self._drops[frame["channel"]]
        future.set_result(frame["seq"])
        return True


async def _read_frame(reader: asyncio.StreamReader) -> tuple[bytes, int, bytes]:
    head = await reader.readexactly(2)
    length, extra = head[1] & 0x7F, b""
    if length >= 126:
        extra = await reader.readexactly(2 if length == 126 else 8)
        length = int.from_bytes(extra, "big")
    mask = await reader.readexactly(4) if head[1] & 0x80 else b""
    payload = await reader.readexactly(length)
    # Only a whole (FIN) text frame is looked at; fragments pass as they are.
    opcode = head[0] & 0x0F if head[0] & 0x80 else -1
    return head + extra + mask + payload, opcode, payload


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()


@contextlib.asynccontextmanager
async def cut_proxy(edge_url: str) -> AsyncIterator[CutProxy]:
    """A started ``CutProxy`` in front of ``edge_url``, stopped on the way out."""
    started = await CutProxy.start(edge_url)
    try:
        yield started
    finally:
        await started.stop()
