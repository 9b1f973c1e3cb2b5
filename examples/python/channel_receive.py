"""Receive on a channel: print every message of a channel, the retained value first.

NEXUS_TOKEN=<jwt> python examples/python/channel_receive.py [channel]
"""

import asyncio
import os
import sys

from qe_nexus import connect


async def main() -> None:
    channel = sys.argv[1] if len(sys.argv) > 1 else "demo/ticks"
    url, token = os.environ.get("NEXUS_URL", "http://127.0.0.1:8787"), os.environ["NEXUS_TOKEN"]
    async with connect(url, token, kind="pydefault") as nx, nx.subscribe(channel) as sub:
        print(f"ready: {nx.jid} listens to {channel}", flush=True)
        async for m in sub:  # survives reconnects: the subscription is restored, nothing twice
            retained = " (retained)" if m.retained else ""
            print(f"#{m.seq} {m.text}{retained} from {m.from_.jid}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
