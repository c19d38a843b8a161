"""Example AliasMap actions (``<InvokeAction ClassName="backoffice.dialects.galaxy.sample_actions:...">``).

An action is ``fn(payload, properties, context) -> dict | None``: ``properties`` are the ``<Set>`` values as
written (always strings), ``context`` an :class:`~backoffice.dialects.galaxy.aliasmap.ActionContext`.
Copy these as a starting point; ``docs/galaxy_aliasmap.md`` explains the rules.
"""

from __future__ import annotations

import logging
from typing import Any

from backoffice.dialects.galaxy.aliasmap import ActionContext, ActionRefused

log = logging.getLogger(__name__)


def _list(value: str) -> list[str]:
    # Galaxy writes lists in one property as `a;b;c` (the seed's Flags="1;2;3;4;5").
    return [item.strip() for item in value.split(";") if item.strip()]


def stamp_origin(payload: dict[str, Any], properties: dict[str, str], context: ActionContext) -> dict[str, Any]:
    """OnBeforePost: set ``Origin`` and ``Source`` from the properties of the same names (other properties,
    such as the seed's ``Flags``, are left alone), on POST only unless ``Always="true"``; returns a new payload."""
    if context.verb != "POST" and properties.get("Always", "").lower() != "true":
        return payload
    stamped = dict(payload)
    for name in ("Origin", "Source"):
        if name in properties:
            stamped[name] = properties[name]
    return stamped


def require_fields(payload: dict[str, Any], properties: dict[str, str], context: ActionContext) -> None:
    """OnBeforePost: refuse the request unless every field in ``Fields`` (a ``;``-list) has a value;
    ``Message`` overrides the refusal text. Changes nothing."""
    missing = [name for name in _list(properties.get("Fields", "")) if payload.get(name) in (None, "", [])]
    if missing:
        raise ActionRefused(properties.get("Message") or f"{', '.join(missing)} must be given")


def log_saved(stored: dict[str, Any], properties: dict[str, str], context: ActionContext) -> None:
    """OnAfterPost: log one line naming what was saved (never its values); ``Label`` prefixes the line."""
    log.info("%s%s %s %s saved by %s", f"{properties['Label']}: " if properties.get("Label") else "",
             context.verb, context.alias_key, context.record_id or stored.get("ID"), context.user or "?")
