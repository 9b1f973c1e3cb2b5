"""A TypeScript SDK block (interop/ts-peer.ts, run with tsx) that a Python test drives line by line."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from typing import Any

from .helpers import WAIT_S
from .stack import ROOT

PEER = ROOT / "sdk" / "python" / "tests" / "interop" / "ts-peer.ts"


class PeerError(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", ""))
        self.code = str(error.get("code"))
        self.retryable = bool(error.get("retryable"))


class TsPeer:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self._proc = proc
        self._answers: dict[int, asyncio.Future[Any]] = {}
        self._events: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self._n = 0
        self._reader = asyncio.ensure_future(self._read())
        self.jid = ""

    @classmethod
    async def start(cls, url: str, token: str, kind: str = "default") -> TsPeer:
        env = {**os.environ, "NEXUS_URL": url, "NEXUS_TOKEN": token, "NEXUS_KIND": kind}
        proc = await asyncio.create_subprocess_exec(
            str(ROOT / "node_modules" / ".bin" / "tsx"),
            str(PEER),
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        peer = cls(proc)
        try:
            peer.jid = (await peer.event("ready"))["jid"]
        except BaseException:
            await peer.stop()
            raise
        return peer

    def events(self, name: str) -> asyncio.Queue[dict[str, Any]]:
        return self._events.setdefault(name, asyncio.Queue())

    async def event(self, name: str) -> dict[str, Any]:
        return await asyncio.wait_for(self.events(name).get(), WAIT_S)

    async def call(self, op: str, **args: Any) -> Any:
        assert self._proc.stdin is not None
        self._n += 1
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._answers[self._n] = answer
        self._proc.stdin.write((json.dumps({"n": self._n, "op": op, **args}) + "\n").encode())
        await self._proc.stdin.drain()
        return await asyncio.wait_for(answer, WAIT_S)

    async def stop(self) -> None:
        if self._proc.returncode is None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.call("close"), 5)
            try:
                await asyncio.wait_for(self._proc.wait(), 5)
            except asyncio.TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self._proc.pid, signal.SIGKILL)
                await self._proc.wait()
        self._reader.cancel()

    async def _read(self) -> None:
        assert self._proc.stdout is not None
        async for raw in self._proc.stdout:
            line = raw.decode().strip()
            if not line.startswith("{"):
                continue
            message = json.loads(line)
            if "event" in message:
                self.events(message["event"]).put_nowait(message)
                continue
            answer = self._answers.pop(message["n"], None)
            if answer is None or answer.done():
                continue
            if message["ok"]:
                answer.set_result(message["result"])
            else:
                answer.set_exception(PeerError(message["error"]))
