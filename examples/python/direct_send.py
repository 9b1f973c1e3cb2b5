"""Send a Direct: to every Python worker of the app that is online (found with Find), acknowledged.

NEXUS_TOKEN=<jwt> python examples/python/direct_send.py [text]
"""

import asyncio
import os
import sys

from qe_nexus import OfflineError, connect


async def main() -> None:
    text = sys.argv[1] if len(sys.argv) > 1 else "hello from python"
    url, token = os.environ.get("NEXUS_URL", "http://127.0.0.1:8787"), os.environ["NEXUS_TOKEN"]
    async with connect(url, token, kind="pydefault") as nx:
        app = nx.identity.app if nx.identity else ""
        targets = [b for b in await nx.find(app=app, kind="pydefault") if b.jid != nx.jid]
        for block in targets:
            try:
                await nx.direct(app, block.resource, text, uid=block.uid, ack=True)
                print(f"sent to {block.jid}")
            except OfflineError:
                print(f"{block.jid} went offline")
        if not targets:
            print("no other Python worker online: start examples/python/direct_receive.py first")


if __name__ == "__main__":
    asyncio.run(main())
