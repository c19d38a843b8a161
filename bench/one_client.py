"""What the one-client API benches share: a uvicorn server on a fresh demo database in this process,
and the timing of calls sent one after another."""

from __future__ import annotations

import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
import uvicorn

from backoffice.app import create_app
from backoffice.bootstrap import prepare_database
from backoffice.core.store import Database
from backoffice.settings import Settings


@dataclass(frozen=True)
class DemoServer:
    base: str  # http://127.0.0.1:<port>
    db: Database
    settings: Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def demo_server(database_url: str = "") -> Iterator[DemoServer]:
    """The app on the demo data (a new SQLite file unless ``database_url`` names an empty database)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        db = Database(url)
        prepare_database(db)
        settings = Settings(database_url=url, var_dir=Path(tmp), run_worker=False)
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(settings, db=db), host="127.0.0.1", port=port,
                                               log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            yield DemoServer(f"http://127.0.0.1:{port}", db, settings)
        finally:
            server.should_exit = True
            thread.join()
            db.dispose()


def time_calls(label: str, calls: int, call: Callable[[], requests.Response]) -> None:
    """Send ``calls`` calls one after another; print calls per second and the median and 95th-percentile
    latency. Any answer but 200 stops the bench."""
    latencies = []
    started = time.perf_counter()
    for _ in range(calls):
        t = time.perf_counter()
        response = call()
        latencies.append((time.perf_counter() - t) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{label}: {response.status_code} {response.text[:300]}")
    seconds = time.perf_counter() - started
    latencies.sort()
    print(f"{label:<52} {calls / seconds:8.0f} calls/s   median {statistics.median(latencies):6.1f} ms"
          f"   p95 {latencies[int(len(latencies) * 0.95) - 1]:6.1f} ms")
