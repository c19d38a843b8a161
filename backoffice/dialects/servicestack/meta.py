"""/metadata, /openapi and /types/{language}: what a ServiceStack service says about itself."""

from __future__ import annotations

from .host import ServiceStackHost


def register_meta(host: ServiceStackHost) -> None:
    """Placeholder until the generators land; registers nothing yet."""
    return None
