"""Calls per second through the Synergist XML/JSON API, by hand, never in CI.

    .venv/bin/python bench/synergist.py [--calls 500] [--database URL]

A uvicorn server on the demo data, and one client on a keep-alive connection sending requests one
after another, as a Synergist client does (user and password with each, or a session). Figures: calls
per second and the median and 95th-percentile latency in milliseconds, per kind of call.
"""

from __future__ import annotations

import argparse
import json

import requests
from one_client import demo_server, time_calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    with demo_server(args.database) as server:
        base, db = server.base, server.db
        login = {"user": "Admin", "password": "password", "version": "3"}
        print(f"{args.calls} calls each, {'SQLite' if db.is_sqlite else 'PostgreSQL'}, one client, keep-alive")
        with requests.Session() as client:
            session = client.get(f"{base}/jsonapi/users.json", params={**login, "action": "newsession"}).json()
            by_session = {"session": session["data"][0]["session"], "version": "3"}
            time_calls("clients.json, 20 rows (password each call)", args.calls, lambda: client.get(
                f"{base}/jsonapi/clients.json", params={**login, "rows": 20}))
            time_calls("clients.json, 20 rows (session)", args.calls, lambda: client.get(
                f"{base}/jsonapi/clients.json", params={**by_session, "rows": 20}))
            time_calls("xmlapi clients.xml, 20 rows (session)", args.calls, lambda: client.get(
                f"{base}/xmlapi/clients.xml", params={**by_session, "rows": 20}))
            time_calls("jobs.json job details (session)", args.calls, lambda: client.get(
                f"{base}/jsonapi/jobs.json", params={**by_session, "company": 1, "job": "1/00000510"}))
            time_calls("tspending.json list, status W (session)", args.calls, lambda: client.get(
                f"{base}/jsonapi/tspending.json", params={**by_session, "company": 1, "status": "W"}))
            row = {"tspJobAndPhase": "1/00000511.002", "tspTimeDate": "2026-11-19", "tspChargeCode": "1/ART",
                   "tspHoursNormal": 0.25}
            time_calls("tspending.json create, one row (session)", args.calls // 5, lambda: client.get(
                f"{base}/jsonapi/tspending.json", params={**by_session, "action": "create",
                                                           "input": json.dumps({"data": [row]})}))

if __name__ == "__main__":
    main()
