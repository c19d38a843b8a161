"""Galaxy's ``AliasMap.xml``: extra entity URLs, jq transformations, relations and Python actions.

The file lives at ``<config_dir>/AliasMap.xml`` (see ``docs/galaxy_aliasmap.md`` for users). This module
is pure: it parses and checks the file once at start (:meth:`AliasMap.load`), compiles every jq program
once, imports every action callable once, and offers the pieces the Galaxy routes call per request:

* :meth:`AliasMap.alias` finds the alias that applies to ``/api/{domain}/entities/{uri_name}``;
* :meth:`Alias.outgoing` / :meth:`Alias.incoming` run ``JQOutgoing`` / ``JQIncoming``;
* :meth:`Alias.run_before_post` / :meth:`Alias.run_after_post` run the ``OnBeforePost`` /
  ``OnAfterPost`` actions;
* :meth:`Relation.arguments` builds a relation operation's arguments, :meth:`Relation.result_uri`
  each result's URI.

Errors and the HTTP status the Galaxy dialect gives them:

=========================  ======  ==========================================================
``AliasMapError``          start   the file is bad; the server refuses to start
``IncomingTransformError``  400    ``JQIncoming`` failed on the client's body
``OutgoingTransformError``  500    ``JQOutgoing`` failed on a stored record
``ActionRefused``           400    an action refused the request (raised it, or ``ValueError``)
``ActionFailed``            500    an action raised anything else, or returned a non-dict
``RelationError``           500    a relation parameter has no value in the profile/parent
=========================  ======  ==========================================================

Trust: the file names Python callables that are imported and run in the server, so it is
configuration with the same trust as code. jq programs are therefore not sandboxed further
(jq can read ``$ENV``; a program that never ends blocks its request).
"""

from __future__ import annotations

import copy
import difflib
import importlib
import inspect
import logging
import queue
import re
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import jq
import orjson
from lxml import etree

from backoffice.wire import safexml

log = logging.getLogger(__name__)

#: Larger files are refused: the real ones are a few kilobytes, and the file is read whole.
MAX_FILE_BYTES = 1024 * 1024

#: Idle compiled copies kept per jq program (see JqProgram).
_POOL_SIZE = 8

#: The verbs on which OnBeforePost/OnAfterPost fire (``ActionContext.verb`` says which one).
WRITE_VERBS = frozenset({"POST", "PUT", "PATCH"})

_NAME = r"[A-Za-z0-9_][A-Za-z0-9_-]*"
# `<domain>::<name>`; both halves become URL segments, so no dots (Galaxy's `.json` suffix) or slashes.
_KEY_RE = re.compile(rf"^({_NAME})::({_NAME})$")
_SEGMENT_RE = re.compile(rf"^{_NAME}$")
_PY_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# --------------------------------------------------------------------------------------------- errors


class AliasMapError(ValueError):
    """The file cannot be used. ``str()`` is ``<source>:<line>: <problem>`` (line omitted when unknown)."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        self.source = source
        self.line = line
        self.problem = problem
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {problem}")


class TransformError(Exception):
    """A jq program failed at run time or did not yield exactly one value.

    ``detail`` carries jq's own message, which can quote pieces of the document;
    ``public_message`` never does.
    """

    direction: Literal["incoming", "outgoing"]

    def __init__(self, alias_key: str, detail: str) -> None:
        self.alias_key = alias_key
        self.detail = detail
        element = "JQIncoming" if self.direction == "incoming" else "JQOutgoing"
        self.public_message = f"The {element} transformation of alias {alias_key} failed"
        super().__init__(f"{self.public_message}: {detail}")


class IncomingTransformError(TransformError):
    """``JQIncoming`` failed on a client's body: a 400; the client may see ``str(err)`` (it quotes its own body)."""

    direction = "incoming"


class OutgoingTransformError(TransformError):
    """``JQOutgoing`` failed on a stored record: a 500; send ``public_message``, log ``detail`` at most."""

    direction = "outgoing"


class ActionRefused(ValueError):
    """Raised by an action (or made from its ``ValueError``) to refuse the request: a 400 with ``message``."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class ActionFailed(RuntimeError):
    """An action broke (raised something other than ``ValueError``, or returned neither a dict nor None): a 500.

    The original exception is ``__cause__``; ``str()`` names the action, never the payload.
    """


class RelationError(LookupError):
    """A relation parameter found no value in the caller's profile or the parent record: a 500 (configuration)."""


# ------------------------------------------------------------------------------------------------ jq


def _json_default(value: Any) -> Any:
    # Money may arrive as Decimal; passing its digits as a raw JSON number keeps them as written
    # (jq keeps the literal of a number it does not compute with).
    if isinstance(value, Decimal) and value.is_finite():
        return orjson.Fragment(str(value))
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _first_two(compiled: Any, text: str) -> tuple[list[Any], str | None]:
    """Up to two results of ``compiled`` on ``text``, or jq's error message.

    The binding's result iterator must be freed by reference counting, never by the cycle collector:
    its ``__dealloc__`` returns the jq state to the program's pool through attributes the collector
    has already cleared, which crashes the process (jq 1.13.0). An iterator caught in a traceback
    (frame -> exception -> frame) is exactly such a cycle, so it is deleted here before any exception
    leaves, and jq's error comes back as a string rather than as a chained exception.
    """
    results: list[Any] = []
    failure: str | None = None
    iterator: Iterator[Any] = iter(compiled.input_text(text))
    try:
        while len(results) < 2:
            try:
                results.append(next(iterator))
            except StopIteration:
                break
            except ValueError as exc:
                failure = str(exc)
                break
    finally:
        del iterator
    return results, failure


@dataclass(frozen=True)
class JqProgram:
    """A jq program compiled at load. An empty (or all-whitespace) text is the identity.

    A compiled program runs one input at a time; concurrent runs (a thread pool) each take a compiled
    copy from a small pool and give it back, so a copy is compiled (about 1 ms) only when all are busy.
    """

    text: str
    _pool: queue.SimpleQueue[Any] = field(default_factory=queue.SimpleQueue, repr=False, compare=False)

    @classmethod
    def compile(cls, text: str) -> JqProgram:
        """Compile ``text``; raises ``ValueError`` with jq's message when it does not compile."""
        program = cls(text.strip())
        if program.text:
            program._pool.put(jq.compile(program.text))
        return program

    @property
    def is_identity(self) -> bool:
        return not self.text

    def run(self, doc: Any) -> Any:
        """The single value the program yields for ``doc``.

        Raises ``ValueError`` if the document is not JSON, the program fails, or it yields no value
        or more than one (only the first two are ever computed, so an endless generator stops).
        """
        if not self.text:
            return doc
        try:
            text = orjson.dumps(doc, default=_json_default).decode()
        except TypeError as exc:
            raise ValueError(f"the document is not JSON: {exc}") from exc
        try:
            compiled = self._pool.get_nowait()
        except queue.Empty:
            compiled = jq.compile(self.text)
        try:
            results, failure = _first_two(compiled, text)
        finally:
            if self._pool.qsize() < _POOL_SIZE:
                self._pool.put(compiled)
        if failure is not None:
            raise ValueError(f"jq: {failure}")
        if not results:
            raise ValueError("the program produced no value (a transformation must produce exactly one)")
        if len(results) > 1:
            raise ValueError("the program produced more than one value (a transformation must produce exactly one;"
                             " wrap it in [...] to collect them)")
        return results[0]


# ------------------------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class ActionContext:
    """What an action knows about the request besides the payload.

    ``verb`` is ``POST``, ``PUT`` or ``PATCH``; ``record_id`` is the ``{ID}`` of a PUT/PATCH, and for
    OnAfterPost the stored record's ID (None before a POST). ``profile`` holds the caller's session
    values (e.g. ``CompanyID``) and is read-only.
    """

    verb: str
    alias_key: str
    domain: str
    uri_name: str
    entity_name: str | None = None
    record_id: str | None = None
    user: str | None = None
    profile: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.verb not in WRITE_VERBS:
            raise ValueError(f"actions run for {', '.join(sorted(WRITE_VERBS))}, not {self.verb}")
        if not isinstance(self.profile, MappingProxyType):
            object.__setattr__(self, "profile", MappingProxyType(dict(self.profile)))


Action = Callable[[dict[str, Any], dict[str, str], ActionContext], dict[str, Any] | None]


@dataclass(frozen=True)
class InvokeAction:
    """One ``<InvokeAction>``: a Python callable and its ``<Set>`` properties (values are strings, as written)."""

    class_name: str
    assembly_name: str | None
    properties: Mapping[str, str]
    line: int | None
    target: Action = field(repr=False, compare=False)

    def call(self, payload: dict[str, Any], context: ActionContext) -> dict[str, Any] | None:
        """Call the action. ``ValueError`` becomes :class:`ActionRefused`, anything else :class:`ActionFailed`."""
        try:
            # A fresh dict each call, so one request's action cannot change what the next one sees.
            result = self.target(payload, dict(self.properties), context)
        except ActionRefused:
            raise
        except ValueError as exc:
            raise ActionRefused(str(exc) or f"Refused by {self.class_name}") from exc
        except Exception as exc:
            raise ActionFailed(f"Action {self.class_name} failed: {type(exc).__name__}") from exc
        if result is not None and not isinstance(result, dict):
            raise ActionFailed(f"Action {self.class_name} returned {type(result).__name__};"
                               " it must return a dict or None")
        return result


def _resolve_callable(class_name: str) -> Any:
    """Import ``package.module:attr`` or ``package.module.attr`` (the longest importable module prefix wins)."""
    if ":" in class_name:
        module_name, _, attr_path = class_name.partition(":")
        candidates = [(module_name, attr_path)]
    else:
        parts = class_name.split(".")
        candidates = [(".".join(parts[:i]), ".".join(parts[i:])) for i in range(len(parts) - 1, 0, -1)]
    if not candidates or not all(_PY_NAME_RE.match(p) for m, a in candidates for p in (m.split(".") + a.split("."))):
        raise LookupError("it is not a Python name: write package.module:function or package.module.function")
    first_problem = ""
    for module_name, attr_path in candidates:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            # Only a missing *this* module means "try a shorter prefix"; a module that exists but
            # fails to import its own dependencies is a real error to report.
            if exc.name is not None and module_name != exc.name and not module_name.startswith(exc.name + "."):
                raise LookupError(f"importing module {module_name} failed: {exc}") from exc
            first_problem = first_problem or f"no module named {exc.name}"
            continue
        except Exception as exc:
            raise LookupError(f"importing module {module_name} failed: {type(exc).__name__}: {exc}") from exc
        target: Any = module
        for attr in attr_path.split("."):
            if not hasattr(target, attr):
                raise LookupError(f"module {module_name} has no {attr_path}")
            target = getattr(target, attr)
        return target
    raise LookupError(first_problem)


def _check_action_target(target: Any) -> str | None:
    """Why ``target`` cannot be an action, or None."""
    if inspect.isclass(target):
        return "it names a class; name a function (or any callable object) instead"
    if not callable(target):
        return f"it is a {type(target).__name__}, not callable"
    try:
        inspect.signature(target).bind(None, None, None)
    except TypeError:
        return "it cannot be called as fn(payload, properties, context)"
    except ValueError:
        pass  # no signature to inspect (some builtins): trust it
    return None


# ------------------------------------------------------------------------------------------ relations

ParameterType = Literal["Profile", "RequestObject"]
_PARAMETER_TYPES: dict[str, ParameterType] = {"profile": "Profile", "requestobject": "RequestObject"}


def _lookup(values: Mapping[str, Any], name: str) -> tuple[bool, Any]:
    # Galaxy names are case-insensitive; an exact match wins over a case-folded one.
    if name in values:
        return True, values[name]
    folded = name.casefold()
    for key, value in values.items():
        if isinstance(key, str) and key.casefold() == folded:
            return True, value
    return False, None


@dataclass(frozen=True)
class RelationParameter:
    """``<Parameter Name Type Alias>``: ``Profile`` reads the caller's profile value ``Alias`` (default
    ``Name``); ``RequestObject`` reads the parent record's field ``Alias`` (default ``Name``)."""

    name: str
    type: ParameterType
    alias: str | None
    line: int | None

    @property
    def source_name(self) -> str:
        return self.alias or self.name

    def value(self, profile: Mapping[str, Any], parent: Mapping[str, Any]) -> Any:
        values, what = (profile, "the caller's profile") if self.type == "Profile" else (parent, "the parent record")
        found, value = _lookup(values, self.source_name)
        if not found:
            raise RelationError(f"Relation parameter {self.name}: {what} has no {self.source_name}")
        return value


@dataclass(frozen=True)
class Relation:
    """``<Relation>``: a sub-collection ``/api/{domain}/entities/{alias}/{ID}/{name}`` served by calling
    the operation ``relation_operation`` (on ``relation_object``) with :meth:`arguments`."""

    name: str
    parent_alias: str
    relation_object: str | None
    relation_operation: str
    result_base_uri: str | None
    result_id_field: str | None
    parameters: tuple[RelationParameter, ...]
    line: int | None

    def arguments(self, profile: Mapping[str, Any], parent: Mapping[str, Any]) -> dict[str, Any]:
        """The operation's arguments by parameter name, in file order; values are passed as found.

        ``profile`` holds the caller's session values, ``parent`` the parent record (as the dialect shows
        it, before JQOutgoing). Raises :class:`RelationError` when a value is missing.
        """
        return {p.name: p.value(profile, parent) for p in self.parameters}

    def result_uri(self, row: Mapping[str, Any]) -> str | None:
        """``<ResultObjectBaseURI>/<row[ResultIDField]>``; None when either is not set or the row has no ID."""
        if not self.result_base_uri or not self.result_id_field:
            return None
        found, value = _lookup(row, self.result_id_field)
        if not found or value is None:
            return None
        return f"{self.result_base_uri.rstrip('/')}/{value}"


# --------------------------------------------------------------------------------------------- alias


@dataclass(frozen=True)
class Alias:
    """One ``<Alias>``.

    With ``UriName`` it adds the URL ``/api/{domain}/entities/{uri_name}`` serving ``entity_name``
    (``adds_url`` is True). Without it, it adds behaviour to the existing URL named by the key's name
    part (``glx::commercialentry`` → ``/api/glx/entities/commercialentry``).
    """

    key: str
    domain: str
    uri_name: str
    adds_url: bool
    entity_name: str | None
    jq_outgoing: JqProgram
    jq_incoming: JqProgram
    before_post: tuple[InvokeAction, ...]
    after_post: tuple[InvokeAction, ...]
    relations: tuple[Relation, ...]
    line: int | None
    #: Attributes kept for the record but meaningless here (ObjectName, CollectionType, ...).
    dotnet: Mapping[str, str] = field(default_factory=dict)

    def outgoing(self, doc: Any) -> Any:
        """``JQOutgoing`` applied to a record on its way out (identity when empty); :class:`OutgoingTransformError`."""
        try:
            return self.jq_outgoing.run(doc)
        except ValueError as exc:
            raise OutgoingTransformError(self.key, str(exc)) from exc

    def incoming(self, doc: Any) -> Any:
        """``JQIncoming`` applied to a client's body (identity when empty); :class:`IncomingTransformError`."""
        try:
            return self.jq_incoming.run(doc)
        except ValueError as exc:
            raise IncomingTransformError(self.key, str(exc)) from exc

    def relation(self, name: str) -> Relation | None:
        folded = name.casefold()
        return next((r for r in self.relations if r.name.casefold() == folded), None)

    def run_before_post(self, payload: Any, context: ActionContext) -> dict[str, Any]:
        """Run the OnBeforePost actions in file order; each sees the previous one's payload.

        An action may change ``payload`` in place or return a new dict that replaces it. Returns the
        payload to write. Raises :class:`ActionRefused` (400) or :class:`ActionFailed` (500).
        """
        if not self.before_post:
            return payload
        if not isinstance(payload, dict):
            raise ActionRefused("The request body must be a JSON object")
        for action in self.before_post:
            result = action.call(payload, context)
            if result is not None:
                payload = result
        return payload

    def run_after_post(self, stored: Any, context: ActionContext) -> list[ActionFailed]:
        """Run the OnAfterPost actions with the stored record; their return values are ignored.

        The write has already happened, so nothing here can undo it or change the answer: each action
        gets its own deep copy, and a failing action (refusal included) is logged and returned, and the
        next action still runs.
        """
        failures: list[ActionFailed] = []
        for action in self.after_post:
            try:
                action.call(copy.deepcopy(stored), context)
            except (ActionFailed, ActionRefused) as exc:
                failure = exc if isinstance(exc, ActionFailed) else ActionFailed(
                    f"Action {action.class_name} refused after the write: {exc.message}")
                if failure is not exc:
                    failure.__cause__ = exc
                log.error("OnAfterPost action failed for %s %s %s: %s", context.verb, self.key,
                          context.record_id, failure, exc_info=failure.__cause__)
                failures.append(failure)
        return failures


# ----------------------------------------------------------------------------------------------- map


@dataclass(frozen=True)
class AliasMap:
    """Every alias of one file, found by key or by (domain, uri name); lookups ignore case."""

    source: str
    aliases: tuple[Alias, ...] = ()
    _by_uri: Mapping[tuple[str, str], Alias] = field(default_factory=dict, repr=False, compare=False)
    _by_key: Mapping[str, Alias] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_uri", {(a.domain.casefold(), a.uri_name.casefold()): a for a in self.aliases})
        object.__setattr__(self, "_by_key", {a.key.casefold(): a for a in self.aliases})

    @classmethod
    def empty(cls, source: str = "<none>") -> AliasMap:
        return cls(source)

    @classmethod
    def load(cls, path: Path) -> AliasMap:
        """Read and check ``path``; a missing file is an empty map. Raises :class:`AliasMapError`."""
        source = str(path)
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            return cls.empty(source)
        except OSError as exc:
            raise AliasMapError(source, None, f"cannot be read: {exc.strerror or exc}") from exc
        return cls.parse(data, source)

    @classmethod
    def parse(cls, xml_bytes: bytes, source: str = "AliasMap.xml") -> AliasMap:
        """Parse and check a whole file: jq programs are compiled and actions imported here.

        Raises :class:`AliasMapError` naming ``source``, the line and the problem.
        """
        if len(xml_bytes) > MAX_FILE_BYTES:
            raise AliasMapError(source, None, f"is larger than {MAX_FILE_BYTES} bytes")
        return cls(source, tuple(_Parser(source).parse(xml_bytes)))

    def __len__(self) -> int:
        return len(self.aliases)

    def alias(self, domain: str, uri_name: str) -> Alias | None:
        """The alias serving or decorating ``/api/{domain}/entities/{uri_name}``, if any."""
        return self._by_uri.get((domain.casefold(), uri_name.casefold()))

    def by_key(self, key: str) -> Alias | None:
        return self._by_key.get(key.casefold())

    def url_aliases(self, domain: str | None = None) -> list[Alias]:
        """The aliases that add a URL (for listing entities), in file order."""
        return [a for a in self.aliases
                if a.adds_url and (domain is None or a.domain.casefold() == domain.casefold())]

    def check(self, *, entities: Container[str], uris: Container[tuple[str, str]],
              operations: Container[str] | None = None) -> None:
        """Check the map against what the server serves; call it at start after :meth:`load`.

        ``entities``: the entity names an ``EntityName`` may give (``Galaxy:Trader``), compared exactly.
        ``uris``: the existing ``(domain, uri name)`` pairs, case-folded. An alias that adds a URL must
        not take an existing one; an alias without ``UriName`` must decorate an existing one.
        ``operations``: when given, the names a ``RelationOperation`` may give.
        Raises :class:`AliasMapError` for the first problem.
        """
        for a in self.aliases:
            pair = (a.domain.casefold(), a.uri_name.casefold())
            if a.entity_name is not None and a.entity_name not in entities:
                raise AliasMapError(self.source, a.line, f"Alias {a.key}: EntityName {a.entity_name!r} is not an entity"
                                    " this server has")
            if a.adds_url and pair in uris:
                raise AliasMapError(self.source, a.line, f"Alias {a.key}: UriName {a.uri_name!r} is already an entity"
                                    f" URL in domain {a.domain}; choose another name")
            if not a.adds_url and pair not in uris:
                raise AliasMapError(self.source, a.line, f"Alias {a.key}: there is no entity {a.uri_name!r} in domain"
                                    f" {a.domain} to attach to (give UriName and EntityName to add a new URL)")
            for r in a.relations:
                if operations is not None and r.relation_operation not in operations:
                    raise AliasMapError(self.source, r.line, f"Relation {r.name}: RelationOperation"
                                        f" {r.relation_operation!r} is not an operation this server has")


# ------------------------------------------------------------------------------------------- parsing

_ALIAS_ATTRS = {"Key", "UriName", "ObjectName", "EntityName", "IsArray", "IsService", "CollectionType",
                "CollectionItemType"}
_DOTNET_ATTRS = ("ObjectName", "CollectionType", "CollectionItemType", "IsArray", "IsService")
_RELATION_ATTRS = {"Name", "ParentAlias", "RelationObject", "RelationOperation", "ResultObjectBaseURI",
                   "ResultIDField"}


# Where each element goes, to answer "unknown element" for one put at the wrong level.
_HOME = {"Alias": "AliasMapConfig", "JQOutgoing": "Alias", "JQIncoming": "Alias", "OnBeforePost": "Alias",
         "OnAfterPost": "Alias", "Relations": "Alias", "Actions": "OnBeforePost> or <OnAfterPost",
         "InvokeAction": "Actions", "Properties": "InvokeAction", "Set": "Properties", "Relation": "Relations",
         "Parameters": "Relation", "Parameter": "Parameters"}


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: list[bytes] = []

    def error(self, element: etree._Element | None, problem: str) -> AliasMapError:
        return AliasMapError(self.source, self.line(element) if element is not None else None, problem)

    def line(self, element: etree._Element) -> int | None:
        """The line where ``element``'s start tag begins.

        libxml2 reports the line where the start tag *ends*, which for the seed's eight-line ``<Alias``
        is seven lines late. '<' cannot occur inside a start tag, so the nearest line at or above that
        one holding ``<Name`` is where it begins.
        """
        end = element.sourceline
        if end is None or not isinstance(element.tag, str):
            return end
        name = safexml.local_name(element)
        qname = f"{element.prefix}:{name}" if element.prefix else name
        pattern = re.compile(rb"<" + re.escape(qname.encode()) + rb"(?:[\s/>]|$)")
        for number in range(min(end, len(self.lines)), max(end - 200, 0), -1):
            if pattern.search(self.lines[number - 1]):
                return number
        return end

    # -- structure helpers

    def children(self, element: etree._Element, allowed: dict[str, bool]) -> dict[str, list[etree._Element]]:
        """Child elements by name; ``allowed`` maps each known name to "may repeat". Stray text is an error."""
        self.no_text(element)
        found: dict[str, list[etree._Element]] = {name: [] for name in allowed}
        for child in element:
            if not isinstance(child.tag, str):  # comments and processing instructions
                self.no_tail(child, element)
                continue
            name = safexml.local_name(child)
            if name not in allowed:
                hint = f" (it belongs inside <{_HOME[name]}>)" if name in _HOME else _suggest(name, allowed)
                raise self.error(child, f"unknown element <{name}> in <{safexml.local_name(element)}>"
                                 + hint + f" (allowed: {_names(allowed) or 'none'})")
            if found[name] and not allowed[name]:
                raise self.error(child, f"<{name}> appears twice in <{safexml.local_name(element)}>")
            found[name].append(child)
            self.no_tail(child, element)
        return found

    def no_text(self, element: etree._Element) -> None:
        if element.text and element.text.strip():
            text = element.text.strip()[:40]
            raise self.error(element, f"unexpected text {text!r} in <{safexml.local_name(element)}>")

    def no_tail(self, child: etree._Element, parent: etree._Element) -> None:
        if child.tail and child.tail.strip():
            raise self.error(child, f"unexpected text {child.tail.strip()[:40]!r} in <{safexml.local_name(parent)}>")

    def attributes(self, element: etree._Element, allowed: set[str], required: set[str]) -> dict[str, str]:
        name = safexml.local_name(element)
        values: dict[str, str] = {}
        for raw_name, value in element.attrib.items():
            attr = etree.QName(raw_name).localname
            if attr not in allowed:
                raise self.error(element, f"unknown attribute {attr} on <{name}>" + _suggest(attr, allowed)
                                 + (f" (allowed: {_names(allowed)})" if allowed else " (it takes none)"))
            values[attr] = value
        for attr in sorted(required):
            if not values.get(attr, "").strip():
                raise self.error(element, f"<{name}> needs a non-empty {attr} attribute")
        return values

    # -- the file

    def parse(self, data: bytes) -> list[Alias]:
        self.lines = data.split(b"\n")
        try:
            root = safexml.parse(data)
        except safexml.UnsafeXml as exc:
            raise AliasMapError(self.source, None, str(exc)) from exc
        except ValueError as exc:
            cause = exc.__cause__
            line = getattr(cause, "lineno", None) if isinstance(cause, etree.XMLSyntaxError) else None
            raise AliasMapError(self.source, line, str(exc)) from exc
        if safexml.local_name(root) != "AliasMapConfig":
            raise self.error(root, f"the root element is <{safexml.local_name(root)}>; it must be <AliasMapConfig>")
        self.attributes(root, set(), set())
        aliases: list[Alias] = []
        keys: dict[str, Alias] = {}
        uris: dict[tuple[str, str], Alias] = {}
        for element in self.children(root, {"Alias": True})["Alias"]:
            alias = self.alias(element)
            earlier = keys.get(alias.key.casefold())
            if earlier is not None:
                raise self.error(element, f"Alias key {alias.key} is already used at line {earlier.line}")
            pair = (alias.domain.casefold(), alias.uri_name.casefold())
            earlier = uris.get(pair)
            if earlier is not None:
                raise self.error(element, f"Alias {alias.key} serves /api/{alias.domain}/entities/{alias.uri_name},"
                                 f" already used by alias {earlier.key} at line {earlier.line}; merge the two")
            keys[alias.key.casefold()] = alias
            uris[pair] = alias
            aliases.append(alias)
        return aliases

    def alias(self, element: etree._Element) -> Alias:
        attrs = self.attributes(element, _ALIAS_ATTRS, {"Key"})
        key = attrs["Key"].strip()
        match = _KEY_RE.match(key)
        if not match:
            raise self.error(element, f"Alias Key {key!r} must be <domain>::<name> (letters, digits, _ and -),"
                             " e.g. glx::customers")
        domain, name = match.groups()
        uri_name = attrs.get("UriName")
        if uri_name is not None:
            uri_name = uri_name.strip()
            if not _SEGMENT_RE.match(uri_name):
                raise self.error(element, f"Alias {key}: UriName {uri_name!r} must be one URL segment"
                                 " (letters, digits, _ and -)")
        entity_name = attrs.get("EntityName", "").strip() or None
        if uri_name is not None and entity_name is None:
            raise self.error(element, f"Alias {key}: UriName adds a URL, so EntityName must say which entity it serves")
        for flag in ("IsArray", "IsService"):
            value = attrs.get(flag)
            if value is not None and value.strip().lower() not in ("false", "true"):
                raise self.error(element, f"Alias {key}: {flag} must be true or false, not {value!r}")
            if value is not None and value.strip().lower() == "true":
                raise self.error(element, f"Alias {key}: {flag}=\"true\" is not supported here; an alias always"
                                 " serves an entity's records one at a time")
        parts = self.children(element, {"JQOutgoing": False, "JQIncoming": False, "OnBeforePost": False,
                                        "OnAfterPost": False, "Relations": False})
        return Alias(
            key=key, domain=domain, uri_name=uri_name or name, adds_url=uri_name is not None,
            entity_name=entity_name,
            jq_outgoing=self.jq(key, parts["JQOutgoing"]), jq_incoming=self.jq(key, parts["JQIncoming"]),
            before_post=self.actions(key, parts["OnBeforePost"]), after_post=self.actions(key, parts["OnAfterPost"]),
            relations=self.relations(key, parts["Relations"]),
            line=self.line(element),
            dotnet={k: attrs[k] for k in _DOTNET_ATTRS if k in attrs},
        )

    def jq(self, key: str, elements: list[etree._Element]) -> JqProgram:
        if not elements:
            return JqProgram("")
        element = elements[0]
        name = safexml.local_name(element)
        self.attributes(element, set(), set())
        for child in element:
            if isinstance(child.tag, str):
                raise self.error(child, f"<{name}> holds a jq program as text, not elements"
                                 " (write < as &lt; or wrap the program in <![CDATA[ ... ]]>)")
        # itertext skips comments, so an XML comment inside the program is dropped, as XML says.
        text = "".join(element.itertext())
        try:
            return JqProgram.compile(text)
        except ValueError as exc:
            message = " ".join(str(exc).split())
            raise self.error(element, f"Alias {key}: the {name} program does not compile: {message}") from exc

    def actions(self, key: str, elements: list[etree._Element]) -> tuple[InvokeAction, ...]:
        if not elements:
            return ()
        hook = elements[0]
        self.attributes(hook, set(), set())
        result: list[InvokeAction] = []
        for actions in self.children(hook, {"Actions": False})["Actions"]:
            self.attributes(actions, set(), set())
            for invoke in self.children(actions, {"InvokeAction": True})["InvokeAction"]:
                result.append(self.invoke(key, safexml.local_name(hook), invoke))
        return tuple(result)

    def invoke(self, key: str, hook: str, element: etree._Element) -> InvokeAction:
        attrs = self.attributes(element, {"ClassName", "AssemblyName"}, {"ClassName"})
        class_name = attrs["ClassName"].strip()
        assembly = attrs.get("AssemblyName", "").strip() or None
        properties: dict[str, str] = {}
        for props in self.children(element, {"Properties": False})["Properties"]:
            self.attributes(props, set(), set())
            for item in self.children(props, {"Set": True})["Set"]:
                self.no_text(item)
                if len(item):
                    raise self.error(item, "<Set> takes no child elements")
                set_attrs = self.attributes(item, {"Prop", "Value"}, {"Prop"})
                if "Value" not in set_attrs:
                    raise self.error(item, f"<Set Prop=\"{set_attrs['Prop']}\"> needs a Value attribute"
                                     " (Value=\"\" for an empty string)")
                prop = set_attrs["Prop"].strip()
                if prop in properties:
                    raise self.error(item, f"{hook} action {class_name}: property {prop} is set twice")
                properties[prop] = set_attrs["Value"]  # exactly as written, e.g. "1;2;3;4;5"
        where = f"Alias {key}, {hook}: ClassName {class_name!r}" + (f" (AssemblyName {assembly!r})" if assembly else "")
        try:
            target = _resolve_callable(class_name)
        except LookupError as exc:
            hint = ""
            if assembly is not None or class_name[:1].isupper():
                hint = ("; this looks like a .NET class: backoffice runs Python callables, so write"
                        " ClassName=\"package.module:function\" (see docs/galaxy_aliasmap.md)")
            raise self.error(element, f"{where} names no Python callable: {exc}{hint}") from exc
        problem = _check_action_target(target)
        if problem:
            raise self.error(element, f"{where}: {problem}")
        return InvokeAction(class_name, assembly, MappingProxyType(properties), self.line(element), target)

    def relations(self, key: str, elements: list[etree._Element]) -> tuple[Relation, ...]:
        if not elements:
            return ()
        self.attributes(elements[0], set(), set())
        result: list[Relation] = []
        names: dict[str, Relation] = {}
        for element in self.children(elements[0], {"Relation": True})["Relation"]:
            relation = self.relation(key, element)
            earlier = names.get(relation.name.casefold())
            if earlier is not None:
                raise self.error(element, f"Alias {key}: relation {relation.name} is already defined at line"
                                 f" {earlier.line}")
            names[relation.name.casefold()] = relation
            result.append(relation)
        return tuple(result)

    def relation(self, key: str, element: etree._Element) -> Relation:
        attrs = self.attributes(element, _RELATION_ATTRS, {"Name", "RelationOperation"})
        name = attrs["Name"].strip()
        if not _SEGMENT_RE.match(name):
            raise self.error(element, f"Alias {key}: relation Name {name!r} must be one URL segment"
                             " (letters, digits, _ and -)")
        parent = attrs.get("ParentAlias", "").strip() or key
        if parent.casefold() != key.casefold():
            raise self.error(element, f"Relation {name}: ParentAlias {parent!r} must be the enclosing alias {key}")
        base = attrs.get("ResultObjectBaseURI", "").strip() or None
        if base is not None and not base.startswith("/"):
            raise self.error(element, f"Relation {name}: ResultObjectBaseURI {base!r} must be a path starting with /")
        parameters: list[RelationParameter] = []
        seen: set[str] = set()
        params = self.children(element, {"Parameters": False})["Parameters"]
        for holder in params:
            self.attributes(holder, set(), set())
            for item in self.children(holder, {"Parameter": True})["Parameter"]:
                self.children(item, {})
                p_attrs = self.attributes(item, {"Name", "Type", "Alias"}, {"Name", "Type"})
                p_name = p_attrs["Name"].strip()
                p_type = _PARAMETER_TYPES.get(p_attrs["Type"].strip().casefold())
                if p_type is None:
                    raise self.error(item, f"Relation {name}: parameter {p_name} has Type {p_attrs['Type']!r};"
                                     " it must be Profile or RequestObject")
                if p_name.casefold() in seen:
                    raise self.error(item, f"Relation {name}: parameter {p_name} is given twice")
                seen.add(p_name.casefold())
                parameters.append(RelationParameter(p_name, p_type, p_attrs.get("Alias", "").strip() or None,
                                                    self.line(item)))
        return Relation(
            name=name, parent_alias=parent, relation_object=attrs.get("RelationObject", "").strip() or None,
            relation_operation=attrs["RelationOperation"].strip(), result_base_uri=base,
            result_id_field=attrs.get("ResultIDField", "").strip() or None,
            parameters=tuple(parameters), line=self.line(element),
        )


def _names(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))


def _suggest(name: str, known: Iterable[str]) -> str:
    by_fold = {k.casefold(): k for k in known}
    if name.casefold() in by_fold:
        return f" (names are case-sensitive: did you mean {by_fold[name.casefold()]}?)"
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""
