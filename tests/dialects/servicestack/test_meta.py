"""/metadata, /openapi and /types/{language}, spoken to over HTTP as browsers, Swagger tools and
"Add ServiceStack Reference" clients do."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from starlette.testclient import TestClient

DEBTOR = "0000000061000000001V"
ORDER = "babce67cdbf64f778536"
# The python client reads only camelCase JSON; Jiwa writes PascalCase unless a request asks.
CAMEL = {"jsconfig": "TextCase:CamelCase"}


# --- /metadata -------------------------------------------------------------------------------


def test_metadata_lists_every_operation_without_authentication(client: TestClient) -> None:
    response = client.get("/metadata")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for name in ("SalesOrderPATCHRequest", "DebtorGETRequest", "SO_MainQuery", "Authenticate"):
        assert f'href="/json/metadata?op={name}"' in page
    assert "/SalesOrders/{InvoiceID}" in page and "PATCH" in page
    assert "Updates a SalesOrder." in page and "Requires Authentication" in page
    # The metadata services do not describe themselves.
    assert "OpenApiSpecification" not in page


def test_operation_page_shows_parameters_and_samples(client: TestClient) -> None:
    page = client.get("/json/metadata", params={"op": "SalesOrderPATCHRequest"}).text
    assert "&lt;back to all web services" in page and "Requires Authentication" in page
    assert "<th>Name</th><th>Parameter</th><th>Data Type</th><th>Required</th>" in page
    assert "<tr><td>InvoiceID</td><td>path</td><td>string</td><td>Yes</td>" in page
    assert "<tr><td>OrderNo</td><td>body</td><td>string</td><td>No</td>" in page
    assert "POST /json/reply/SalesOrderPATCHRequest HTTP/1.1" in page
    assert "&quot;OrderNo&quot;: &quot;String&quot;" in page

    get_page = client.get("/json/metadata?op=DebtorGETRequest").text
    assert "<tr><td>DebtorID</td><td>path</td>" in get_page

    xml_page = client.get("/xml/metadata?op=DebtorGETRequest").text
    assert "&lt;DebtorID&gt;String&lt;/DebtorID&gt;" in xml_page
    assert "Content-Type: application/xml" in xml_page


def test_operation_page_for_unknown_operation_is_not_found(client: TestClient) -> None:
    response = client.get("/json/metadata?op=NoSuchRequest", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json()["ResponseStatus"]["ErrorCode"] == "NotFound"


def test_metadata_escapes_html(client: TestClient) -> None:
    response = client.get("/json/metadata", params={"op": "<script>alert(1)</script>"},
                          headers={"Accept": "text/html"})
    assert "<script>alert(1)</script>" not in response.text


# --- /openapi ----------------------------------------------------------------------------------


def _check_swagger(spec: dict[str, Any]) -> None:
    """Swagger 2.0's structural rules, for when openapi-spec-validator is not installed."""
    assert spec["swagger"] == "2.0"
    assert spec["info"]["title"] and spec["info"]["version"]
    assert isinstance(spec["paths"], dict) and spec["paths"]
    definitions = spec["definitions"]
    security = spec["securityDefinitions"]

    def check_schema(schema: dict[str, Any]) -> None:
        if "$ref" in schema:
            assert schema["$ref"].startswith("#/definitions/")
            assert schema["$ref"].removeprefix("#/definitions/") in definitions, schema["$ref"]
            return
        assert schema.get("type") in ("object", "array", "string", "integer", "number", "boolean"), schema
        if schema["type"] == "array":
            check_schema(schema["items"])
        for prop in schema.get("properties", {}).values():
            check_schema(prop)
        if isinstance(schema.get("additionalProperties"), dict):
            check_schema(schema["additionalProperties"])

    for definition in definitions.values():
        check_schema(definition)
    operation_ids: set[str] = set()
    for path, item in spec["paths"].items():
        assert path.startswith("/")
        templated = set(re.findall(r"\{(\w+)\}", path))
        for verb, op in item.items():
            assert verb in ("get", "put", "post", "delete", "options", "head", "patch")
            assert op["operationId"] not in operation_ids
            operation_ids.add(op["operationId"])
            params = op["parameters"]
            assert len({(p["name"], p["in"]) for p in params}) == len(params)
            assert {p["name"] for p in params if p["in"] == "path"} == templated
            assert all(p["required"] is True for p in params if p["in"] == "path")
            bodies = [p for p in params if p["in"] == "body"]
            assert len(bodies) <= 1
            assert not (bodies and any(p["in"] == "formData" for p in params))
            for param in params:
                assert param["in"] in ("path", "query", "header", "body", "formData")
                if param["in"] == "body":
                    check_schema(param["schema"])
                else:
                    assert param["type"] in ("string", "integer", "number", "boolean", "array")
            assert op["responses"]
            for code, response in op["responses"].items():
                assert code == "default" or code.isdigit()
                assert "description" in response
                if "schema" in response:
                    check_schema(response["schema"])
            for requirement in op.get("security", []):
                assert set(requirement) <= set(security)


def test_openapi_is_valid_swagger(client: TestClient) -> None:
    response = client.get("/openapi")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    spec = response.json()
    try:
        from openapi_spec_validator import validate  # type: ignore[import-not-found]
    except ImportError:
        _check_swagger(spec)
    else:
        validate(spec)
        _check_swagger(spec)


def test_openapi_describes_routes_types_and_security(client: TestClient) -> None:
    spec = client.get("/openapi").json()
    assert spec["host"] == "testserver" and spec["schemes"] == ["http"]
    item = spec["paths"]["/SalesOrders/{InvoiceID}"]
    assert {"get", "patch", "delete"} <= set(item)
    get = item["get"]
    assert get["tags"] == ["SalesOrders"] and get["summary"] == "Retrieves a SalesOrder."
    assert get["responses"]["200"]["schema"] == {"$ref": "#/definitions/SalesOrder"}
    assert {"name": "InvoiceID", "in": "path", "required": True, "type": "string"} in get["parameters"]
    assert any(p["name"] == "jiwa-stateful" and p["in"] == "header" and p["required"] is False
               for p in get["parameters"])
    assert get["security"] == [{"basic": []}, {"Bearer": []}]
    body = next(p for p in item["patch"]["parameters"] if p["in"] == "body")
    assert body["schema"] == {"$ref": "#/definitions/SalesOrderPATCHRequest"}
    assert "204" in item["delete"]["responses"]
    assert spec["securityDefinitions"]["basic"] == {"type": "basic", "description": spec[
        "securityDefinitions"]["basic"]["description"]}
    assert spec["securityDefinitions"]["Bearer"]["type"] == "apiKey"
    assert spec["securityDefinitions"]["Bearer"]["in"] == "header"
    assert spec["securityDefinitions"]["Bearer"]["name"] == "Authorization"
    assert spec["definitions"]["Debtor"]["properties"]["DebtorID"] == {"type": "string"}
    assert spec["definitions"]["SalesOrder"]["properties"]["Lines"] == {
        "type": "array", "items": {"$ref": "#/definitions/SalesOrderLine"}}
    query = spec["paths"]["/Queries/SO_Main"]["get"]
    assert query["responses"]["200"]["schema"] == {"$ref": "#/definitions/QueryResponseSOMain_"}
    assert spec["definitions"]["QueryResponseSOMain_"]["properties"]["Results"]["items"] == {
        "$ref": "#/definitions/SOMain"}
    assert {"name": "Skip", "in": "query", "required": False, "type": "integer", "format": "int32"} in \
        query["parameters"]
    assert "Debtors" in {t["name"] for t in spec["tags"]}
    assert "/auth" in spec["paths"] and "security" not in spec["paths"]["/auth"]["post"]
    assert "/openapi" not in spec["paths"]


# --- /types ----------------------------------------------------------------------------------------


def test_csharp_types(client: TestClient) -> None:
    response = client.get("/types/csharp")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    text = response.text
    assert text.startswith("/* Options:\nDate: ")
    assert "BaseUrl: http://testserver\n" in text and "//AddDefaultXmlNamespace: " in text
    assert "using ServiceStack;" in text
    assert "namespace JiwaFinancials.Jiwa.JiwaServiceModel\n{" in text
    assert '[Route("/Debtors/{DebtorID}", "GET")]\n    [Api(Description="Retrieves a Debtor.")]\n' \
           "    public partial class DebtorGETRequest : IReturn<Debtor>, IGet\n" in text
    assert "public partial class DebtorDELETERequest : IReturnVoid, IDelete" in text
    assert "public partial class SalesOrderPATCHRequest : IReturn<SalesOrder>, IPatch" in text
    assert "public partial class SO_MainQuery : QueryDb<SOMain>, IReturn<QueryResponse<SOMain>>, IGet" in text
    assert "public virtual List<SalesOrderLine> Lines { get; set; }" in text
    # Response DTOs keep value types; request DTOs make them nullable so unset ones are not sent.
    assert re.search(r"class Debtor\n    \{\n        public virtual double CreditLimit", text)
    assert re.search(r"class DebtorPATCHRequest : [^\n]*\n    \{\n(.*\n)*?        public virtual double\? Credit",
                     text)
    # ServiceStack's own types come from the client library.
    assert "class ResponseStatus" not in text and "class Authenticate " not in text


def test_typescript_types(client: TestClient) -> None:
    text = client.get("/types/typescript").text
    assert text.startswith("/* Options:\nDate: ")
    assert "export interface IReturn<T>" in text and "export interface IGet {}" in text
    assert '// @Route("/Debtors/{DebtorID}", "GET")\nexport class DebtorGETRequest implements IReturn<Debtor>, IGet' \
        in text
    assert "export class SO_MainQuery extends QueryDb<SOMain> implements IReturn<QueryResponse<SOMain>>, IGet" in text
    assert "public getTypeName() { return 'DebtorGETRequest'; }" in text
    assert "public createResponse() { return new Debtor(); }" in text
    assert "export class QueryResponse<T>" in text and "public Results?: T[];" in text
    assert "public DebtorID?: string;" in text


def test_unknown_language_is_not_found(client: TestClient) -> None:
    assert client.get("/types/cobol", headers={"Accept": "application/json"}).status_code == 404


def _import_generated(source: str, tmp_path: Path, name: str) -> Any:
    path = tmp_path / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # The servicestack client resolves string annotations through sys.modules.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def jiwa_dtos(live_server: str, tmp_path: Path) -> Any:
    response = requests.get(f"{live_server}/types/python", timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert f"BaseUrl: {live_server}\n" in response.text
    name = f"jiwa_dtos_{tmp_path.name.replace('-', '_')}"
    yield _import_generated(response.text, tmp_path, name)
    sys.modules.pop(name, None)


def test_python_types_declare_dataclasses(jiwa_dtos: Any) -> None:
    assert jiwa_dtos.__doc__.startswith(" Options:\nDate: ")
    from dataclasses import fields

    import servicestack

    request = jiwa_dtos.DebtorGETRequest(debtor_i_d=DEBTOR)
    assert isinstance(request, servicestack.IReturn) and isinstance(request, servicestack.IGet)
    assert request.to_dict() == {"debtorID": DEBTOR}
    assert issubclass(jiwa_dtos.SO_MainQuery, servicestack.QueryDb)
    assert {f.name for f in fields(jiwa_dtos.Debtor)} >= {"debtor_i_d", "name", "credit_limit", "fx_current_balance"}
    assert servicestack.resolve_httpmethod(jiwa_dtos.SalesOrderPATCHRequest()) == "PATCH"


def test_python_client_end_to_end(live_server: str, jiwa_dtos: Any) -> None:
    from servicestack import Authenticate, JsonServiceClient, WebServiceException

    client = JsonServiceClient(live_server)
    with pytest.raises(WebServiceException) as raised:
        client.get(jiwa_dtos.DebtorGETRequest(debtor_i_d=DEBTOR))
    assert raised.value.status_code == 401

    client.post(Authenticate(provider="credentials", user_name="Admin", password="password"))

    debtor = client.get(jiwa_dtos.DebtorGETRequest(debtor_i_d=DEBTOR), args=CAMEL)
    assert isinstance(debtor, jiwa_dtos.Debtor)
    assert debtor.name == "Bayside Hardware Pty Ltd"
    assert debtor.debtor_i_d == DEBTOR

    order = client.patch(jiwa_dtos.SalesOrderPATCHRequest(invoice_i_d=ORDER, order_no="PO-PYTHON-1"), args=CAMEL)
    assert isinstance(order, jiwa_dtos.SalesOrder)
    assert order.invoice_i_d == ORDER and order.order_no == "PO-PYTHON-1"
    assert order.lines and all(isinstance(line, jiwa_dtos.SalesOrderLine) for line in order.lines)

    again = client.get(jiwa_dtos.SalesOrderGETRequest(invoice_i_d=ORDER), args=CAMEL)
    assert again.order_no == "PO-PYTHON-1"
    # The PATCH sent only what was set: the order's lines and debtor are untouched.
    assert again.debtor_i_d == DEBTOR and len(again.lines) == len(order.lines) == 2

    # The pre-defined /json/reply route serves the same DTOs, and AutoQuery returns QueryResponse.
    client.set_base_path()
    page = client.get(jiwa_dtos.SO_MainQuery(take=2, include="Total"), args=CAMEL)
    assert page.total >= 2 and len(page.results) == 2
    assert all(isinstance(row, jiwa_dtos.SOMain) for row in page.results)


def test_authenticate_is_described_for_get_and_post(client: TestClient) -> None:
    spec = client.get("/openapi").json()
    assert {"get", "post"} <= set(spec["paths"]["/auth"])
    page = client.get("/metadata").text
    rows = re.findall(r'op=Authenticate">Authenticate</a></td><td>(\w+)</td>', page)
    assert rows == ["GET", "POST"]


def test_the_root_leads_to_the_metadata_page(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 302 and response.headers["location"] == "/metadata"
