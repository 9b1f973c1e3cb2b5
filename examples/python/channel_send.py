"""Send on a channel: a retained status value, then a few ticks.

NEXUS_TOKEN=<jwt> python examples/python/channel_send.py [channel] [count]
"""

import asyncio
import os
import sys

from qe_nexus import connect


async def main() -> None:
    channel = sys.argv[1] if len(sys.argv) > 1 else "demo/ticks"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    url, token = os.environ.get("NEXUS_URL", "http://127.0.0.1:8787"), os.environ["NEXUS_TOKEN"]
    async with connect(url, token, kind="pydefault") as nx:
        # Retained: every later subscriber gets it first. ack=True waits for the edge (and raises its error).
        await nx.publish(f"{channel}/status", "online", retain=True, ack=True)
        for n in range(1, count + 1):
            await nx.publish(channel, f"tick {n}", ack=True)
            print(f"published tick {n} to {channel}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
