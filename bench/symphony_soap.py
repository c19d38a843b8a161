"""Calls per second through the Symphony SOAP API (SymphonyAPI.asmx), by hand, never in CI.

    .venv/bin/python bench/symphony_soap.py [--calls 500] [--database URL]

A uvicorn server on the demo data, and one client on a keep-alive connection sending signed
requests one after another (each with its own timestamp, as clients must). Figures: calls per
second and the median and 95th-percentile latency in milliseconds, per kind of call.
"""

from __future__ import annotations

import argparse
from datetime import timedelta

import requests
from one_client import demo_server, time_calls

from backoffice.core.auth import signing
from backoffice.core.clock import now

PATH = "/API/1_0/SOAP/SymphonyAPI.asmx"
NS = "https://developer.sym-online.com/API/1_0/SOAP/"



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



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    with demo_server(args.database) as server:
        with server.db.write() as conn:
            key = signing.create_soap_key(conn, server.settings.master_key())
        sign = Signer(key)
        base, db = server.base, server.db
        soap11 = {"Content-Type": "text/xml; charset=utf-8"}
        print(f"{args.calls} calls each, {'SQLite' if db.is_sqlite else 'PostgreSQL'}, one client, keep-alive")
        with requests.Session() as client:
            time_calls("GET ?WSDL (no signature)", args.calls // 5,
                       lambda: client.get(f"{base}{PATH}?WSDL", timeout=30))
            time_calls("SOAP 1.1 GetBooking (3 attendees)", args.calls, lambda: client.post(
                base + PATH, data=sign.envelope("GetBooking", "<bookingId>1</bookingId>"),
                headers={**soap11, "SOAPAction": f'"{NS}GetBooking"'}))
            time_calls("HTTP GET GetTicketTypes2", args.calls, lambda: client.get(
                f"{base}{PATH}/GetTicketTypes2", params={"eventId": 101, **sign.header("GetTicketTypes2")}))
            time_calls("SOAP 1.1 CheckLogOn (Argon2 verify)", args.calls // 5, lambda: client.post(
                base + PATH, data=sign.envelope(
                    "CheckLogOn", "<emailAddress>alex@c00001.example.com</emailAddress>"
                                  "<password>alex-password</password>"),
                headers={**soap11, "SOAPAction": f'"{NS}CheckLogOn"'}))
            time_calls("SOAP 1.1 SubmitSimpleBooking2 (writes, mails)", args.calls // 5, lambda: client.post(
                base + PATH, data=sign.envelope(
                    "SubmitSimpleBooking2", "<eventid>101</eventid><attendeeTypeId>201</attendeeTypeId>"
                                            "<ticketTypeId>301</ticketTypeId><contactId>1003</contactId>"),
                headers={**soap11, "SOAPAction": f'"{NS}SubmitSimpleBooking2"'}))

if __name__ == "__main__":
    main()
