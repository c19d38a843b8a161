"""`backoffice serve` for real: several server processes on one database, as deployed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(db_url: str, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    command = [sys.executable, "-m", "backoffice", "serve", "--database", db_url, "--port", str(port),
               "--workers", "2", "--no-worker"]
    env = {**os.environ, "BACKOFFICE_VAR_DIR": str(tmp_path)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(f"{base}/metadata", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {process.stdout.read() if process.stdout else ''}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_two_processes_share_sessions_held_records_and_data(served: str) -> None:
    with httpx.Client(base_url=served, timeout=10) as client:
        session_id = client.get("/auth", params={"username": "Admin", "password": "password"}).json()["SessionId"]
        headers = {"X-ss-id": session_id, "jiwa-stateful": "true"}
        # New connections land on either process; every one must know the session and the held record.
        client.patch("/Debtors/0000000061000000003V", json={"Name": "Held across processes"}, headers=headers)
        for _ in range(12):
            with httpx.Client(base_url=served, timeout=10) as fresh:
                held = fresh.get("/Debtors/0000000061000000003V", headers=headers)
                assert held.status_code == 200 and held.json()["Name"] == "Held across processes"
        assert client.get("/Debtors/Save", params={"DebtorID": "0000000061000000003V"},
                          headers=headers).status_code == 200
        for _ in range(6):
            with httpx.Client(base_url=served, timeout=10) as fresh:
                stored = fresh.get("/Debtors/0000000061000000003V", headers={"X-ss-id": session_id})
                assert stored.json()["Name"] == "Held across processes"
