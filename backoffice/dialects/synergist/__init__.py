"""The Synergist XML/JSON API v3 (see routes.py, host.py and docs/synergist.md)."""
