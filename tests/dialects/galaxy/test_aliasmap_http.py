"""The AliasMap over HTTP: a second URL for an entity, jq transformations both ways, before/after actions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from backoffice.app import create_app
from backoffice.core.auth.service import add_user
from backoffice.core.store import Database
from backoffice.dialects.galaxy.aliasmap import AliasMapError
from backoffice.settings import Settings

ALIASES = """<?xml version="1.0" encoding="utf-8" ?>
<AliasMapConfig>
  <Alias Key="glx::customers" UriName="customers" EntityName="Galaxy:Trader">
    <JQOutgoing>{Code, Name, Contacts: (.ContactPersons | map(.LastName))}</JQOutgoing>
    <JQIncoming>. + {Name: (.Name | ascii_upcase)}</JQIncoming>
    <OnBeforePost>
      <Actions>
        <InvokeAction ClassName="backoffice.dialects.galaxy.sample_actions:require_fields">
          <Properties><Set Prop="Fields" Value="Code;TIN" /></Properties>
        </InvokeAction>
      </Actions>
    </OnBeforePost>
    <OnAfterPost>
      <Actions>
        <InvokeAction ClassName="backoffice.dialects.galaxy.sample_actions:log_saved">
          <Properties><Set Prop="Label" Value="crm-sync" /></Properties>
        </InvokeAction>
      </Actions>
    </OnAfterPost>
    <Relations>
      <Relation Name="documents" ParentAlias="glx::customers" RelationObject="Traders"
                RelationOperation="GetSalesDocuments" ResultObjectBaseURI="/api/glx/entities/salesentry"
                ResultIDField="ID">
        <Parameters>
          <Parameter Name="CompanyID" Type="Profile" />
          <Parameter Name="TraderID" Type="RequestObject" Alias="ID" />
        </Parameters>
      </Relation>
      <Relation Name="contacts" ParentAlias="glx::customers" RelationOperation="GetContacts">
        <Parameters><Parameter Name="TraderID" Type="RequestObject" Alias="ID" /></Parameters>
      </Relation>
      <Relation Name="inbox" ParentAlias="glx::customers" RelationObject="Messenger" RelationOperation="GetMessages">
        <Parameters>
          <Parameter Name="userName" Type="Profile" Alias="UserName" />
          <Parameter Name="computerName" Type="Profile" Alias="UserName" />
        </Parameters>
      </Relation>
    </Relations>
  </Alias>
</AliasMapConfig>
"""


@pytest.fixture
def galaxy(settings: Settings, db: Database) -> Iterator[TestClient]:
    settings.config_dir.mkdir(parents=True, exist_ok=True)
    (settings.config_dir / "AliasMap.xml").write_text(ALIASES, encoding="utf-8")
    with TestClient(create_app(settings, db=db)) as client:
        assert client.get("/auth", params={"username": "Admin", "password": "password"}).status_code == 200
        yield client


def test_an_alias_is_a_second_url_with_its_own_transformations(galaxy: TestClient,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    listed = galaxy.get("/api/glx/entities").json()
    assert {"Domain": "glx", "Name": "customers", "Uri": "/api/glx/entities/customers"} in listed
    key = "0000000061000000001V"
    assert galaxy.get(f"/api/glx/entities/customers/{key}").json() == {
        "Code": "C00001", "Name": "Bayside Hardware Pty Ltd", "Contacts": ["Buyer1", "Payer1"]}
    assert galaxy.get(f"/api/glx/entities/trader/{key}").json()["TIN"] == "51000000001"  # the plain URL is untouched
    assert len(galaxy.get("/api/glx/entities/customers").json()) == 8  # the collection is the trader view

    refused = galaxy.post("/api/glx/entities/customers", json={"Code": "GR0009", "Name": "x"})
    assert refused.status_code == 400 and refused.json()["Message"] == "TIN must be given"
    with caplog.at_level("INFO", logger="backoffice.dialects.galaxy.sample_actions"):
        created = galaxy.post("/api/glx/entities/customers", json={"Code": "GR0009", "Name": "Alpha SA",
                                                                   "TIN": "094014201"})
    assert created.status_code == 200, created.text
    trader = galaxy.get(f"/api/glx/entities/trader/{created.json()['ResourceID']}").json()
    assert trader["Name"] == "ALPHA SA"  # JQIncoming ran before the write
    assert any("crm-sync: POST glx::customers" in r.getMessage() for r in caplog.records)


def test_a_bad_alias_map_stops_the_start(settings: Settings, db: Database) -> None:
    settings.config_dir.mkdir(parents=True, exist_ok=True)
    (settings.config_dir / "AliasMap.xml").write_text(
        '<AliasMapConfig><Alias Key="glx::trader" UriName="trader" EntityName="Galaxy:Trader"/></AliasMapConfig>',
        encoding="utf-8")
    with pytest.raises(AliasMapError, match="already an entity URL"):
        create_app(settings, db=db)


def test_a_relation_is_a_sub_collection_served_by_an_operation(galaxy: TestClient) -> None:
    frank = "4f0c2d6e-0b1a-4c55-8a3e-000000000004"
    documents = galaxy.get(f"/api/glx/entities/customers/{frank}/documents").json()
    assert [d["TRADECODE"] for d in documents] == [  # newest first
        "7010 - ΠΑΡ - 000102", "6100 - Α6100 - 000236", "6201 - A - 002205", "6201 - A - 002204"]
    assert documents[0]["Uri"] == f"/api/glx/entities/salesentry/{documents[0]['ID']}"
    assert galaxy.get(documents[0]["Uri"]).status_code == 200
    contacts = galaxy.get("/api/glx/entities/customers/0000000061000000001V/contacts").json()
    assert [c["LastName"] for c in contacts] == ["Buyer1", "Payer1"] and "Uri" not in contacts[0]
    assert galaxy.get(f"/api/glx/entities/customers/{frank}/nope").status_code == 404
    assert galaxy.get(f"/api/glx/entities/trader/{frank}/documents").status_code == 404  # only through the alias
    assert galaxy.get("/api/glx/entities/customers/no-such/documents").status_code == 404


def test_a_relation_naming_an_unknown_operation_stops_the_start(settings: Settings, db: Database) -> None:
    settings.config_dir.mkdir(parents=True, exist_ok=True)
    (settings.config_dir / "AliasMap.xml").write_text(
        '<AliasMapConfig><Alias Key="glx::customers" UriName="customers" EntityName="Galaxy:Trader"><Relations>'
        '<Relation Name="x" RelationOperation="GetNothing"/></Relations></Alias></AliasMapConfig>', encoding="utf-8")
    with pytest.raises(AliasMapError, match="GetNothing"):
        create_app(settings, db=db)


def test_relations_keep_the_operations_permissions_and_writes(galaxy: TestClient, db: Database) -> None:
    frank = "4f0c2d6e-0b1a-4c55-8a3e-000000000004"
    galaxy.post("/api/glx/services/messenger/sendmessage", json={
        "message": "hello", "fromUser": "Admin", "toUsers": ["Sarah"], "conversationID": None})
    galaxy.cookies.clear()
    galaxy.get("/auth", params={"username": "Sarah", "password": "sarah-password"})
    assert [m["Message"] for m in galaxy.get(f"/api/glx/entities/customers/{frank}/inbox").json()] == ["hello"]
    assert galaxy.get(f"/api/glx/entities/customers/{frank}/inbox").json() == []  # collected: it wrote
    with db.write() as conn:
        add_user(conn, "Low", "low-password", permissions=["Galaxy.Use", "Debtor.Get"])
    galaxy.cookies.clear()
    galaxy.get("/auth", params={"username": "Low", "password": "low-password"})
    assert galaxy.get(f"/api/glx/entities/customers/{frank}/documents").status_code == 403
    assert galaxy.get(f"/api/glx/entities/customers/{frank}/inbox").status_code == 403
