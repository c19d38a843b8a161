"""The Synergist modules: importing this registers every module's actions with the host."""

from . import activities, clients, general

__all__ = ["activities", "clients", "general"]
