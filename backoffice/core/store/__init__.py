"""Persistence: tables, engine, transactions and migrations."""

from .db import Database
from .tables import ENTITY_TABLES, metadata

__all__ = ["Database", "ENTITY_TABLES", "metadata"]
