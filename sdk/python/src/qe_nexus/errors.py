"""The contract's error codes, and one exception class per code.

Branch on the class (or on ``code``), never on the message::

    try:
        await nx.api("etest", "sum", {"a": 1, "b": 2})
    except NoRespondersError:
        print("no worker online")
    except NexusError as err:
        if not err.retryable:
            raise
"""

from __future__ import annotations

import asyncio
import json
from typing import ClassVar, Final


class ErrorCode:
    """The wire's error codes (``docs/protocol.md``, "Errors and close codes").

    ``unauthorized`` and ``unavailable`` come from a refused connect; ``disconnected`` is raised by
    the client itself (the connection dropped while a call was in flight, or the client is closed).
    """

    BAD_REQUEST: Final = "bad_request"
    TOO_LARGE: Final = "too_large"
    RATE_LIMITED: Final = "rate_limited"
    QUOTA_EXCEEDED: Final = "quota_exceeded"
    FORBIDDEN: Final = "forbidden"
    NOT_FOUND: Final = "not_found"
    OFFLINE: Final = "offline"
    NOT_A_WORKER: Final = "not_a_worker"
    NO_RESPONDERS: Final = "no_responders"
    WORKER_GONE: Final = "worker_gone"
    TIMEOUT: Final = "timeout"
    APP_ERROR: Final = "app_error"
    INTERNAL: Final = "internal"
    UNAUTHORIZED: Final = "unauthorized"
    UNAVAILABLE: Final = "unavailable"
    DISCONNECTED: Final = "disconnected"


#: Whether trying the same thing again later can succeed, per code. Unknown codes are not retryable.
RETRYABLE: Final[dict[str, bool]] = {
    ErrorCode.BAD_REQUEST: False,
    ErrorCode.TOO_LARGE: False,
    ErrorCode.RATE_LIMITED: True,
    # As NATS's "maximum subscriptions exceeded": waiting alone does not help, the client must release what
    # it holds first. A refused connect (429) is retryable all the same: see refusal_error.
    ErrorCode.QUOTA_EXCEEDED: False,
    ErrorCode.FORBIDDEN: False,
    ErrorCode.NOT_FOUND: False,
    ErrorCode.OFFLINE: True,
    ErrorCode.NOT_A_WORKER: False,
    ErrorCode.NO_RESPONDERS: True,
    ErrorCode.WORKER_GONE: True,
    ErrorCode.TIMEOUT: True,
    ErrorCode.APP_ERROR: False,
    ErrorCode.INTERNAL: True,
    ErrorCode.UNAUTHORIZED: False,
    ErrorCode.UNAVAILABLE: True,
    ErrorCode.DISCONNECTED: True,
}


def is_retryable(code: str) -> bool:
    """``True`` when a call that failed with ``code`` may succeed later: ``is_retryable("timeout")``."""
    return RETRYABLE.get(code, False)


class NexusError(Exception):
    """The base of every error the SDK raises: a contract ``code`` and whether it is ``retryable``.

    ``status`` is the HTTP status of a refused connect; ``close_code`` the WebSocket close code that
    ended the connection. Raise it (or a subclass) in a served method to answer with its code::

        @nx.serve("sum")
        def add(data, ctx):
            if "a" not in data:
                raise BadRequestError("a is required")
            return data["a"] + data["b"]
    """

    #: The code a subclass stands for; the base class keeps whatever code it was given.
    default_code: ClassVar[str] = ErrorCode.INTERNAL

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        retryable: bool | None = None,
        status: int | None = None,
        close_code: int | None = None,
        quota: str | None = None,
    ) -> None:
        self.code: str = code if code is not None else self.default_code
        super().__init__(message or self.code)
        self.message: str = message or self.code
        self.retryable: bool = is_retryable(self.code) if retryable is None else retryable
        self.status: int | None = status
        self.close_code: int | None = close_code
        #: With ``quota_exceeded``: the quota that refused it (``"maxSubscriptions"``, ``"maxPendingCalls"``...).
        self.quota: str | None = quota

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, retryable={self.retryable})"


class BadRequestError(NexusError):
    """The frame is malformed or a field is missing or ill-typed."""

    default_code = ErrorCode.BAD_REQUEST


class TooLargeError(NexusError):
    """The frame is larger than ``maxFrameBytes``."""

    default_code = ErrorCode.TOO_LARGE


class RateLimitedError(NexusError):
    """This connection sends faster than its rate limit."""

    default_code = ErrorCode.RATE_LIMITED


class QuotaExceededError(NexusError):
    """A quota of ``welcome.limits`` is reached (subscriptions, calls in flight, served methods, blocks)."""

    default_code = ErrorCode.QUOTA_EXCEEDED


class ForbiddenError(NexusError):
    """The caller may not do this (no grant, not the owner, kind or channel not allowed)."""

    default_code = ErrorCode.FORBIDDEN


class NotFoundError(NexusError):
    """The app is not in the registry."""

    default_code = ErrorCode.NOT_FOUND


class OfflineError(NexusError):
    """The named worker is not online."""

    default_code = ErrorCode.OFFLINE


class NotAWorkerError(NexusError):
    """The target or the caller is a frontend, which cannot serve."""

    default_code = ErrorCode.NOT_A_WORKER


class NoRespondersError(NexusError):
    """No online worker serves this method."""

    default_code = ErrorCode.NO_RESPONDERS


class WorkerGoneError(NexusError):
    """The worker disconnected before it answered."""

    default_code = ErrorCode.WORKER_GONE


class TimeoutError(NexusError, asyncio.TimeoutError):
    """No answer within the call's timeout (also an ``asyncio.TimeoutError``, so ``wait_for`` code catches it)."""

    default_code = ErrorCode.TIMEOUT


class AppError(NexusError):
    """The worker answered with an error (its handler raised)."""

    default_code = ErrorCode.APP_ERROR


class InternalError(NexusError):
    """The server failed; nothing about the request was wrong."""

    default_code = ErrorCode.INTERNAL


class UnauthorizedError(NexusError):
    """The token is missing, malformed, expired or not signed by a trusted key (HTTP 401, close 4001)."""

    default_code = ErrorCode.UNAUTHORIZED


class UnavailableError(NexusError):
    """The edge cannot check the token now (HTTP 503): retry later."""

    default_code = ErrorCode.UNAVAILABLE


class DisconnectedError(NexusError):
    """The connection dropped before the answer arrived, or the client is closed (then not retryable)."""

    default_code = ErrorCode.DISCONNECTED


_BY_CODE: Final[dict[str, type[NexusError]]] = {
    cls.default_code: cls
    for cls in (
        BadRequestError,
        TooLargeError,
        RateLimitedError,
        QuotaExceededError,
        ForbiddenError,
        NotFoundError,
        OfflineError,
        NotAWorkerError,
        NoRespondersError,
        WorkerGoneError,
        TimeoutError,
        AppError,
        InternalError,
        UnauthorizedError,
        UnavailableError,
        DisconnectedError,
    )
}


def error_class(code: str) -> type[NexusError]:
    """The exception class of a code; :class:`NexusError` itself for a code this SDK does not know."""
    return _BY_CODE.get(code, NexusError)


def error_for(
    code: str,
    message: str = "",
    *,
    retryable: bool | None = None,
    status: int | None = None,
    close_code: int | None = None,
    quota: str | None = None,
) -> NexusError:
    """The exception for a wire code: ``error_for("timeout", "no answer")`` is a :class:`TimeoutError`."""
    return error_class(code)(message, code=code, retryable=retryable, status=status, close_code=close_code, quota=quota)


def from_wire(error: object) -> NexusError:
    """The exception for a wire ``error`` object or ``error`` frame (``{"code": ..., "message": ...}``)."""
    if not isinstance(error, dict):
        return InternalError("the server sent a malformed error")
    code, message, quota = error.get("code"), error.get("message"), error.get("quota")
    return error_for(
        code if isinstance(code, str) else ErrorCode.INTERNAL,
        message if isinstance(message, str) else "",
        quota=quota if isinstance(quota, str) else None,
    )


_STATUS_CODES: Final[dict[int, str]] = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    429: ErrorCode.QUOTA_EXCEEDED,
    503: ErrorCode.UNAVAILABLE,
}


def refusal_error(status: int, body: bytes | str) -> NexusError:
    """The error for a refused upgrade: the body's contract code when present, else one from the status.

    ``refusal_error(401, b'{"error":{"code":"unauthorized","message":"token expired"}}').message``
    is ``"connect refused: token expired"``. 429 and 5xx are retryable.
    """
    default = ErrorCode.INTERNAL if status >= 500 else ErrorCode.BAD_REQUEST
    code = _STATUS_CODES.get(status, default)
    message = f"connect refused with HTTP {status}"
    quota = None
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None  # a proxy's HTML error page: the status is all we have
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
        wire = parsed["error"]
        if isinstance(wire.get("code"), str):
            code = wire["code"]
        if isinstance(wire.get("message"), str):
            message = f"connect refused: {wire['message']}"
        if isinstance(wire.get("quota"), str):
            quota = wire["quota"]
    return error_for(code, message, status=status, retryable=status >= 500 or status == 429, quota=quota)
