"""The client's events: ``state`` and ``error``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from .errors import NexusError, error_for

log = logging.getLogger("qe_nexus")


class Events:
    """Listeners per event; a raising listener is logged, never fed back into ``error``."""

    def __init__(self) -> None:
        self._listeners: dict[str, list[Callable[[Any], Any]]] = {"state": [], "error": []}

    def on(self, event: str, listener: Callable[[Any], Any]) -> Callable[[], None]:
        listeners = self._listeners[event]
        listeners.append(listener)
        return lambda: listeners.remove(listener) if listener in listeners else None

    def emit(self, event: str, value: Any) -> None:
        for listener in list(self._listeners[event]):
            try:
                listener(value)
            except Exception:
                log.exception("[nexus] a %s listener raised", event)

    def report(self, err: BaseException | None) -> None:
        """A failure no call can carry (a raising handler, an unmatched error frame): the ``error`` event,
        or the ``qe_nexus`` logger when nobody listens, so a worker never crashes over one handler's bug."""
        if err is None:
            return
        error = err if isinstance(err, NexusError) else error_for("app_error", f"a handler raised: {err!r}")
        if self._listeners["error"]:
            self.emit("error", error)
        else:
            log.error("[nexus] %s", error, exc_info=err if not isinstance(err, NexusError) else None)
