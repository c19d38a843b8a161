"""The API configuration file over HTTP: signed logins (X-Signature) and client address rules."""

from __future__ import annotations

import base64
import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from starlette.testclient import TestClient

from backoffice.app import create_app
from backoffice.core.auth.access import AccessConfigError
from backoffice.core.store import Database
from backoffice.settings import Settings
from tests.conftest import _free_port


def _key_and_certificate() -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "integrator")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=365)).sign(key, hashes.SHA256()))
    return key, cert.public_bytes(serialization.Encoding.PEM).decode()


def _sign(key: rsa.RSAPrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()


def _write_config(settings: Settings, rules: str) -> None:
    settings.config_dir.mkdir(parents=True, exist_ok=True)
    (settings.config_dir / "WebService.config").write_text(
        f"<WebService><Config><AccessControl>{rules}</AccessControl></Config></WebService>", encoding="utf-8")


@pytest.fixture
def signing_key(settings: Settings) -> rsa.RSAPrivateKey:
    key, pem = _key_and_certificate()
    _write_config(settings, f'<AccessRule Type="PublicKey">\n{pem}</AccessRule>')
    return key


@pytest.fixture
def signed_client(signing_key: rsa.RSAPrivateKey, settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings, db=db)) as test_client:
        yield test_client


def test_a_post_login_must_be_signed_over_its_payload(signed_client: TestClient,
                                                      signing_key: rsa.RSAPrivateKey) -> None:
    body = b'{"username":"Admin","password":"password"}'
    headers = {"Content-Type": "application/json"}
    unsigned = signed_client.post("/auth", content=body, headers=headers)
    assert unsigned.status_code == 401
    other_key, _ = _key_and_certificate()
    forged = signed_client.post("/auth", content=body, headers={**headers, "X-Signature": _sign(other_key, body)})
    assert forged.status_code == 401
    signed = signed_client.post("/auth", content=body, headers={**headers, "X-Signature": _sign(signing_key, body)})
    assert signed.status_code == 200, signed.text
    assert signed_client.get("/api/glx/enums").status_code == 200


def test_a_get_login_is_signed_over_its_uri(signed_client: TestClient, signing_key: rsa.RSAPrivateKey) -> None:
    uri = "/auth?username=Admin&password=password"
    assert signed_client.get(uri).status_code == 401
    tampered = signed_client.get("/auth?username=Admin&password=other",
                                 headers={"X-Signature": _sign(signing_key, uri.encode())})
    assert tampered.status_code == 401
    answer = signed_client.get(uri, headers={"X-Signature": _sign(signing_key, uri.encode())})
    assert answer.status_code == 200 and answer.json()["SessionId"]


def test_client_address_rules_refuse_with_403_and_reload_on_change(settings: Settings, db: Database) -> None:
    _write_config(settings, '<AccessRule Type="ClientIP" Access="Deny">10.0.0.0/8</AccessRule>')
    app = create_app(settings, db=db)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.02)
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/auth", params={"username": "Admin", "password": "password"}).status_code == 200
        _write_config(settings, '<AccessRule Type="ClientIP" Access="Allow">85.20.1.100,\n 102.76.*</AccessRule>')
        time.sleep(1.2)  # the file is looked at again at most once a second
        refused = httpx.get(f"{base}/api/glx/enums")
        assert refused.status_code == 403
        assert refused.json()["Message"] == "Access denied by security policy"
        _write_config(settings, '<AccessRule Type="ClientIP" Access="Bogus">1.2.3.4</AccessRule>')
        time.sleep(1.2)  # a bad edit is logged and the last good rules stay in force
        assert httpx.get(f"{base}/api/glx/enums").status_code == 403
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_a_bad_configuration_file_stops_the_start(settings: Settings, db: Database) -> None:
    _write_config(settings, '<AccessRule Type="ClientIP" Access="Maybe">1.2.3.4</AccessRule>')
    with pytest.raises(AccessConfigError) as raised:
        create_app(settings, db=db)
    assert "WebService.config" in str(raised.value) and "Maybe" in str(raised.value)


def test_no_configuration_file_means_no_rules(settings: Settings, db: Database, tmp_path: Path) -> None:
    assert not (settings.config_dir / "WebService.config").exists()
    with TestClient(create_app(settings, db=db)) as client:
        assert client.get("/auth", params={"username": "Admin", "password": "password"}).status_code == 200
