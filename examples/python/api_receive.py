"""Receive an API call: a Python worker that serves "sum" and "status".

NEXUS_URL=http://127.0.0.1:8787 NEXUS_TOKEN=<jwt> python examples/python/api_receive.py
"""

import asyncio
import os

from qe_nexus import BadRequestError, CallContext, connect


async def main() -> None:
    url, token = os.environ.get("NEXUS_URL", "http://127.0.0.1:8787"), os.environ["NEXUS_TOKEN"]
    async with connect(url, token, kind="pydefault") as nx:
        nx.on("state", lambda state: print(f"[nexus] {state}", flush=True))

        @nx.serve("sum")
        def add(data: dict[str, float]) -> dict[str, float]:
            if not isinstance(data, dict) or not all(isinstance(data.get(k), (int, float)) for k in "ab"):
                raise BadRequestError("sum needs numbers a and b")  # the caller gets bad_request
            return {"sum": data["a"] + data["b"]}

        @nx.serve("status")
        async def status(data: object, ctx: CallContext) -> dict[str, str]:
            return {"worker": nx.jid, "caller": ctx.from_.jid}

        await nx.flush()  # both methods acked: this worker is in the pool
        print(f"ready: {nx.jid} serves sum and status", flush=True)
        await nx.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
