"""The data service's descriptive operations (S6, S7, S9-S12, S16, S18, S22) in WCF JSON."""

from __future__ import annotations

from .conftest import TYPE_PREFIX, Symphony

REQUIRED_TYPES = ("Hierarchy", "LanguageInformation", "MajorGroup", "FamilyGroup", "MenuItemMaster",
                  "MenuItemDefinition", "MenuItemPrice", "MenuItemClass", "EmployeeClass", "Role", "TenderMedia",
                  "Discount", "ServiceCharge")


def test_s6_build_version_and_s16_server_time(symphony: Symphony) -> None:
    version = symphony.ok(symphony.get("GetBuildVersion"))
    assert isinstance(version, list) and all(isinstance(v, str) for v in version) and version[0].startswith("19.6")
    moment, zone = symphony.ok(symphony.get("GetServerTimeWithZone"))
    assert len(moment) == 19 and moment[10] == "T" and "UTC" in zone


def test_s7_s10_types_by_fully_qualified_name(symphony: Symphony) -> None:
    exportable = symphony.ok(symphony.get("GetExportableTypes/Admin/DEMO"))
    importable = symphony.ok(symphony.get("GetImportableTypes/Admin/DEMO"))
    assert all(name.startswith(TYPE_PREFIX) for name in exportable + importable)
    short = [name.removeprefix(TYPE_PREFIX) for name in exportable]
    assert set(REQUIRED_TYPES) <= set(short)
    # The public client takes the first name containing its short name: "MenuItem" is the master.
    assert next(n for n in exportable if "menuitem" in n.lower()).endswith("MenuItemMaster")
    assert TYPE_PREFIX + "Hierarchy" not in importable and TYPE_PREFIX + "MenuItemPrice" in importable


def test_s9_hierarchy_enterprise_properties_revenue_centers_zones(symphony: Symphony) -> None:
    nodes = symphony.ok(symphony.get("GetHierarchyStructure/Admin/DEMO"))
    assert list(nodes[0]) == ["HierarchyId", "Id", "ObjectNumber", "HierarchyName", "OrganizationId",
                              "ParentHierarchyId", "UnitType"]
    by_name = {n["HierarchyName"][0]["Text"]: n for n in nodes}
    enterprise, prop = by_name["Demo Enterprise"], by_name["Test Property 2"]
    bar, zone = by_name["Bar"], by_name["DE LAB ZONE 01"]
    assert [enterprise["UnitType"], prop["UnitType"], bar["UnitType"], zone["UnitType"]] == [0, 1, 2, 3]
    assert enterprise["ParentHierarchyId"] == 0
    assert prop["ParentHierarchyId"] == enterprise["Id"] and bar["ParentHierarchyId"] == prop["Id"]
    assert zone["ParentHierarchyId"] == bar["Id"]
    assert {"LangId": 2, "Text": "Testobjekt 2"} in prop["HierarchyName"]
    assert len({n["OrganizationId"] for n in nodes}) == 1


def test_s11_object_info_and_s12_properties(symphony: Symphony) -> None:
    info = {t["ShortName"]: t for t in symphony.ok(symphony.get("GetObjectInfo/Admin/DEMO"))}
    price = info["MenuItemPrice"]
    assert price["FullTypeName"] == TYPE_PREFIX + "MenuItemPrice" and price["Importable"] and price["Exportable"]
    columns = {c["ColumnName"]: c for c in price["ColumnInfo"]}
    assert list(price["ColumnInfo"][0]) == ["AllowNullsOnImport", "AlternateColumnType", "ColumnName", "ColumnType",
                                            "DefaultValue", "ExportOnly", "KeyColumn"]
    assert columns["Id"]["ColumnType"] == "System.Int64" and columns["Id"]["KeyColumn"] is True
    assert columns["Price"]["ColumnType"] == "System.Decimal" and columns["Price"]["AllowNullsOnImport"] == "False"
    assert columns["PrepCost"]["AllowNullsOnImport"] == "True"
    assert info["Hierarchy"]["Importable"] is False
    assert {c["ColumnName"]: c for c in info["Hierarchy"]["ColumnInfo"]}["OrganizationId"]["ExportOnly"] is True
    properties = symphony.ok(symphony.get(f"GetPropertiesForType/{TYPE_PREFIX}MenuItemPrice/Admin/DEMO"))
    assert properties == [c["ColumnName"] for c in price["ColumnInfo"]]
    assert symphony.get("GetPropertiesForType/com.example.Nothing/Admin/DEMO").status_code == 404


def test_s18_languages_and_s22_the_users_language(symphony: Symphony) -> None:
    languages = symphony.ok(symphony.get("GetSupportedLanguages/Admin/DEMO"))
    assert list(languages[0]) == ["HierarchyId", "Id", "ObjectNumber", "LanguageName"]
    assert [lang["ObjectNumber"] for lang in languages] == [1, 2]
    assert {"LangId": 2, "Text": "Deutsch"} in languages[1]["LanguageName"]
    assert symphony.ok(symphony.get("GetEmployeeLanguageId/Admin/DEMO")) == 1
    # The document's table has it as a POST without parameters.
    assert symphony.ok(symphony.post("GetEmployeeLanguageId", None)) == 1
