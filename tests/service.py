"""The reference service (examples/service) run as a real server, for tests and benchmarks.

``running_service()`` starts ``uvicorn ceu_service:app`` in a subprocess on
127.0.0.1 (loopback only) and a free port, waits until it answers, and stops it
on exit. ``small_member(i)`` is the i-th member of a deterministic roster of
small members (1-3 records), cheap to evaluate.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

SERVICE_DIR = Path(__file__).resolve().parent.parent / "examples" / "service"
HOST = "127.0.0.1"
START_SECONDS = 60.0
STOP_SECONDS = 15.0


@dataclass(frozen=True)
class Service:
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def running_service(
    env: Mapping[str, str] | None = None, *, launcher: str | None = None
) -> Iterator[Service]:
    """A service on 127.0.0.1, stopped on exit; ``env`` adds ``CEU_SERVICE_*`` settings.

    ``launcher`` is Python code to run instead of the uvicorn command, with
    ``PORT`` and ``SERVICE_DIR`` defined (the tests use it to inject failures).
    """
    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch) / "service.log"
        port = _free_port()
        if launcher is None:
            command = [
                sys.executable, "-m", "uvicorn", "--app-dir", str(SERVICE_DIR),
                "--host", HOST, "--port", str(port), "--no-access-log", "ceu_service:app",
            ]  # fmt: skip
        else:
            prelude = f"PORT = {port}\nSERVICE_DIR = {str(SERVICE_DIR)!r}\n"
            command = [sys.executable, "-c", prelude + launcher]
        with log.open("wb") as sink:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
            )
        try:
            service = Service(port, log)
            _wait_until_up(service, process)
            yield service
        finally:
            process.terminate()
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_SECONDS)


def _wait_until_up(service: Service, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the service exited ({process.returncode}):\n{service.log_text()}")
        try:
            if httpx.get(f"{service.url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"the service did not answer within {START_SECONDS} s:\n{service.log_text()}"
    )


CORE = ("CPC", "COC", "CIC", "CRC", "CPB")
ACTIVITIES = ("webinar", "course", "conference", "self_study")


def small_member(i: int) -> dict[str, Any]:
    """Member ``S-i``: one core credential and 1-3 records, the same for the same ``i``."""
    due = dt.date(2027, 1 + i % 12, 1) - dt.timedelta(days=1)
    records = []
    for n in range(1 + i % 3):
        big = n == 0 and i % 4 == 0  # enough for a compliant member, when it counts
        activity = "conference" if big else ACTIVITIES[(i + n) % len(ACTIVITIES)]
        record: dict[str, Any] = {
            "id": f"r{n}",
            "date": (due - dt.timedelta(days=30 + 97 * n + i % 400)).isoformat(),
            "ceus": "40" if big else f"{1 + (i * 7 + n) % 12}.{(i + n) % 4 * 25}",
            "activity": activity,
            "provider": "AAPC",
            "index_number": f"AAPC-{i}-{n}",
        }
        if activity == "webinar":
            record["quiz_passed"] = (i + n) % 5 != 0
        records.append(record)
    return {
        "member_id": f"S-{i}",
        "renewal_due": due.isoformat(),
        "credentials": [{"code": CORE[i % len(CORE)], "earned": f"{2012 + i % 9}-05-14"}],
        "records": records,
    }
