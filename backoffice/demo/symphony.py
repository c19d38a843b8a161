"""The demo organization for the Symphony Import/Export API: DEMO, its hierarchy, languages, users
and menu objects. The menu item masters are the demo's inventory items (they join DEMO's Enterprise
when they are created, see core/rules.py), so prices here are the prices the other APIs show.

Names follow the public sample client's expectations: the property "Test Property 2", the revenue
center "Bar", the zone "DE LAB ZONE 01", the user "api spec".
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..core import orgs
from ..core.auth.service import add_user, find_staff
from ..core.clock import now
from ..core.numbering import next_change, reserve
from ..core.store.tables import ENTITY_TABLES

DEMO_ORG = "DEMO"
GERMAN = 2
# Object numbers spread so that the document's filter "1-200,230,300-350" picks a known part.
MAJOR_GROUPS = [(1, "Food", "Speisen"), (2, "Beverage", "Getränke"), (3, "Retail", "Einzelhandel"),
                (230, "Wine", "Wein"), (300, "Spirits", "Spirituosen"), (400, "Merchandise", "Fanartikel")]
FAMILY_GROUPS = [(10, "Appetizers", 1), (11, "Entrees", 1), (20, "Soft Drinks", 2), (21, "Beer", 2),
                 (230, "Red Wine", 230), (301, "Whisky", 300)]
MENU_ITEM_CLASSES = [(1, "Food Items", 1), (2, "Beverages", 2), (3, "Condiments", 1)]
EMPLOYEE_CLASSES = [(1, "Manager"), (2, "Server"), (3, "Bartender")]
ROLES = [(1, "Administrator", 1), (2, "Supervisor", 2), (3, "Staff", 3)]
TENDER_MEDIA = [(1, "Cash", 1), (2, "Credit Card", 2), (3, "Room Charge", 3)]
DISCOUNTS = [(1, "Staff Meal", 50.0, 0.0), (2, "Happy Hour", 20.0, 0.0), (3, "Voucher", 0.0, 10.0)]
SERVICE_CHARGES = [(1, "Service 10%", 10.0, 0.0), (2, "Room Service", 0.0, 5.0)]


def _row(conn: Connection, entity: str, **values: Any) -> int:
    object_id = reserve(conn, "SymphonyObject")
    conn.execute(ENTITY_TABLES[entity].insert().values(id=object_id, revision=1, last_saved=now(),
                                                       change_no=next_change(conn), **values))
    return object_id


def create_demo_org(conn: Connection) -> orgs.Org:
    """DEMO with its Enterprise: made before the demo's items so that they join it."""
    return orgs.create(conn, DEMO_ORG, "Demo Hospitality Group", enterprise_name="Demo Enterprise")


def load_symphony(conn: Connection) -> None:
    org = orgs.find(conn, DEMO_ORG)
    assert org is not None
    enterprise = orgs.enterprise(conn, org.org_id)
    prop = orgs.add_node(conn, org.org_id, orgs.PROPERTY, enterprise, 2,
                         {1: "Test Property 2", GERMAN: "Testobjekt 2"})
    bar = orgs.add_node(conn, org.org_id, orgs.REVENUE_CENTER, prop, 10, {1: "Bar", GERMAN: "Bar"})
    orgs.add_node(conn, org.org_id, orgs.ZONE, bar, 100, {1: "DE LAB ZONE 01", GERMAN: "DE LABOR ZONE 01"})
    orgs.add_node(conn, org.org_id, orgs.REVENUE_CENTER, prop, 11, {1: "Restaurant", GERMAN: "Restaurant"})
    orgs.add_language(conn, org.org_id, enterprise, GERMAN, {1: "German", GERMAN: "Deutsch"}, "de-DE")

    admin = find_staff(conn, "Admin")
    orgs.add_member(conn, org, admin.staff_id)
    # The public sample client's user (a space in its name).
    orgs.add_member(conn, org, add_user(conn, "api spec", "api-spec-password", first_name="API", surname="Spec"))
    # A user who needs a one-time code by mail to get a token.
    mfa = add_user(conn, "Maria", "maria-password", first_name="Maria", surname="Keller")
    conn.execute(orgs.staff_t.update().where(orgs.staff_t.c.staff_id == mfa)
                 .values(email_address="maria.keller@demo-hospitality.example"))
    orgs.add_member(conn, org, mfa, mfa_required=True, language_id=GERMAN)

    def l10n(column: str, text: str) -> str:
        import json

        return json.dumps({str(GERMAN): {column: text}}, ensure_ascii=False)

    for number, name, german in MAJOR_GROUPS:
        _row(conn, "MajorGroup", hierarchy_id=enterprise, object_number=number, name=name, report_group=number,
             l10n=l10n("Name", german))
    for number, name, major in FAMILY_GROUPS:
        _row(conn, "FamilyGroup", hierarchy_id=enterprise, object_number=number, name=name, report_group=number,
             parent_major_group=major)
    # A property's own version of a family group, overriding the Enterprise's (Level shows both).
    _row(conn, "FamilyGroup", hierarchy_id=prop, object_number=21, name="Craft Beer", report_group=21,
         parent_major_group=2)
    for number, name, tax in MENU_ITEM_CLASSES:
        _row(conn, "MenuItemClass", hierarchy_id=enterprise, object_number=number, name=name, tax_class=tax,
             option_bits="00000000", main_menu_level="11111111", sub_menu_level="11111111")
    for number, name in EMPLOYEE_CLASSES:
        _row(conn, "EmployeeClass", hierarchy_id=enterprise, object_number=number, name=name, option_bits="0")
    for number, name, level in ROLES:
        _row(conn, "Role", hierarchy_id=enterprise, object_number=number, name=name, level=level)
    for number, name, kind in TENDER_MEDIA:
        _row(conn, "TenderMedia", hierarchy_id=enterprise, object_number=number, name=name, tender_type=kind)
    for number, name, percentage, amount in DISCOUNTS:
        _row(conn, "Discount", hierarchy_id=enterprise, object_number=number, name=name, percentage=percentage,
             amount=amount)
    for number, name, percentage, amount in SERVICE_CHARGES:
        _row(conn, "ServiceCharge", hierarchy_id=enterprise, object_number=number, name=name,
             percentage=percentage, amount=amount)

    # Every item is a master at the Enterprise: one definition, its selling price as price 1, and
    # at the property a price of its own for the first items.
    items = ENTITY_TABLES["InventoryItem"]
    masters = conn.execute(sa.select(items.c.menu_item_id, items.c.object_number, items.c.description,
                                     items.c.default_price).where(items.c.hierarchy_id == enterprise)
                           .order_by(items.c.object_number)).all()
    for n, master in enumerate(masters):
        major = MAJOR_GROUPS[n % len(MAJOR_GROUPS)][0]
        conn.execute(items.update().where(items.c.menu_item_id == master.menu_item_id).values(
            master_name=master.description, major_group=major, family_group=FAMILY_GROUPS[n % len(FAMILY_GROUPS)][0],
            report_group=major, menu_item_status="Active"))
        definition = _row(conn, "MenuItemDefinition", hierarchy_id=enterprise, menu_item_master_id=master.menu_item_id,
                          definition_sequence=1, first_name=master.description[:100], menu_item_class=1, slu=1,
                          nlu=master.object_number, main_menu_level="11111111", sub_menu_level="11111111")
        _row(conn, "MenuItemPrice", hierarchy_id=enterprise, menu_item_def_id=definition, price_sequence=1,
             price=master.default_price, prep_cost=0.0, tax_class=1)
        if n < 3:
            _row(conn, "MenuItemPrice", hierarchy_id=prop, menu_item_def_id=definition, price_sequence=1,
                 price=round((master.default_price or 0) * 1.1, 2), prep_cost=0.0, tax_class=1)
