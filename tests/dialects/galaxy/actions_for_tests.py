"""Actions the AliasMap tests name in their files (each shows one rule of the action contract)."""

from __future__ import annotations

from typing import Any

from backoffice.dialects.galaxy.aliasmap import ActionContext

#: What the recording actions saw, as (name, payload, properties, verb); tests clear it.
SEEN: list[tuple[str, Any, dict[str, str], str]] = []

NOT_CALLABLE = 42


class AClass:
    def __init__(self, payload: Any, properties: Any, context: Any) -> None:
        pass


def record(payload: dict[str, Any], properties: dict[str, str], context: ActionContext) -> None:
    SEEN.append(("record", dict(payload), dict(properties), context.verb))


def mutate_in_place(payload: dict[str, Any], properties: dict[str, str], context: ActionContext) -> None:
    payload["Touched"] = properties.get("Mark", "yes")
    properties["Mark"] = "changed by the action"  # must not leak into the next call


def append_step(payload: dict[str, Any], properties: dict[str, str], context: ActionContext) -> dict[str, Any]:
    return {**payload, "Steps": [*payload.get("Steps", []), properties["Step"]]}


def plain_value_error(payload: dict[str, Any], properties: dict[str, str], context: ActionContext) -> None:
    raise ValueError("Code 007 is reserved")


def broken(payload: dict[str, Any], properties: dict[str, str], context: ActionContext) -> None:
    raise KeyError("secret-field")


def returns_list(payload: dict[str, Any], properties: dict[str, str], context: ActionContext) -> list[int]:
    return [1]


def vandal(payload: dict[str, Any], properties: dict[str, str], context: ActionContext) -> dict[str, Any]:
    payload["ID"] = "changed"
    payload["Sites"].clear()
    return {"ignored": True}


def two_arguments(payload: dict[str, Any], properties: dict[str, str]) -> None:
    pass


class Holder:
    @staticmethod
    def stamp(payload: dict[str, Any], properties: dict[str, str], context: ActionContext) -> dict[str, Any]:
        return {**payload, "Held": True}
