"""Receive Directs: a Python worker that prints every Direct sent to it.

NEXUS_TOKEN=<jwt> python examples/python/direct_receive.py
"""

import asyncio
import os

from qe_nexus import DirectContext, connect


async def main() -> None:
    url, token = os.environ.get("NEXUS_URL", "http://127.0.0.1:8787"), os.environ["NEXUS_TOKEN"]
    async with connect(url, token, kind="pydefault") as nx:

        def on_direct(text: str, ctx: DirectContext) -> None:
            print(f"direct from {ctx.from_.jid}: {text}", flush=True)

        nx.on_direct(on_direct)
        print(f"ready: {nx.jid} takes Directs at resource {nx.identity.resource if nx.identity else ''}", flush=True)
        await nx.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
