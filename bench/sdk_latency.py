"""The Python half of bench/sdk-latency.ts: API round trip and publish-to-delivery with the Python SDK.

Reads NEXUS_URL, NEXUS_TOKEN, NEXUS_APP and NEXUS_RUNS; prints one JSON line of samples in milliseconds:
{"api": [...], "pub": [...], "tsWorker": [...]}. With NEXUS_TS_WORKER set, it also calls that TypeScript
worker's "echo" (a Python caller and a TypeScript worker).
"""

from __future__ import annotations

import asyncio
import json
import os
import time

from qe_nexus import Message, connect


async def main() -> None:
    url, token, app = os.environ["NEXUS_URL"], os.environ["NEXUS_TOKEN"], os.environ["NEXUS_APP"]
    runs, warmup = int(os.environ.get("NEXUS_RUNS", "500")), 50
    ts_worker = os.environ.get("NEXUS_TS_WORKER")
    async with (
        connect(url, token, kind="pydefault") as worker,
        connect(url, token, kind="pydefault") as caller,
    ):
        await worker.serve("py.echo", lambda data: data)
        resource = worker.identity.resource if worker.identity else ""

        async def api_samples(target: str, method: str) -> list[float]:
            samples = []
            for i in range(warmup + runs):
                started = time.perf_counter()
                await caller.api(app, method, i, resource=target)
                if i >= warmup:
                    samples.append((time.perf_counter() - started) * 1000)
            return samples

        api = await api_samples(resource, "py.echo")
        ts = await api_samples(ts_worker, "echo") if ts_worker else []

        channel = f"bench/py/{resource}"
        delivered: asyncio.Queue[Message] = asyncio.Queue()
        await worker.subscribe(channel, lambda text, m: delivered.put_nowait(m))
        pub = []
        for i in range(warmup + runs):
            started = time.perf_counter()
            await caller.publish(channel, str(i))
            await delivered.get()
            if i >= warmup:
                pub.append((time.perf_counter() - started) * 1000)
    print(json.dumps({"api": api, "pub": pub, "tsWorker": ts}))


if __name__ == "__main__":
    asyncio.run(main())
