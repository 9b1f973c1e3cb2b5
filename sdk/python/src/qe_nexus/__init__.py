"""Nexus for Python: workers and clients of the QE real-time layer, on asyncio.

::

    import asyncio
    from qe_nexus import connect

    async def main() -> None:
        async with connect("http://127.0.0.1:8787", token, kind="pydefault") as nx:
            @nx.serve("sum")
            def add(data):
                return {"sum": data["a"] + data["b"]}

            await nx.wait_closed()

    asyncio.run(main())
"""

from .backoff import Backoff
from .channel_position import Gap, GapReason, Resubscribed
from .client import Client, DirectHandler
from .connecting import Connecting, connect
from .connection import State
from .errors import (
    RETRYABLE,
    AppError,
    BadRequestError,
    DisconnectedError,
    ErrorCode,
    ForbiddenError,
    InternalError,
    NexusError,
    NoRespondersError,
    NotAWorkerError,
    NotFoundError,
    OfflineError,
    QuotaExceededError,
    RateLimitedError,
    TimeoutError,
    TooLargeError,
    UnauthorizedError,
    UnavailableError,
    WorkerGoneError,
    error_class,
    error_for,
    is_retryable,
)
from .frames import Block, CallContext, DirectContext, Limits, Message
from .identity import KINDS, Identity, Jid, is_worker_kind, parse_jid, parse_resource
from .served import ApiHandler, Served, Serving
from .subscription import MessageHandler, Subscribing, Subscription
from .transport import TokenSource

__version__ = "0.1.0"

__all__ = [
    "KINDS",
    "RETRYABLE",
    "ApiHandler",
    "AppError",
    "Backoff",
    "BadRequestError",
    "Block",
    "CallContext",
    "Client",
    "Connecting",
    "DirectContext",
    "DirectHandler",
    "DisconnectedError",
    "ErrorCode",
    "ForbiddenError",
    "Gap",
    "GapReason",
    "Identity",
    "InternalError",
    "Jid",
    "Limits",
    "Message",
    "MessageHandler",
    "NexusError",
    "NoRespondersError",
    "NotAWorkerError",
    "NotFoundError",
    "OfflineError",
    "QuotaExceededError",
    "RateLimitedError",
    "Resubscribed",
    "Served",
    "Serving",
    "State",
    "Subscribing",
    "Subscription",
    "TimeoutError",
    "TokenSource",
    "TooLargeError",
    "UnauthorizedError",
    "UnavailableError",
    "WorkerGoneError",
    "__version__",
    "connect",
    "error_class",
    "error_for",
    "is_retryable",
    "is_worker_kind",
    "parse_jid",
    "parse_resource",
]
