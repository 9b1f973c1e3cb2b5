"""The examples in examples/python run against the real stack and do what their docstrings say."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator

import pytest

from .helpers import WAIT_S
from .stack import ROOT, LocalStack

EXAMPLES = ROOT / "examples" / "python"


class Running:
    """A long-running example, read line by line."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    async def line(self, containing: str) -> str:
        assert self.proc.stdout is not None
        while True:
            raw = await asyncio.wait_for(self.proc.stdout.readline(), WAIT_S)
            if not raw:
                raise AssertionError(f"the example ended before printing {containing!r}")
            if containing in raw.decode():
                return raw.decode().strip()


@pytest.fixture
async def env(stack: LocalStack) -> dict[str, str]:
    app, owner = stack.new_app()
    return {**os.environ, "NEXUS_URL": stack.url, "NEXUS_TOKEN": stack.token(owner, app)}


@contextlib.asynccontextmanager
async def running(env: dict[str, str], name: str, *args: str) -> AsyncIterator[Running]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(EXAMPLES / name), *args, env=env, stdout=asyncio.subprocess.PIPE
    )
    try:
        yield Running(proc)
    finally:
        if proc.returncode is None:
            proc.terminate()
        await proc.wait()


async def run(env: dict[str, str], name: str, *args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(EXAMPLES / name), *args, env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(proc.communicate(), WAIT_S)
    assert proc.returncode == 0, out.decode()
    return out.decode()


async def test_api_receive_and_send(env: dict[str, str]) -> None:
    async with running(env, "api_receive.py") as worker:
        ready = await worker.line("ready:")
        out = await run(env, "api_send.py")
        assert "sum: 3" in out
        resource = ready.split("/")[1].split()[0]
        assert f"status from {resource}:" in out
        find = await run(env, "find.py")
        assert f"/{resource} (pydefault)" in find
        assert "Python workers" in find


async def test_channel_receive_and_send(env: dict[str, str]) -> None:
    channel = f"examples/{os.getpid()}"
    async with running(env, "channel_receive.py", channel) as receiver:
        await receiver.line("ready:")
        out = await run(env, "channel_send.py", channel, "3")
        assert out.count("published tick") == 3
        assert [await receiver.line("tick") for _ in range(3)][-1].split(" from ")[0].endswith("tick 3")


async def test_direct_receive_and_send(env: dict[str, str]) -> None:
    async with running(env, "direct_receive.py") as receiver:
        await receiver.line("ready:")
        out = await run(env, "direct_send.py", "hello there")
        assert "sent to" in out
        assert (await receiver.line("direct from")).endswith(": hello there")
