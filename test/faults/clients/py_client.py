"""A Python SDK client for the fault tests (test/faults/support/fault-client.ts): serves FAULT_METHOD,
subscribes FAULT_CHANNEL, prints what happens as JSON lines and publishes what stdin asks for."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

from qe_nexus import Message, NexusError, Resubscribed, connect


def out(**event: Any) -> None:
    print(json.dumps(event), flush=True)


async def main() -> None:
    kind = os.environ.get("FAULT_KIND") or "pydefault"
    nx = await connect(os.environ["NEXUS_URL"], os.environ["NEXUS_TOKEN"], kind=kind)
    nx.on("state", lambda state: out(event="state", state=state))
    method = os.environ.get("FAULT_METHOD")
    if method:

        async def handle(data: Any) -> Any:
            if data != "hang":
                return {"by": "py", "data": data}
            out(event="call")
            await asyncio.Event().wait()  # never answered: the test kills this process mid-call

        await nx.serve(method, handle)
    channel = os.environ.get("FAULT_CHANNEL")
    if channel:

        def on_message(text: str, m: Message) -> None:
            out(event="msg", seq=m.seq, text=text, retained=m.retained)

        def on_resubscribed(r: Resubscribed) -> None:
            out(event="resubscribed", recovered=r.recovered)

        sub = await nx.subscribe(channel, on_message)
        sub.on("resubscribed", on_resubscribed)
    out(event="ready", jid=nx.jid, resource=nx.identity.resource if nx.identity else None)

    reader = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        command = json.loads(line)
        if command["cmd"] == "exit":
            break
        if command["cmd"] == "publish":
            try:
                await nx.publish(command["channel"], command["text"], ack=True)
                out(event="published", text=command["text"])
            except NexusError as err:
                out(event="publish_failed", text=command["text"], code=err.code)
    await nx.close()


asyncio.run(main())
