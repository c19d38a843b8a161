"""One back office, two APIs: what Galaxy writes Jiwa reads, and the other way round."""

from __future__ import annotations

from starlette.testclient import TestClient


def test_a_trader_made_in_galaxy_is_a_jiwa_debtor_and_back(admin: TestClient) -> None:
    trader = admin.get("/api/glx/entities/trader/template").json()
    trader.update(Code="GR0001", Name="Παπαδόπουλος Α.Ε.", TIN="094014201", City="Θεσσαλονίκη", MaxBalance=2500)
    created = admin.post("/api/glx/entities/trader", json=trader)
    assert created.status_code == 200, created.text
    debtor = admin.get(f"/Debtors/{created.json()['ResourceID']}").json()
    assert debtor["AccountNo"] == "GR0001" and debtor["Name"] == "Παπαδόπουλος Α.Ε."
    assert debtor["Address2"] == "Θεσσαλονίκη" and debtor["CreditLimit"] == 2500

    made_in_jiwa = admin.post("/Debtors", json={"AccountNo": "C00099", "Name": "Southern Cross Traders",
                                                "Phone": "08 8000 0000"}).json()
    rows = admin.get("/api/glx/views/customer", params={"filters": "{QCode:[C00099,Equal]}"}).json()
    assert rows == [{"ID": made_in_jiwa["DebtorID"], "Code": "C00099", "Name": "Southern Cross Traders",
                     "TIN": None, "Phone1": "08 8000 0000", "Email": None, "City": None, "Balance": 0.0,
                     "MaxBalance": 0.0, "OnHold": 0, "RevNum": 1, "ChangeNo": rows[0]["ChangeNo"]}]
    assert isinstance(rows[0]["ChangeNo"], int)
    admin.patch(f"/api/glx/entities/trader/{made_in_jiwa['DebtorID']}",
                json=[{"op": "replace", "path": "/Name", "value": "Southern Cross Traders Pty"}])
    assert admin.get(f"/Debtors/{made_in_jiwa['DebtorID']}").json()["Name"] == "Southern Cross Traders Pty"


def test_a_jiwa_sales_order_is_a_galaxy_sales_entry_and_back(admin: TestClient) -> None:
    order = admin.post("/SalesOrders", json={"DebtorAccountNo": "C00003", "OrderNo": "PO-GX",
                                             "Lines": [{"PartNo": "2001", "QuantityOrdered": 2}]}).json()
    rows = admin.get("/api/glx/views/salesentry", params={
        "fields": "ID,CoetDescription,TRADECODE,CustCode,COMPTITLE,TotalValue",
        "filters": f"{{ID:[{order['InvoiceID']},Equal]}}"}).json()
    assert rows == [{"ID": order["InvoiceID"], "CoetDescription": "Παραγγελία Πωλήσεων",
                     "TRADECODE": f"7000 - ΠΑ - {order['InvoiceNo']}", "CustCode": "C00003",
                     "COMPTITLE": "Best Market SA ", "TotalValue": sum(x["LineTotal"] for x in order["Lines"])}]

    entry = admin.get("/api/glx/entities/salesentry/template").json()
    entry.update(TrdrID="4f0c2d6e-0b1a-4c55-8a3e-000000000002", CoetID="3ae05b32-0cc1-4282-929c-59a2dc9f7467",
                 Lines=[{"ItemID": "IN000000000000000001", "Qty": 3}])
    created = admin.post("/api/glx/entities/salesentry", json=entry)
    assert created.status_code == 200, created.text
    jiwa = admin.get(f"/SalesOrders/{created.json()['ResourceID']}").json()
    assert jiwa["DebtorAccountNo"] == "00000002"
    assert [(line["PartNo"], line["QuantityOrdered"]) for line in jiwa["Lines"]] == [("1172", 3)]
    galaxy = admin.get(f"/api/glx/entities/salesentry/{created.json()['ResourceID']}").json()
    assert galaxy["TradeCode"] == f"6100 - Α6100 - {jiwa['InvoiceNo']}"
    assert galaxy["TotalValue"] == sum(line["LineTotal"] for line in jiwa["Lines"])
