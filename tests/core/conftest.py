"""Fixtures for the core's tests."""

from tests.core.migrating import empty_url

__all__ = ["empty_url"]
