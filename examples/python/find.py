"""Find workers: the caller's own online blocks, and (for the app's owner) every block of the app.

NEXUS_TOKEN=<jwt> python examples/python/find.py [app]
"""

import asyncio
import os
import sys

from qe_nexus import ForbiddenError, connect


async def main() -> None:
    url, token = os.environ.get("NEXUS_URL", "http://127.0.0.1:8787"), os.environ["NEXUS_TOKEN"]
    async with connect(url, token, kind="pydefault") as nx:
        app = sys.argv[1] if len(sys.argv) > 1 else nx.identity.app if nx.identity else ""
        for block in await nx.find(app=app):
            print(f"mine: {block.jid} ({block.kind}) serves {block.methods}")
        try:
            blocks = await nx.find(app=app, scope="app")
            print(f"{app}: {len(blocks)} blocks online, {sum(b.kind == 'pydefault' for b in blocks)} Python workers")
        except ForbiddenError:
            print(f"only the owner of {app} may list all its blocks")


if __name__ == "__main__":
    asyncio.run(main())
