"""Business operations with typed parameters, callable by name: services (Messenger) and entity actions.

A dialect lists them (with their parameters, for clients that build calls from metadata) and
invokes them with arguments it has parsed; the operation checks and converts its arguments
against its declared parameters, so every dialect gets the same validation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from .auth import Principal
from .errors import FieldError, Invalid


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # "string", "integer", "boolean"
    is_array: bool = False
    required: bool = True
    nullable: bool = True
    default: Any = None


# (connection, actor, arguments by parameter name[, record key for entity actions]) -> result
OperationFn = Callable[..., Any]


@dataclass(frozen=True)
class ServiceOperation:
    name: str
    params: Sequence[Param]
    fn: OperationFn
    writes: bool = False  # runs in a write transaction
    description: str = ""


@dataclass
class Service:
    name: str
    description: str = ""
    operations: dict[str, ServiceOperation] = field(default_factory=dict)

    def operation(self, name: str) -> ServiceOperation | None:
        folded = name.lower()
        return next((op for key, op in self.operations.items() if key.lower() == folded), None)


SERVICES: dict[str, Service] = {}
# Entity actions, by catalog entity name: operations on one record, given its key.
ENTITY_ACTIONS: dict[str, dict[str, ServiceOperation]] = {}


def service(name: str, description: str = "") -> Service:
    return SERVICES.setdefault(name, Service(name, description))


def operation(service_name: str, name: str, *params: Param, writes: bool = False,
              description: str = "") -> Callable[[OperationFn], OperationFn]:
    """Register ``fn(conn, actor, args)`` as an operation of a service."""
    def register(fn: OperationFn) -> OperationFn:
        service(service_name).operations[name] = ServiceOperation(name, params, fn, writes, description)
        return fn
    return register


def entity_action(entity: str, name: str, *params: Param, writes: bool = False,
                  description: str = "") -> Callable[[OperationFn], OperationFn]:
    """Register ``fn(conn, actor, key, args)`` as an action on one record of ``entity``."""
    def register(fn: OperationFn) -> OperationFn:
        ENTITY_ACTIONS.setdefault(entity, {})[name] = ServiceOperation(name, params, fn, writes, description)
        return fn
    return register


def _convert(param: Param, value: Any, path: str) -> Any:
    if value is None:
        if not param.nullable:
            raise ValueError(f"{path} may not be null")
        return None
    if param.type == "boolean":
        if isinstance(value, bool):
            return value
        raise ValueError(f"{path} must be true or false")
    if param.type == "integer":
        if isinstance(value, bool) or not isinstance(value, int) or not -(2**31) <= value < 2**31:
            raise ValueError(f"{path} must be a whole number")
        return value
    if not isinstance(value, str) or "\x00" in value:
        raise ValueError(f"{path} must be text")
    return value


def arguments(op: ServiceOperation, given: Any) -> dict[str, Any]:
    """The call's arguments checked against the operation's parameters (names match in any case).

    Every fault is reported: a missing required argument, one of the wrong type, an unknown one.
    """
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise Invalid("The arguments must be a JSON object of named values", code="InvalidArguments")
    lowered = {k.lower(): (k, v) for k, v in given.items()}
    out: dict[str, Any] = {}
    problems: list[FieldError] = []
    for param in op.params:
        if param.name.lower() not in lowered:
            if param.required:
                problems.append(FieldError(param.name, "Required", f"{param.name} is required"))
            else:
                out[param.name] = param.default
            continue
        _, value = lowered.pop(param.name.lower())
        try:
            if param.is_array:
                if not isinstance(value, list):
                    raise ValueError(f"{param.name} must be an array")
                out[param.name] = [_convert(param, v, f"{param.name}[{i}]") for i, v in enumerate(value)]
            else:
                out[param.name] = _convert(param, value, param.name)
        except ValueError as exc:
            problems.append(FieldError(param.name, "InvalidValue", str(exc)))
    for original, _ in lowered.values():
        problems.append(FieldError(original, "UnknownArgument", f"{op.name} has no argument {original}"))
    if problems:
        raise Invalid("; ".join(p.message for p in problems), problems, code=problems[0].code)
    return out


def invoke(conn: Connection, actor: Principal, op: ServiceOperation, args: dict[str, Any],
           key: str | None = None) -> Any:
    return op.fn(conn, actor, args) if key is None else op.fn(conn, actor, key, args)
