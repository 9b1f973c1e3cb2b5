"""A scripted Nexus edge for the unit tests: a real WebSocket server on a free loopback port that
sends ``welcome``, answers pings and (optionally) acks declarations; tests drive the rest."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

Frame = dict[str, Any]


def identity(resource: str) -> Frame:
    kind = resource.rstrip("0123456789").removesuffix("S") or resource
    return {
        "jid": f"etest-u1-owner@qepal.com/{resource}",
        "app": "etest",
        "uid": "u1",
        "role": "owner",
        "resource": resource,
        "kind": kind,
    }


class FakeConnection:
    def __init__(self, ws: ServerConnection, query: dict[str, str], ident: Frame) -> None:
        self.ws = ws
        self.query = query
        self.identity = ident
        self.frames: list[Frame] = []
        self.texts: list[str] = []
        self._new = asyncio.Condition()

    async def next_frame(self, match: Callable[[Frame], bool] = lambda f: True, after: int = 0) -> Frame:
        """The first frame at index >= ``after`` that matches, waiting for it."""
        async with self._new:
            while True:
                for frame in self.frames[after:]:
                    if match(frame):
                        return frame
                await self._new.wait()

    async def send(self, frame: Frame) -> None:
        await self.ws.send(json.dumps(frame))

    async def received(self, frame: Frame, text: str) -> None:
        async with self._new:
            self.frames.append(frame)
            self.texts.append(text)
            self._new.notify_all()


class FakeEdge:
    def __init__(self, *, welcome: Frame | None = None, auto_ack: bool = True) -> None:
        self.welcome = welcome
        self.auto_ack = auto_ack
        self.refuse: tuple[int, bytes] | None = None
        self.connections: list[FakeConnection] = []
        self.headers: list[Headers] = []
        self._server: Server | None = None
        self._arrived = asyncio.Condition()
        self._suffix = 0
        self.url = ""

    async def start(self) -> FakeEdge:
        self._server = await serve(self._handle, "127.0.0.1", 0, process_request=self._process_request)
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    async def connection(self, index: int) -> FakeConnection:
        """The ``index``-th accepted connection, waiting for it."""
        async with self._arrived:
            await self._arrived.wait_for(lambda: len(self.connections) > index)
            return self.connections[index]

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        self.headers.append(request.headers)
        if self.refuse is None:
            return None
        status, body = self.refuse
        return Response(status, "Refused", Headers([("content-type", "application/json")]), body)

    async def _handle(self, ws: ServerConnection) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(ws.request.path if ws.request else "").query).items()}
        self._suffix += 1
        resource = query.get("resource") or f"{query.get('kind', 'default')}S{self._suffix}"
        welcome = self.welcome or {
            "t": "welcome",
            "v": 1,
            "jid": identity(resource)["jid"],
            "from": identity(resource),
            "limits": {"maxFrameBytes": 262144, "apiTimeoutMs": 30000},
        }
        conn = FakeConnection(ws, query, welcome["from"])
        async with self._arrived:
            self.connections.append(conn)
            self._arrived.notify_all()
        await ws.send(json.dumps(welcome))
        with contextlib.suppress(Exception):
            async for text in ws:
                frame = json.loads(text)
                if text == '{"t":"ping"}':
                    await ws.send('{"t":"pong"}')
                if self.auto_ack and frame.get("t") in ("serve", "sub", "unsub", "will"):
                    await ws.send(json.dumps({"t": "ack", "id": frame["id"]}))
                await conn.received(frame, str(text))
