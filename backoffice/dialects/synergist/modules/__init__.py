"""The Synergist modules: importing this registers every module's actions with the host."""

from . import activities, clients, diary, general, jobs, time

__all__ = ["activities", "clients", "diary", "general", "jobs", "time"]
