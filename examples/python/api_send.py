"""Send an API call: call "sum" on the app's workers (round-robin), then on one exact worker.

NEXUS_TOKEN=<jwt> python examples/python/api_send.py [app]
"""

import asyncio
import os
import sys

from qe_nexus import NexusError, NoRespondersError, connect


async def main() -> None:
    url, token = os.environ.get("NEXUS_URL", "http://127.0.0.1:8787"), os.environ["NEXUS_TOKEN"]
    async with connect(url, token, kind="pydefault") as nx:
        app = sys.argv[1] if len(sys.argv) > 1 else nx.identity.app if nx.identity else ""
        try:
            answer = await nx.api(app, "sum", {"a": 1, "b": 2}, timeout=5)
            print(f"sum: {answer['sum']}")
            # One exact worker: the first Python worker of this uid that Find lists.
            for worker in [b for b in await nx.find(app=app, kind="pydefault") if b.jid != nx.jid][:1]:
                print(f"status from {worker.resource}:", await nx.api(app, "status", resource=worker.resource))
        except NoRespondersError:
            print("no worker serves sum: start examples/python/api_receive.py first")
        except NexusError as err:
            print(f"failed: {err.code} (retryable: {err.retryable}): {err.message}")


if __name__ == "__main__":
    asyncio.run(main())
