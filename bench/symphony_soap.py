"""Calls per second through the Symphony SOAP API (SymphonyAPI.asmx), by hand, never in CI.

    .venv/bin/python bench/symphony_soap.py [--calls 500] [--database URL]

A uvicorn server on the demo data, and one client on a keep-alive connection sending signed
requests one after another (each with its own timestamp, as clients must). Figures: calls per
second and the median and 95th-percentile latency in milliseconds, per kind of call.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import requests
import uvicorn

from backoffice.app import create_app
from backoffice.bootstrap import prepare_database
from backoffice.core.auth import signing
from backoffice.core.clock import now
from backoffice.core.store import Database
from backoffice.settings import Settings

PATH = "/API/1_0/SOAP/SymphonyAPI.asmx"
NS = "https://developer.sym-online.com/API/1_0/SOAP/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Signer:
    def __init__(self, key: signing.IssuedSoapKey) -> None:
        self.key = key
        self.start = now()
        self.sent = 0

    def header(self, operation: str) -> dict[str, str]:
        # A millisecond apart each, so no two calls share a signature even when they are faster.
        self.sent += 1
        ts = signing.utc_timestamp(self.start + timedelta(milliseconds=self.sent))
        return {"Timestamp": ts, "Operation": operation, "APIKey": self.key.api_key,
                "Signature": signing.signature(self.key.secret_key, operation, ts)}

    def envelope(self, operation: str, body: str) -> str:
        auth = "".join(f"<{k}>{v}</{k}>" for k, v in self.header(operation).items())
        return ('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header>'
                f'<AuthenticationHeader xmlns="{NS}">{auth}</AuthenticationHeader></soap:Header><soap:Body>'
                f'<{operation} xmlns="{NS}">{body}</{operation}></soap:Body></soap:Envelope>')


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
    print(f"{label:<44} {calls / seconds:8.0f} calls/s   median {statistics.median(latencies):6.1f} ms"
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
        with db.write() as conn:
            key = signing.create_soap_key(conn, settings.master_key())
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(settings, db=db), host="127.0.0.1", port=port,
                                               log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        sign = Signer(key)
        base = f"http://127.0.0.1:{port}"
        soap11 = {"Content-Type": "text/xml; charset=utf-8"}
        print(f"{args.calls} calls each, {'SQLite' if db.is_sqlite else 'PostgreSQL'}, one client, keep-alive")
        with requests.Session() as client:
            _time("GET ?WSDL (no signature)", args.calls // 5, lambda: client.get(f"{base}{PATH}?WSDL", timeout=30))
            _time("SOAP 1.1 GetBooking (3 attendees)", args.calls, lambda: client.post(
                base + PATH, data=sign.envelope("GetBooking", "<bookingId>1</bookingId>"),
                headers={**soap11, "SOAPAction": f'"{NS}GetBooking"'}))
            _time("HTTP GET GetTicketTypes2", args.calls, lambda: client.get(
                f"{base}{PATH}/GetTicketTypes2", params={"eventId": 101, **sign.header("GetTicketTypes2")}))
            _time("SOAP 1.1 CheckLogOn (Argon2 verify)", args.calls // 5, lambda: client.post(
                base + PATH, data=sign.envelope(
                    "CheckLogOn", "<emailAddress>alex@c00001.example.com</emailAddress>"
                                  "<password>alex-password</password>"),
                headers={**soap11, "SOAPAction": f'"{NS}CheckLogOn"'}))
            _time("SOAP 1.1 SubmitSimpleBooking2 (writes, mails)", args.calls // 5, lambda: client.post(
                base + PATH, data=sign.envelope(
                    "SubmitSimpleBooking2", "<eventid>101</eventid><attendeeTypeId>201</attendeeTypeId>"
                                            "<ticketTypeId>301</ticketTypeId><contactId>1003</contactId>"),
                headers={**soap11, "SOAPAction": f'"{NS}SubmitSimpleBooking2"'}))
        server.should_exit = True
        thread.join()
        db.dispose()


if __name__ == "__main__":
    main()
