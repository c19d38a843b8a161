"""What exists in the back office: one definition per entity, from which everything derives."""

from .entities import CATALOG
from .model import (
    ALL_OPERATORS,
    AcceptedValues,
    Catalog,
    Child,
    DetailView,
    Entity,
    EnumDef,
    EnumValue,
    Field,
    FieldType,
    Labels,
    Lookup,
    PredefinedValues,
    SortField,
    View,
    ViewColumn,
    ViewFilter,
    localized,
)

__all__ = ["ALL_OPERATORS", "CATALOG", "AcceptedValues", "Catalog", "Child", "DetailView", "Entity", "EnumDef",
           "EnumValue", "Field", "FieldType", "Labels", "Lookup", "PredefinedValues", "SortField", "View", "ViewColumn",
           "ViewFilter", "localized"]
