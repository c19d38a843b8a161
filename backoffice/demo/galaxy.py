"""The Greek part of the demo: the companies, sales documents, banks and lists the Galaxy
document's examples name, under the keys it uses, so its examples can be replayed as they stand.

Where the document shows only some of a record (it says its payloads are partial), the rest
is made up to be plausible; docs/galaxy.md lists which examples are reproduced exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from ..core import dynamic_details
from ..core.auth import Principal
from ..core.records import NEW_KEY
from ..core.store.tables import ENTITY_TABLES

Insert = Callable[..., None]
Create = Callable[[str, str | None, dict[str, Any]], dict[str, Any]]

EURO = "9efe2b51-f986-4071-9ce4-65d42075740b"
BEST_MARKET = "59c7f302-f5b0-45f6-8a32-6c7f64e91c00"
BEST_MARKET_ATHENS = "67a55e4f-9e78-4ea5-adae-b1b4299e8c39"
BEST_MARKET_SERVICES = "9ca0b73e-f6e6-46c9-a554-0c8752730ffc"
AIGALEO_SITE = "f15c912a-9aa4-4652-95c4-64aa92d50286"
SINGULAR = "dd32e7b3-036c-41df-9cd2-294e96415d4c"
GALAXY_WAREHOUSE = "ZZZZZZZZZZ0000000002"
INVOICE = "3ae05b32-0cc1-4282-929c-59a2dc9f7467"
INVOICE_DELIVERY = "85354cb0-0077-46b9-a07a-0afe20cee6ef"
INVOICE_DELIVERY_APPROVED = "83a79223-5604-4703-92ca-0b760a0d4e5a"
ORDER = "0c1e7a51-5f3a-4b44-9d0b-7a2e1e6b7000"
ORDER_COPY = "0c1e7a51-5f3a-4b44-9d0b-7a2e1e6b7010"
VASILEIOU = "4f0c2d6e-0b1a-4c55-8a3e-000000000002"
FRANK = "4f0c2d6e-0b1a-4c55-8a3e-000000000004"
VISIT = "9cf4259f-fb78-4374-8253-608260460033"
STADIUM_ACTIVITY = "3227ccb6-72f9-41e6-ae55-05b787c6a173"
CYPRUS_BANK = "20185ae4-d9da-4f48-ac06-1555cf700ccb"
GALAXY_DATE = datetime(2017, 1, 4)

# (key, trade entry, type, printed number, date, customer, total, posted to the ledger)
SALES_ENTRIES = [
    ("275c34ef-42c1-4ba2-be67-2a1972d06407", "f3f3ff0e-82e5-4789-8ccd-0e14024733b9", INVOICE,
     "6100 - Α6100 - 000233", datetime(2017, 1, 4), VASILEIOU, 111.5, False),
    ("65493d3a-4f62-487a-b425-b411eaaac2b9", "b672287b-3526-4cca-9146-822496fdfc3f", INVOICE_DELIVERY,
     "6201 - A - 002205", datetime(2017, 1, 11), FRANK, 596.55, True),
    ("52f5190e-43a4-4940-9520-fb494751dc1c", "a1d0a8f5-8d43-4a5e-9b0c-52f5190e0001", INVOICE_DELIVERY,
     "6201 - A - 002204", datetime(2017, 1, 10), FRANK, 248.0, True),
    ("adde2e82-208d-42db-990e-1a571bb9d19c", "a1d0a8f5-8d43-4a5e-9b0c-adde2e820001", INVOICE,
     "6100 - Α6100 - 000235", datetime(2017, 1, 12), VASILEIOU, 64.9, False),
    ("b6066e6e-acba-4b28-8cfd-ad3e14424ead", "a1d0a8f5-8d43-4a5e-9b0c-b6066e6e0001", INVOICE,
     "6100 - Α6100 - 000236", datetime(2017, 1, 13), FRANK, 312.0, False),
    ("58cf0ffc-fa84-43de-840f-c6b12b797de0", "a1d0a8f5-8d43-4a5e-9b0c-58cf0ffc0001", INVOICE,
     "6100 - Α6100 - 000234", datetime(2017, 1, 16), VASILEIOU, 87.6, False),
    ("02aa6816-103a-4551-81a7-9e33f0b678d2", "a1d0a8f5-8d43-4a5e-9b0c-02aa68160001", ORDER_COPY,
     "7010 - ΠΑΡ - 000101", datetime(2017, 1, 20), VASILEIOU, 45.0, False),
    ("0bedafd0-d56c-415c-ba2c-68e17b65396e", "a1d0a8f5-8d43-4a5e-9b0c-0bedafd00001", ORDER_COPY,
     "7010 - ΠΑΡ - 000102", datetime(2017, 1, 21), FRANK, 150.0, False),
    ("17ad59cf-81b8-41f8-8f91-3de3779dab16", "a1d0a8f5-8d43-4a5e-9b0c-17ad59cf0001", ORDER_COPY,
     "7010 - ΠΑΡ - 000103", datetime(2017, 1, 22), VASILEIOU, 72.3, False),
]


def _stamp(conn: Connection, entity: str, key: str, revision: int) -> None:
    """Records the document shows at a later revision are loaded at that revision."""
    table = ENTITY_TABLES[entity]
    conn.execute(table.update().where(table.c[CATALOG_KEYS[entity]] == key).values(revision=revision))


def load_galaxy_reference(conn: Connection, insert: Insert, create: Create) -> None:
    """Companies, currencies, kinds of document, banks and code lists: what documents refer to."""
    def stamp(entity: str, key: str, revision: int) -> None:
        _stamp(conn, entity, key, revision)

    insert("Currency", currency_id=EURO, code="EUR", description="Ευρώ", symbol="€", revision=1,
           last_saved=GALAXY_DATE)
    insert("Warehouse", logical_id=GALAXY_WAREHOUSE, description="κανονικά", physical_description="Αθήνα",
           revision=1, last_saved=GALAXY_DATE)

    create("Company", BEST_MARKET, {
        "code": "001", "title": "Best Market SA ", "distinctive_title": "Best Market", "tin": "094014201",
        "active": 1, "active_date": datetime(2010, 1, 1),
        "sites": [{NEW_KEY: BEST_MARKET_ATHENS, "code": "001", "description": "Best Market Αθήνα", "active": 1,
                   "active_date": datetime(2010, 1, 1), "is_primary": True,
                   "warehouses": [{"logical_id": GALAXY_WAREHOUSE}]}],
    })
    create("Company", BEST_MARKET_SERVICES, {
        "code": "004", "title": "Best Market Services ΟΕ", "tin": "094007989", "active": 1,
        "active_date": datetime(2015, 4, 24), "legal_type_id": "a6fa8eb8-12a2-4c3e-8f6e-3bf8f61f2652",
        "sites": [{NEW_KEY: AIGALEO_SITE, "code": "003", "description": "Συν.Αιγάλεω", "active": 1,
                   "active_date": datetime(2011, 4, 13), "is_primary": True,
                   "locations": [{NEW_KEY: "a58407a1-ceec-4a9e-90e6-0243016e817d",
                                  "location_id": "ab76a143-4b65-4e3e-ab35-1b10a1a46ba1", "code": "ΕΣ_Σ",
                                  "description": "Χώρος συνεργείου"}]}],
        "tax_credentials": [{NEW_KEY: "88664eee-55aa-483f-96af-3f6b65787ffe", "tax_service": 3}],
    })
    stamp("Company", BEST_MARKET_SERVICES, 50)
    create("Company", SINGULAR, {
        "code": "006", "title": "SingularLogic", "distinctive_title": "SingularLogic", "active": 1,
        "active_date": datetime(2016, 1, 1),
    })

    for key, code, series, kind, description in (
        (INVOICE, "6100", "Α6100", 0, "Τιμολόγιο Πώλησης"),
        (INVOICE_DELIVERY, "6201", "A", 1, "Τιμολόγιο Πώλησης - Δελτίο Αποστολής (Offline Λογιστική)"),
        (INVOICE_DELIVERY_APPROVED, "6201-01", "A1", 1,
         "Τιμολόγιο Πώλησης - Δελτίο Αποστολής (Offline Λογιστική & Εγκρίσεις)"),
        (ORDER, "7000", "ΠΑ", 2, "Παραγγελία Πωλήσεων"),
        (ORDER_COPY, "7010", "ΠΑΡ", 2, "Copy of Παραγγελία Πωλήσεων"),
    ):
        insert("SalesEntryType", entry_type_id=key, code=code, series=series, kind=kind, description=description,
               revision=1, last_saved=GALAXY_DATE)

    for key, revision, code, description in (
        ("9b296f6e-d01e-4253-8ed5-1497ef1c6987", 2, "001", "Advertisment"),
        ("c1765851-30fe-4774-91c2-25683da26b52", 1, "004", "Other"),
        ("b577e7fa-e355-482e-b90d-4e7bdb7e8c1f", 2, "002", "Other customer"),
        ("6aecdf40-ed22-4cf3-a623-733c66da9b00", 1, "003", "Campaign"),
    ):
        insert("AcquaintSource", acquaint_source_id=key, code=code, description=description, revision=revision,
               last_saved=GALAXY_DATE)
    for key, revision, code, description in (
        ("8d037b23-8479-4572-ab7d-594786e61a3f", 4, "003", "Παράδοσης"),
        ("7b280bc5-3d34-487b-afe5-6d6d5f73f9cb", 3, "002", "Αποθήκης"),
        ("70e85b80-c209-44ba-aac7-a78867980973", 2, "001", "Τιμόλογησης"),
    ):
        insert("AddressType", address_type_id=key, code=code, description=description, reserved=0,
               revision=revision, last_saved=GALAXY_DATE)

    create("Bank", CYPRUS_BANK, {
        "code": "ΚΥΠ", "description": "Κύπρου ",
        "branches": [{NEW_KEY: "8e8927c2-950d-49ce-9cd4-e50195f3eb47", "code": "001",
                      "description": "Κατάστημα Λευκωσίας", "bic": "51",
                      "country_id": "7ecdf343-7e70-426b-a7ec-22d077c7307d",
                      "prefecture_id": "c2733c0e-5d3e-427e-a522-dc5e2a95c64f",
                      "region_id": "0e416737-f98e-4604-8b2a-0a8ca621c827"}],
    })
    stamp("Bank", CYPRUS_BANK, 13)
    insert("ActivityType", activity_type_id=VISIT, code="VIS", description="Επίσκεψη", revision=1,
           last_saved=GALAXY_DATE)
    create("Bank", "5d1c9a52-7a51-4c3f-9f0e-2b1d3c4e5f60", {
        "code": "ΕΘΝ", "description": "Εθνική Τράπεζα", "bic": "ETHNGRAA", "url": "https://www.nbg.gr",
        "branches": [{"code": "040", "description": "Κατάστημα Αθηνών", "bic": "ETHNGRAA040"}],
    })



def load_galaxy_documents(conn: Connection, create: Create, actor: Principal) -> None:
    """The Greek customers, their sales documents and a CRM activity (loaded after the other orders,
    so those keep their numbers)."""
    for key, code, name, city, tin in (
        (VASILEIOU, "00000002", "Βασιλείου Γεώργιος", "Αθήνα", "094014298"),
        (FRANK, "000000004", "Frank test", "Πειραιάς", "999645865"),
    ):
        create("Debtor", key, {
            "account_no": code, "name": name, "address1": "Λεωφόρος Κηφισίας 1", "address2": city,
            "country": "Ελλάδα", "abn": tin, "credit_limit": 3000.0, "email_address": f"{code}@example.gr",
        })

    for key, trade_entry, entry_type, trade_code, when, customer, total, posted in SALES_ENTRIES:
        create("SalesOrder", key, {
            "debtor_id": customer, "entry_type_id": entry_type, "trade_code": trade_code,
            "trade_entry_id": trade_entry, "company_id": BEST_MARKET, "company_site_id": BEST_MARKET_ATHENS,
            "currency_id": EURO, "logical_id": GALAXY_WAREHOUSE, "invoice_init_date": when, "official_date": when,
            "fiscal_year": str(when.year), "origin": 3, "source_type": 1, "status": 1, "is_official": True,
            "ledger_posted": posted,
            "lines": [{"description": "Υπηρεσίες", "quantity_ordered": 1, "price_ex_gst": total, "tax_rate": 0.0}],
        })

    create("Activity", STADIUM_ACTIVITY, {
        "activity_type_id": VISIT, "owner_id": actor.staff_id, "subject": "Έργο σε γήπεδο ΕΠΟ",
        "description": "Έργο σε γήπεδο ΕΠΟ", "start_date": datetime(2017, 2, 1, 10, 0),
    })
    _stamp(conn, "Activity", STADIUM_ACTIVITY, 4)
    # The document's dynamic detail table of activities (its rows are the examples' to add).
    dynamic_details.define(conn, actor, "Activity", "dycmActivitiesDynDetails",
                           [dynamic_details.Column("dycmActDetDescription", "string", 200, required=True)],
                           key_column="dyID", parent_column="cmActivitiesID")


CATALOG_KEYS = {"Company": "company_id", "Bank": "bank_id", "Activity": "activity_id"}
