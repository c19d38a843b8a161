"""Principals, passwords, sessions, API keys, permissions, row scoping and redaction."""

from .permissions import DEBTOR_OPERATIONS, allowed, require
from .principal import Principal

__all__ = ["DEBTOR_OPERATIONS", "Principal", "allowed", "require"]
