"""What exists in the back office: one definition per entity, from which everything derives."""

from .entities import CATALOG
from .model import Catalog, Child, Entity, EnumDef, EnumValue, Field, FieldType, View, ViewColumn

__all__ = ["CATALOG", "Catalog", "Child", "Entity", "EnumDef", "EnumValue", "Field", "FieldType", "View",
           "ViewColumn"]
