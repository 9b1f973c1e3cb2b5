"""The real local stack (``npm start``) for the tests: free ports, its own data directory, stopped by pid."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
CONSOLE_LINE = re.compile(r"^\s*console\s+(http://[\d.]+:(\d+))/\s*$")
START_TIMEOUT_S = 120.0


class LocalStack:
    """``npm start`` in its own process group; ``restart()`` kills it and starts it again on the same port
    and data directory (an edge restart as an operator does it). ``vars`` are ``NEXUS_*`` settings for the edge
    (``npm start`` hands them over), e.g. tighter limits for one test's own stack."""

    def __init__(self, vars: dict[str, str] | None = None) -> None:
        self.vars = dict(vars or {})
        self.data_dir = tempfile.mkdtemp(prefix="nexus-py-")
        self.admin_key = secrets.token_hex(16)
        self.jwt_secret = secrets.token_hex(32)
        self.port = 0
        self.url = ""
        self._proc: subprocess.Popen[str] | None = None
        self._log: list[str] = []
        self._apps = 0

    def start(self) -> None:
        env = {
            **os.environ,
            **self.vars,
            "NEXUS_PORT": str(self.port),
            "NEXUS_MQTT_PORT": "0",
            "NEXUS_DATA_DIR": self.data_dir,
            "NEXUS_ADMIN_KEY": self.admin_key,
            "NEXUS_JWT_SECRET": self.jwt_secret,
            "CLOUDFLARE_CF_FETCH_ENABLED": "false",
            "WRANGLER_SEND_METRICS": "false",
        }
        self._proc = subprocess.Popen(
            ["npm", "start"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,  # its own process group: stop() ends npm, node and workerd together
        )
        found = threading.Event()
        proc = self._proc

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                self._log.append(line)
                m = CONSOLE_LINE.match(line)
                if m and not found.is_set():
                    self.url, self.port = m.group(1), int(m.group(2))
                    found.set()

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not found.wait(0.1):
            if proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("npm start did not come up:\n" + "".join(self._log[-40:]))
        status, _ = self.http("GET", "/healthz")
        if status != 200:
            raise RuntimeError(f"/healthz answered {status}")

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # Whatever of the group outlived npm (workerd) goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

    def restart(self) -> None:
        """Kills the stack and starts it again on the same port and data directory."""
        self.stop()
        self.start()

    def http(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("content-type", "application/json")
        if token is not None:
            request.add_header("authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as res:
                text = res.read().decode()
                return res.status, json.loads(text) if text else None
        except urllib.error.HTTPError as err:
            text = err.read().decode()
            return err.code, json.loads(text) if text.startswith("{") else text

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = self.http(method, path, body, token=self.admin_key)
        if status != 200:
            raise RuntimeError(f"{method} {path}: {status} {answer}")
        return answer

    def new_app(self, owner: str | None = None) -> tuple[str, str]:
        """Creates a fresh app owned by a fresh uid (or ``owner``); returns ``(app, owner)``."""
        self._apps += 1
        owner = owner or new_uid()
        app = f"py-app-{os.getpid()}-{self._apps}"
        self.admin("PUT", f"/v1/admin/apps/{app}", {"owner": owner})
        return app, owner

    def token(self, uid: str, app: str, **claims: Any) -> str:
        answer = self.admin("POST", "/v1/admin/tokens", {"uid": uid, "app": app, **claims})
        return str(answer["token"])


def new_uid() -> str:
    """A fresh 24-hex uid, as QE's ObjectIds."""
    return secrets.token_hex(12)


@contextlib.contextmanager
def running_stack(vars: dict[str, str] | None = None) -> Iterator[LocalStack]:
    """A started ``LocalStack`` (with ``vars``), stopped by process group on the way out, even on failure."""
    local = LocalStack(vars)
    try:
        local.start()
        yield local
    finally:
        local.stop()
