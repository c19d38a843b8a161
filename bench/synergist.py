"""Calls per second through the Synergist XML/JSON API, by hand, never in CI.

    .venv/bin/python bench/synergist.py [--calls 500] [--database URL]

A uvicorn server on the demo data, and one client on a keep-alive connection sending requests one
after another, as a Synergist client does (user and password with each, or a session). Figures: calls
per second and the median and 95th-percentile latency in milliseconds, per kind of call.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests
import uvicorn

from backoffice.app import create_app
from backoffice.bootstrap import prepare_database
from backoffice.core.store import Database
from backoffice.settings import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _time(label: str, calls: int, call: Callable[[], requests.Response]) -> None:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
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
        base = f"http://127.0.0.1:{port}"
        login = {"user": "Admin", "password": "password", "version": "3"}
        print(f"{args.calls} calls each, {'SQLite' if db.is_sqlite else 'PostgreSQL'}, one client, keep-alive")
        with requests.Session() as client:
            session = client.get(f"{base}/jsonapi/users.json", params={**login, "action": "newsession"}).json()
            by_session = {"session": session["data"][0]["session"], "version": "3"}
            _time("clients.json, 20 rows (password each call)", args.calls, lambda: client.get(
                f"{base}/jsonapi/clients.json", params={**login, "rows": 20}))
            _time("clients.json, 20 rows (session)", args.calls, lambda: client.get(
                f"{base}/jsonapi/clients.json", params={**by_session, "rows": 20}))
            _time("xmlapi clients.xml, 20 rows (session)", args.calls, lambda: client.get(
                f"{base}/xmlapi/clients.xml", params={**by_session, "rows": 20}))
            _time("jobs.json job details (session)", args.calls, lambda: client.get(
                f"{base}/jsonapi/jobs.json", params={**by_session, "company": 1, "job": "1/00000510"}))
            _time("tspending.json list, status W (session)", args.calls, lambda: client.get(
                f"{base}/jsonapi/tspending.json", params={**by_session, "company": 1, "status": "W"}))
            row = {"tspJobAndPhase": "1/00000511.002", "tspTimeDate": "2026-11-19", "tspChargeCode": "1/ART",
                   "tspHoursNormal": 0.25}
            _time("tspending.json create, one row (session)", args.calls // 5, lambda: client.get(
                f"{base}/jsonapi/tspending.json", params={**by_session, "action": "create",
                                                           "input": json.dumps({"data": [row]})}))
        server.should_exit = True
        thread.join()
        db.dispose()


if __name__ == "__main__":
    main()
