"""Keepalive on a scripted edge: pings every interval, and one after every MiB read (slow-consumer bound)."""

from __future__ import annotations

from qe_nexus import Backoff, connect
from qe_nexus.connection import READ_ACK_CHARS
from qe_nexus.frames import PING

from .fake_edge import FakeEdge
from .helpers import within


async def test_pings_after_every_mib_read(edge: FakeEdge) -> None:
    nx = await connect(edge.url, "t", kind="pydefault", ping_interval=3600, reconnect=Backoff(initial=0.01))
    try:
        conn = await edge.connection(0)
        sender = {
            "jid": "etest-u1-owner@qepal.com/webuo1",
            "app": "etest",
            "uid": "u1",
            "role": "owner",
            "resource": "webuo1",
            "kind": "webuo",
        }
        chunk = "x" * (64 * 1024)
        for _ in range(READ_ACK_CHARS // len(chunk) - 1):
            await conn.send({"t": "direct", "data": chunk, "from": sender})
        before = len(conn.frames)
        await conn.send({"t": "direct", "data": chunk * 2, "from": sender})
        ping = await within(conn.next_frame(lambda f: f["t"] == "ping", before))
        assert ping == {"t": "ping"}
        assert PING in conn.texts
        assert [f["t"] for f in conn.frames[:before]].count("ping") == 0
    finally:
        await nx.close()
