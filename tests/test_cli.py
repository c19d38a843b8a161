"""The backoffice command: users, keys, and the database it prepares."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient
from typer.testing import CliRunner

from backoffice.app import create_app
from backoffice.cli import app
from backoffice.settings import Settings

runner = CliRunner()


def test_users_and_keys_through_the_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert runner.invoke(app, ["demo", "--database", url]).exit_code == 0
    added = runner.invoke(app, ["users", "add", "clerk", "--password", "s3cret", "--allow", "Debtor.Get",
                                "--database", url])
    assert added.exit_code == 0, added.output
    created = runner.invoke(app, ["keys", "create", "--debtor", "C00001", "--expires", "2099-12-31",
                                  "--database", url])
    assert created.exit_code == 0, created.output
    key = created.output.split(": ", 1)[1].split()[0]
    listed = runner.invoke(app, ["keys", "list", "--database", url])
    assert "debtor" in listed.output and key not in listed.output
    with TestClient(create_app(Settings(database_url=url, run_worker=False))) as client:
        assert client.get("/Debtors", headers={"Authorization": f"Bearer {key}"}).json()["AccountNo"] == "C00001"
        clerk = client.get("/auth", params={"username": "CLERK", "password": "s3cret"})
        assert clerk.status_code == 200
        assert client.get("/Debtors/0000000061000000001V").status_code == 200
        assert client.get("/SalesOrders/babce67cdbf64f778536").status_code == 403
        assert runner.invoke(app, ["keys", "revoke", key, "--database", url]).exit_code == 0
        assert client.get("/Debtors", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    unknown = runner.invoke(app, ["keys", "create", "--staff", "nobody", "--database", url])
    assert unknown.exit_code == 1 and "No staff member" in unknown.output


def test_a_database_that_does_not_match_the_schema_is_refused(tmp_path: Path) -> None:
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'old.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--database", url]).exit_code == 0
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # as if an older build had made this table differently
        conn.execute(sa.text("ALTER TABLE debtor DROP COLUMN fax"))
    engine.dispose()
    refused = runner.invoke(app, ["db", "upgrade", "--database", url])
    assert refused.exit_code == 1 and "does not match" in refused.output


def test_serve_refuses_a_bad_configuration_file_clearly(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "WebService.config").write_text("<WebService><Config><AccessControl><AccessRule Type=\"Nope\">"
                                              "1.2.3.4</AccessRule></AccessControl></Config></WebService>")
    result = CliRunner().invoke(app, ["serve"], env={"BACKOFFICE_VAR_DIR": str(tmp_path),
                                                     "BACKOFFICE_CONFIG_DIR": str(config)})
    assert result.exit_code == 1
    assert "Cannot start" in result.output and "WebService.config" in result.output


def test_export_and_import_through_the_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert runner.invoke(app, ["demo", "--database", url]).exit_code == 0
    exported = runner.invoke(app, ["export", "MajorGroup", "--org", "DEMO", "--filter", "1-3", "--database", url])
    assert exported.exit_code == 0, exported.output
    lines = exported.stdout.splitlines()
    assert lines[0] == "Id,ObjectNumber,HierarchyId,Name,ReportGroup"
    assert [line.split(",")[3] for line in lines[1:]] == ["Food", "Beverage", "Retail"]
    assert "Complete (4); 3 rows" in exported.stderr
    enterprise = lines[1].split(",")[2]
    rows = [f",{700 + n},{enterprise},Group {n},{n}" for n in range(12)] + [f",800,{enterprise},Broken,x"]
    source = tmp_path / "groups.csv"
    source.write_text("\r\n".join([lines[0], *rows]) + "\r\n", encoding="utf-8")
    imported = runner.invoke(app, ["import", "MajorGroup", str(source), "--org", "DEMO", "--database", url])
    assert imported.exit_code == 0, imported.output
    assert "CompletedWithErrors (5); 13 rows, 1 failed" in imported.stderr
    assert "Failed rows" in imported.stderr and "ReportGroup" in imported.stderr
    again = runner.invoke(app, ["export", "MajorGroup", "--org", "DEMO", "--filter", "700-800", "--database", url])
    assert len(again.stdout.splitlines()) == 13
    unknown = runner.invoke(app, ["export", "MajorGroup", "--org", "NOWHERE", "--database", url])
    assert unknown.exit_code == 1


def test_the_command_runs_only_its_own_request(tmp_path: Path) -> None:
    from backoffice.core.auth import tokens
    from backoffice.core.jobs import requests
    from backoffice.core.store import Database

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert runner.invoke(app, ["demo", "--database", url]).exit_code == 0
    db = Database(url)
    with db.write() as conn:
        waiting, _ = requests.submit(conn, tokens.member_principal(conn, "DEMO"),
                                     requests.RequestSpec(requests.EXPORT, "Role"))
    exported = runner.invoke(app, ["export", "Discount", "--org", "DEMO", "--database", url])
    assert exported.exit_code == 0, exported.output
    with db.read() as conn:
        # Another client's request is left for the server's worker.
        assert requests.get(conn, tokens.member_principal(conn, "DEMO"), waiting).status == requests.RECEIVED
    db.dispose()


def test_a_soap_key_through_the_command(tmp_path: Path) -> None:
    from backoffice.core.auth import signing
    from backoffice.core.clock import moved_to
    from backoffice.demo.events import ALEX_EMAIL, CONTACT_PASSWORDS

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {"BACKOFFICE_VAR_DIR": str(tmp_path)}
    assert runner.invoke(app, ["demo", "--database", url], env=env).exit_code == 0
    created = runner.invoke(app, ["keys", "create", "--soap", "--database", url], env=env)
    assert created.exit_code == 0, created.output
    lines = dict(line.split(":", 1) for line in created.output.splitlines() if ":" in line and " key" in line)
    api_key, secret = lines["API key"].strip(), lines["Secret key"].strip()
    assert "acting as Admin" in created.output
    listed = runner.invoke(app, ["keys", "list", "--database", url], env=env)
    assert "soap" in listed.output and api_key not in listed.output and secret not in listed.output
    when = "2026-03-02T12:00:00.000Z"
    envelope = (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header>'
        '<AuthenticationHeader xmlns="https://developer.sym-online.com/API/1_0/SOAP/">'
        f'<Timestamp>{when}</Timestamp><Operation>CheckLogOn</Operation>'
        f'<Signature>{signing.signature(secret, "CheckLogOn", when)}</Signature><APIKey>{api_key}</APIKey>'
        '</AuthenticationHeader></soap:Header><soap:Body>'
        '<CheckLogOn xmlns="https://developer.sym-online.com/API/1_0/SOAP/">'
        f'<emailAddress>{ALEX_EMAIL}</emailAddress><password>{CONTACT_PASSWORDS[ALEX_EMAIL]}</password>'
        '</CheckLogOn></soap:Body></soap:Envelope>')
    settings = Settings(database_url=url, var_dir=tmp_path, run_worker=False)
    with moved_to(signing.parse_timestamp(when)), TestClient(create_app(settings)) as client:
        answer = client.post("/API/1_0/SOAP/SymphonyAPI.asmx", content=envelope,
                             headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": "https://developer.sym-online.com/API/1_0/SOAP/CheckLogOn"})
        assert answer.status_code == 200 and "<ContactID>1001</ContactID>" in answer.text, answer.text
        # The API key alone opens nothing else.
        assert client.get("/Debtors", headers={"Authorization": f"Bearer {api_key}"}).status_code == 401
