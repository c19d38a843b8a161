"""Importing a CSV file of one object type into an organization: validated row by row, matched to
existing rows in batches, written with executemany, all inside one SAVEPOINT so that an import
whose failures pass the threshold leaves nothing behind.

How a file is read, in order:

1. The header (columns in any case) is checked against the type: an unknown or repeated column,
   or a mandatory column that is missing, refuses the whole file (Invalid, nothing written).
   ExportOnly columns are skipped. Two extra columns are understood: ``ImportAction`` (empty or
   ``Upsert``, ``Delete``, ``Restore``) and ``Translations`` (the row's texts in other languages,
   as JSON; snapshots carry it so that restoring one is exact in every language).
2. Each row is converted (types, ranges, lengths, mandatory values) and placed: the Id finds the
   row to update, else the natural key does, else the row is inserted with a new id. A row that
   cannot be placed fails with a reason; the others are written batch by batch.
3. At the end the outcome is decided by the failure threshold; the failed rows go to ``errors``
   and, unless the import ends in Error, the snapshot of what it replaced goes to ``snapshot``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..catalog import CATALOG
from ..catalog.menu import InterchangeColumn, InterchangeType
from ..clock import now
from ..errors import Invalid
from ..numbering import next_change, reserve
from ..orgs import BASE_LANGUAGE
from ..store.tables import ENTITY_TABLES, sequence
from .csvfiles import (
    INT32,
    INT64,
    Spool,
    column_parser,
    few_collections,
    format_decimal,
    int_parser,
    parse_bool,
    parse_decimal,
    read_csv,
    string_parser,
)
from .interchange import Binding, Place, Scope, bind, definition_t, master_t, price_t, resolve

# RequestStatus values an import ends in.
COMPLETE, COMPLETED_WITH_ERRORS, ERROR = 4, 5, 6
ACTION_COLUMN = "ImportAction"
TRANSLATIONS_COLUMN = "Translations"
UPSERT, DELETE, RESTORE = 0, 1, 2
_ACTIONS = {"": UPSERT, "upsert": UPSERT, "delete": DELETE, "restore": RESTORE}
# Rows matched and written per round; the lookups of a batch are a few IN-list statements.
BATCH = 25_000
# Values per IN list (SQLite allows 32,766 parameters per statement, psycopg 65,535).
IN_CHUNK = 5_000
SYMPHONY_IDS = "SymphonyObject"


@dataclass
class ImportOutcome:
    """How an import ended: ``status`` is 4 Complete, 5 CompletedWithErrors or 6 Error (nothing written)."""

    rows_total: int
    rows_failed: int
    status: int
    message: str = ""


# --- the header ---------------------------------------------------------------------------------


def _ignore(_text: str) -> None:
    return None


def _parse_action(text: str) -> int:
    try:
        return _ACTIONS[text.strip().lower()]
    except KeyError:
        raise ValueError(f"'{text}' is not Upsert, Delete or Restore") from None


def _translations_parser(kind: InterchangeType) -> Callable[[str], str | None]:
    names = {c.name for c in kind.columns if c.translated}

    def parse(text: str) -> str | None:
        try:
            value = json.loads(text)
        except ValueError:
            raise ValueError("is not JSON") from None
        if not isinstance(value, dict):
            raise ValueError('is not {"<LangId>": {"<column>": "text"}}')
        for lang, texts in value.items():
            if not lang.isdigit() or not isinstance(texts, dict):
                raise ValueError('is not {"<LangId>": {"<column>": "text"}}')
            for name, item in texts.items():
                if name not in names or not isinstance(item, str):
                    raise ValueError(f"names '{name}', which is not a translated column, or holds a non-text value")
        return text  # kept as written: a snapshot gives back exactly what was stored

    return parse


def _column_parser(binding: Binding, column: InterchangeColumn) -> Callable[[str], Any]:
    if column.kind == "Int32":
        return int_parser(*INT32)
    if column.kind == "Int64":
        return int_parser(*INT64)
    if column.kind == "Decimal":
        return parse_decimal
    if column.kind == "Boolean":
        return parse_bool
    return string_parser(binding.field_length(column))


@dataclass
class _Header:
    """The file's header resolved against the type: per position, how to parse it and where it goes."""

    names: list[str]
    parsers: list[Callable[[str], Any]]
    # Per position, a converter of a whole column (see csvfiles.column_parser), or None.
    column_parsers: list[Callable[[list[str]], list[Any]] | None]
    columns: list[InterchangeColumn | None]  # None: ImportAction, Translations or an ExportOnly column
    id_pos: int | None
    action_pos: int | None
    translations_pos: int | None
    key_pos: tuple[int, ...]
    hierarchy_pos: int
    reference_pos: int | None
    mandatory: list[int]
    # Values of these positions go to the row's l10n (a language other than the base one).
    to_l10n: list[int] = field(default_factory=list)
    # Positions written to their column by an update.
    written: list[int] = field(default_factory=list)


def _read_header(binding: Binding, names: list[str], language: int) -> _Header:
    kind = binding.kind
    parsers: list[Callable[[str], Any]] = []
    columns: list[InterchangeColumn | None] = []
    positions: dict[str, int] = {}
    id_pos = action_pos = translations_pos = None
    for pos, raw in enumerate(names):
        name = raw.strip()
        if name.lower() in positions:
            raise Invalid.field(name, f"The column {name} appears twice in the header", "DuplicateColumn")
        positions[name.lower()] = pos
        if name.lower() == ACTION_COLUMN.lower():
            action_pos = pos
            parsers.append(_parse_action)
            columns.append(None)
            continue
        if name.lower() == TRANSLATIONS_COLUMN.lower() and binding.has_l10n:
            translations_pos = pos
            parsers.append(_translations_parser(kind))
            columns.append(None)
            continue
        try:
            column = kind.column(name)
        except KeyError:
            raise Invalid.field(name, f"{kind.short_name} has no column '{name}'", "UnknownColumn") from None
        if column.export_only:
            parsers.append(_ignore)
            columns.append(None)
            continue
        if column.field == kind.id_field:
            id_pos = pos
        parsers.append(_column_parser(binding, column))
        columns.append(column)
    missing = [c.name for c in kind.columns if not c.nullable and not c.export_only and c.name.lower() not in positions]
    if missing:
        raise Invalid(f"The file has no {', '.join(missing)} column: {kind.short_name} needs "
                      f"{'it' if len(missing) == 1 else 'them'}", code="MissingColumn")
    reference = {"MenuItemDefinition": "menu_item_master_id", "MenuItemPrice": "menu_item_def_id"}.get(kind.entity)
    by_field = {c.field: pos for pos, c in enumerate(columns) if c is not None}
    header = _Header(
        names=names, parsers=parsers, columns=columns,
        column_parsers=[column_parser(c.kind, binding.field_length(c)) if c is not None else None
                        for c in columns],
        id_pos=id_pos, action_pos=action_pos,
        translations_pos=translations_pos,
        key_pos=tuple(positions[n.lower()] for n in kind.natural_key),
        hierarchy_pos=by_field["hierarchy_id"],
        reference_pos=by_field.get(reference) if reference else None,
        mandatory=[pos for pos, c in enumerate(columns) if c is not None and not c.nullable],
    )
    # With a Translations column the file carries base texts in the translated columns (a snapshot).
    per_language = language != BASE_LANGUAGE and translations_pos is None
    for pos, c in enumerate(columns):
        if c is None or pos == id_pos:
            continue
        if per_language and c.translated:
            header.to_l10n.append(pos)
        else:
            header.written.append(pos)
    return header


# --- l10n ---------------------------------------------------------------------------------------


def _dump_l10n(value: dict[str, Any]) -> str | None:
    cleaned = {lang: texts for lang, texts in value.items() if texts}
    return json.dumps(cleaned, ensure_ascii=False, sort_keys=True) if cleaned else None


def _merge_l10n(current: str | None, language: str, texts: dict[str, str | None]) -> str | None:
    """The row's l10n with ``texts`` set in ``language``; a None text removes the translation (the
    column then shows its base text in that language)."""
    value = json.loads(current) if current else {}
    own = dict(value.get(language) or {})
    for name, text in texts.items():
        if text is None:
            own.pop(name, None)
        else:
            own[name] = text
    value[language] = own
    return _dump_l10n(value)


# --- the import -----------------------------------------------------------------------------------


class _Marker:
    """Where the value at ``index`` of a chunk goes in a compiled lookup (see ``_Import._fetch_in``)."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


class _Row:
    """A data row of the file: its number (1 = the first after the header), its fields as read, its
    converted values by header position, its Id, ImportAction and natural key."""

    __slots__ = ("num", "raw", "vals", "rid", "action", "key")

    def __init__(self, num: int, raw: list[str], vals: tuple[Any, ...], rid: int | None, action: int,
                 key: tuple[Any, ...] = ()) -> None:
        self.num = num
        self.raw = raw
        self.vals = vals
        self.rid = rid
        self.action = action
        self.key = key


def _getter(positions: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """A C-speed picker of several positions, always returning a tuple."""
    if len(positions) == 1:
        only = positions[0]
        return lambda values: (values[only],)
    return itemgetter(*positions)


# A current row as loaded: the snapshot's columns in order, then l10n, then change_no.
Current = tuple[Any, ...]
Failures = list[tuple[_Row, str]]


class _Import:
    """One import's state: the scope, the stamps every written row gets, the spooled files, and
    the statements and pickers made once for the file's header."""

    def __init__(self, conn: Connection, binding: Binding, place: Place, header: _Header) -> None:
        self.conn = conn
        self.binding = binding
        self.kind = binding.kind
        self.table = binding.table
        self.place = place
        self.header = header
        self.language = str(place.language)
        self.stamp = now()
        self.change_no = next_change(conn)
        # Raw DBAPI parameters: the stamp as SQLAlchemy itself would store it (text on SQLite).
        process = sa.DateTime().dialect_impl(conn.dialect).bind_processor(conn.dialect)
        self.db_stamp = process(self.stamp) if process else self.stamp
        self.mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        # PostgreSQL takes bulk rows by COPY (see _copy_rows, _update_by_copy).
        self.copy = conn.dialect.name == "postgresql"
        self._temporaries: dict[str, str] = {}
        # Rows the table held when last ANALYZEd (None: not yet in this import), and added since.
        self.measured: int | None = None
        self.grown = 0
        self.total = 0
        self.failed = 0
        self.errors = Spool()
        self.errors.csv.write([*header.names, "RowNumber", "Error"])
        # The snapshot: deletions of inserted rows come first, so restoring frees their keys before
        # the rows that held them are put back.
        self.undo_inserts = Spool()
        self.undo_changes = Spool()
        snapshot_columns = [c for c in self.kind.columns if not c.export_only]
        self.snapshot_has_l10n = binding.has_l10n and any(c.translated for c in self.kind.columns)
        self.undo_inserts.csv.write([c.name for c in snapshot_columns]
                                    + ([TRANSLATIONS_COLUMN] if self.snapshot_has_l10n else []) + [ACTION_COLUMN])
        self.loaded_fields = [c.field for c in snapshot_columns]
        self.at = {f: i for i, f in enumerate(self.loaded_fields)}
        self.at_id = self.at[self.kind.id_field]
        self.at_hierarchy = self.at["hierarchy_id"]
        self.at_l10n = len(self.loaded_fields)
        self.at_change = self.at_l10n + 1
        self.decimal_at = [i for i, c in enumerate(snapshot_columns) if c.kind == "Decimal"]
        key_fields = [header.columns[p].field for p in header.key_pos]  # type: ignore[union-attr]
        self.current_key = _getter([self.at[f] for f in key_fields])
        self.row_key = _getter(header.key_pos)
        # An inserted row's snapshot line: its new Id and natural key, ImportAction Delete.
        self.insert_line: list[Any] = [None] * (self.at_l10n + (1 if self.snapshot_has_l10n else 0)) + ["Delete"]
        self.insert_line_keys = list(zip([self.at[f] for f in key_fields], header.key_pos, strict=True))
        # Definitions (for prices) or masters (for definitions) whose master's main price may change.
        self.parents_touched: set[int] = set()
        self._compiled: dict[str, tuple[str, Any, list[tuple[Any, int]]]] = {}
        self.next_free_id: int | None = None
        self._prepare_statements()

    # -- statements --

    def _prepare_statements(self) -> None:
        t, h, kind = self.table, self.header, self.kind
        mark = self.mark
        self.update_l10n = bool(h.to_l10n) or h.translations_pos is not None

        def update_sql(positions: list[int]) -> str:
            sets = [f"{h.columns[p].field} = {mark}" for p in positions]  # type: ignore[union-attr]
            if self.update_l10n:
                sets.append(f"l10n = {mark}")
            sets += ["revision = revision + 1", f"last_saved = {mark}", f"change_no = {mark}"]
            return f"UPDATE {t.name} SET {', '.join(sets)} WHERE {kind.id_field} = {mark}"

        # Rows found by their natural key keep it: leaving the key out of the SET spares the
        # database rewriting its index entries.
        keep_key = [p for p in h.written if p not in h.key_pos]
        self.update_full = (update_sql(h.written), _getter(h.written) if h.written else lambda _v: ())
        self.update_same_key = (update_sql(keep_key), _getter(keep_key) if keep_key else lambda _v: ())

        entity = CATALOG.entity(kind.entity)
        names = [c.name for c in t.columns]
        width = len(h.columns)
        # Each inserted row is picked from [*values by header position, id, l10n, inventory_id,
        # part_no, *constants]: one itemgetter call builds the parameter tuple.
        extra = {kind.id_field: width, "l10n": width + 1}
        if self.binding.is_master:
            extra.update(inventory_id=width + 2, part_no=width + 3)
        from_file = {c.field: pos for pos, c in enumerate(h.columns) if c is not None and c.field not in extra}
        constants: list[Any] = []
        picks: list[int] = []
        base = width + 4
        stamps = {"revision": 1, "last_saved": self.db_stamp, "change_no": self.change_no}
        for name in names:
            if name in extra:
                picks.append(extra[name])
            elif name in from_file:
                picks.append(from_file[name])
            else:
                field = entity.field_map.get(name)
                constants.append(stamps[name] if name in stamps else field.default if field is not None else None)
                picks.append(base + len(constants) - 1)
        self.insert_constants = constants
        self.insert_pick = itemgetter(*picks)
        self.insert_sql = f"INSERT INTO {t.name} ({', '.join(names)}) VALUES ({', '.join([mark] * len(names))})"
        self.insert_columns = names

    def _load(self, shape: str, condition_for: Callable[[list[Any]], sa.ColumnElement[bool]],
              values: Iterable[Any]) -> Iterator[Current]:
        """Current rows (the snapshot's columns, l10n, change_no) matching, in IN-list chunks."""
        t = self.table
        columns: list[sa.ColumnElement[Any]] = [t.c[f] for f in self.loaded_fields]
        columns += [t.c.l10n if self.binding.has_l10n else sa.null(), t.c.change_no]
        distinct = [v for v in dict.fromkeys(values) if v is not None]
        return self._fetch_in(shape, lambda chunk: sa.select(*columns).where(self.binding.row_filter(),
                                                                             condition_for(chunk)), distinct)

    def _fetch_in(self, shape: str, build: Callable[[list[Any]], sa.Select[Any]],
                  values: list[Any]) -> Iterator[tuple[Any, ...]]:
        """The rows of ``build(chunk)`` for every IN_CHUNK-sized chunk of ``values``, as plain tuples.

        A batch makes a few such lookups per 5,000 keys; compiling a query with 5,000 parameters
        takes milliseconds, so each ``shape`` is compiled once, with markers where the chunk goes,
        and later chunks (padded to the full size with their first value, which changes nothing
        in an IN list) only fill the markers in.
        """
        if not values:
            return
        cached = self._compiled.get(shape)
        if cached is None:
            markers = [_Marker(i) for i in range(IN_CHUNK)]
            compiled = build(markers).compile(dialect=self.conn.dialect,
                                              compile_kwargs={"render_postcompile": True})
            named = compiled.params
            template: Any
            if compiled.positional:
                template = [named[name] for name in compiled.positiontup or ()]
                slots = [(k, v.index) for k, v in enumerate(template) if isinstance(v, _Marker)]
            else:
                template = dict(named)
                slots = [(k, v.index) for k, v in template.items() if isinstance(v, _Marker)]
            cached = self._compiled[shape] = (str(compiled), template, slots)
        sql, template, slots = cached
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            for start in range(0, len(values), IN_CHUNK):
                chunk = values[start:start + IN_CHUNK]
                chunk += [chunk[0]] * (IN_CHUNK - len(chunk))
                params = template.copy()
                for key, index in slots:
                    params[key] = chunk[index]
                cursor.execute(sql, params)
                yield from cursor.fetchall()
        finally:
            cursor.close()

    def _fetch(self, query: sa.Select[Any]) -> list[tuple[Any, ...]]:
        """The rows as plain tuples, straight from the driver: a batch loads tens of thousands of
        rows, and SQLAlchemy's Row objects cost more than the lookups (integer, float and text
        columns only, which need no conversion)."""
        compiled = query.compile(dialect=self.conn.dialect, compile_kwargs={"render_postcompile": True})
        params: Any = compiled.params
        if compiled.positional:
            params = tuple(params[name] for name in compiled.positiontup or ())
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(str(compiled), params)
            return cursor.fetchall()
        finally:
            cursor.close()

    def _snapshot_lines(self, currents: Iterable[Current], action: str) -> list[list[Any]]:
        """Snapshot lines for rows as they are now, a column at a time (a million rows per import)."""
        cut = self.at_l10n + 1 if self.snapshot_has_l10n else self.at_l10n
        lines = [[*current[:cut], action] for current in currents]
        for i in self.decimal_at:
            for line in lines:
                value = line[i]
                if value is not None:
                    line[i] = format_decimal(value)
        return lines

    # -- one batch --

    def run_batch(self, batch: list[_Row], failures: Failures) -> None:
        """Place, check and write a batch; ``failures`` holds the batch's rows that failed while read."""
        self._keep_statistics(0)
        h, place = self.header, self.place
        subtree, org_nodes = place.subtree, place.org_nodes
        at_id, at_hierarchy, at_change = self.at_id, self.at_hierarchy, self.at_change
        change_no = self.change_no
        mandatory = [p for p in h.mandatory if p not in h.to_l10n]
        pick_mandatory = _getter(mandatory)
        hierarchy_pos = h.hierarchy_pos
        ok: list[_Row] = []
        for row in batch:
            vals = row.vals
            if row.action == DELETE:
                if row.rid is None and None in row.key:
                    failures.append((row, "A row to delete needs its Id or every column of its natural key ("
                                     + ", ".join(self.kind.natural_key) + ")"))
                    continue
            elif None in pick_mandatory(vals):
                missing = [h.names[p] for p in mandatory if vals[p] is None]
                failures.append((row, f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} required"))
                continue
            hierarchy = vals[hierarchy_pos]
            if hierarchy is not None and hierarchy not in subtree:
                failures.append((row, f"HierarchyId {hierarchy} is not the request's node or a node below it"))
                continue
            ok.append(row)

        by_id = {c[at_id]: c for c in self._load("by id", lambda chunk: self.binding.id_column.in_(chunk),
                                                 (r.rid for r in ok))}
        second = h.key_pos[1] if len(h.key_pos) > 1 else h.key_pos[0]
        second_column = self.table.c[h.columns[second].field]  # type: ignore[union-attr]
        by_key: dict[tuple[Any, ...], Current] = {}
        current_key = self.current_key
        for current in self._load("by key", lambda chunk: sa.and_(self.binding.hierarchy.in_(org_nodes),
                                                        second_column.in_(chunk)),
                                  (r.vals[second] for r in ok)):
            key = current_key(current)
            held = by_key.get(key)
            if held is None or current[at_id] < held[at_id]:
                by_key[key] = current
        # A reference an existing row of the organization already holds is known to exist (what
        # rows point at cannot be deleted): only the others are looked up.
        references = self._references(ok, {key[1] for key in by_key})
        reference_pos = h.reference_pos

        inserts: list[_Row] = []
        updates: list[tuple[_Row, Current]] = []
        deletes: list[tuple[_Row, Current]] = []
        touched: dict[int, _Row] = {}  # rows of the database this batch writes: by id, the row writing it
        new_keys: dict[tuple[Any, ...], _Row] = {}
        suspects: list[tuple[_Row, int | None, Current]] = []  # keys another row holds: checked below
        for row in ok:
            target: Current | None
            key = row.key
            if row.rid is not None:
                target = by_id.get(row.rid)
                if target is not None and target[at_hierarchy] not in org_nodes:
                    target = None  # another organization's row: as if it did not exist
                if target is None:
                    if row.action == DELETE:
                        continue
                    if row.action != RESTORE or row.rid in by_id or not self._was_issued(row.rid):
                        failures.append((row, f"Id {row.rid} not found"))
                        continue
                    if row.rid in touched:
                        failures.append((row, f"Id {row.rid} is restored by row {touched[row.rid].num} already"))
                        continue
                elif target[at_hierarchy] not in subtree:
                    failures.append((row, f"Id {row.rid} belongs to HierarchyId {target[at_hierarchy]}, "
                                          "outside the request's node"))
                    continue
            else:
                target = by_key.get(key)
                if target is not None:
                    earlier = touched.get(target[at_id])
                    if earlier is not None and (earlier.action == DELETE or earlier.key != key):
                        target = None  # an earlier row of the batch took that row away from this key
                if target is None and row.action == DELETE:
                    continue
            if target is not None:
                earlier = touched.get(target[at_id])
                if earlier is not None or target[at_change] == change_no:
                    where = f"row {earlier.num}" if earlier is not None else "an earlier row"
                    failures.append((row, f"It matches the same {self.kind.short_name} (Id {target[at_id]}) "
                                          f"as {where} of the file"))
                    continue
            if row.action == DELETE:
                assert target is not None
                touched[target[at_id]] = row
                deletes.append((row, target))
                continue
            if references is not None and row.vals[reference_pos] not in references:  # type: ignore[index]
                what = "menu item master" if self.kind.entity == "MenuItemDefinition" else "menu item definition"
                failures.append((row, f"{h.names[reference_pos]} {row.vals[reference_pos]} "  # type: ignore[index]
                                      f"is not a {what} of this organization"))
                continue
            first = new_keys.get(key)
            if first is not None:
                failures.append((row, f"It has the same {', '.join(self.kind.natural_key)} as row {first.num}"))
                continue
            if target is None and h.to_l10n and any(row.vals[p] is None for p in h.to_l10n if p in h.mandatory):
                missing = [h.names[p] for p in h.to_l10n if p in h.mandatory and row.vals[p] is None]
                failures.append((row, f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} required "
                                      "for a new row"))
                continue
            new_keys[key] = row
            own_id = row.rid if target is None else target[at_id]
            holder = by_key.get(key)
            if holder is not None and holder[at_id] != own_id:
                suspects.append((row, own_id, holder))
            if target is None:
                if row.rid is not None:
                    touched[row.rid] = row
                inserts.append(row)
            else:
                touched[target[at_id]] = row
                updates.append((row, target))

        if suspects:
            clashing = self._clashes(suspects, touched, failures)
            inserts = [r for r in inserts if r not in clashing]
            updates = [(r, t) for r, t in updates if r not in clashing]
        deletes = self._deletable(deletes, failures)
        new_ids = self._assign_ids(inserts, failures)

        # The snapshot is written before the rows change.
        self.undo_changes.csv.writerows(self._snapshot_lines((target for _, target in updates), ""))
        self.undo_changes.csv.writerows(self._snapshot_lines((target for _, target in deletes), "Restore"))
        lines = []
        template, places, at_id = self.insert_line, self.insert_line_keys, self.at_id
        for row, new_id in zip(inserts, new_ids, strict=True):
            line = template.copy()
            line[at_id] = new_id
            for at, pos in places:
                line[at] = row.vals[pos]
            lines.append(line)
        self.undo_inserts.csv.writerows(lines)

        self._track_parents(inserts, updates, deletes)
        self._delete(deletes, failures)
        self._update(updates)
        self._insert(inserts, new_ids)
        self._keep_statistics(len(inserts))

        failures.sort(key=lambda item: item[0].num)
        width = len(h.names)
        for row, message in failures:
            # Cut or padded to the header's width, so RowNumber and Error stay in their columns.
            fields = row.raw[:width] + [""] * (width - len(row.raw))
            self.errors.csv.write([*fields, row.num, message])
        self.failed += len(failures)
        failures.clear()

    def _clashes(self, suspects: list[tuple[_Row, int | None, Current]], touched: dict[int, _Row],
                 failures: Failures) -> set[_Row]:
        """The natural key must stay unique: a row may not take the key another row keeps (one the
        batch moves away or deletes is free)."""
        at_id = self.at_id
        names = ", ".join(self.kind.natural_key)
        clashing: set[_Row] = set()
        for row, _own_id, holder in suspects:
            other = holder[at_id]
            if holder[self.at_change] == self.change_no:
                failures.append((row, f"It has the same {names} as an earlier row of the file"))
            elif other in touched and (touched[other].action == DELETE or touched[other].key != row.key):
                continue
            else:
                failures.append((row, f"{self.kind.short_name} {other} already has this {names}"))
            clashing.add(row)
        return clashing

    # -- lookups --

    def _references(self, rows: list[_Row], known: set[Any]) -> set[int] | None:
        """The referenced masters (definitions) or definitions (prices) that exist in the organization;
        ``known`` are ones already seen held by its rows. (The reference is the second column of the
        natural key of both types that have one.)"""
        pos = self.header.reference_pos
        if pos is None:
            return None
        if self.kind.entity == "MenuItemDefinition":
            target, column = master_t, master_t.c.menu_item_id
        else:
            target, column = definition_t, definition_t.c.id
        found: set[int] = set(known)
        values = [v for v in dict.fromkeys(r.vals[pos] for r in rows if r.action != DELETE) if v not in known]
        for start in range(0, len(values), IN_CHUNK):
            found.update(self.conn.execute(sa.select(column).where(
                column.in_(values[start:start + IN_CHUNK]),
                target.c.hierarchy_id.in_(self.place.org_nodes))).scalars())
        return found

    def _was_issued(self, rid: int) -> bool:
        """Whether numbering has handed out ``rid`` (a Restore may only bring back such an id)."""
        if self.next_free_id is None:
            value = self.conn.execute(sa.select(sequence.c.next_value).where(sequence.c.name == SYMPHONY_IDS)).scalar()
            self.next_free_id = int(value or 0)
        return 0 < rid < self.next_free_id

    def _deletable(self, deletes: list[tuple[_Row, Current]], failures: Failures) -> list[tuple[_Row, Current]]:
        """Rows others still depend on are not deleted: a master with definitions, a definition with prices
        (a snapshot could not bring the dependents back otherwise)."""
        if not deletes:
            return deletes
        at_id = self.at_id
        checks: list[tuple[sa.ColumnElement[Any], str]] = []
        if self.kind.entity == "InventoryItem":
            checks.append((definition_t.c.menu_item_master_id, "menu item definitions"))
        elif self.kind.entity == "MenuItemDefinition":
            checks.append((price_t.c.menu_item_def_id, "menu item prices"))
        used: dict[Any, str] = {}
        ids = [t[at_id] for _, t in deletes]
        for column, what in checks:
            for start in range(0, len(ids), IN_CHUNK):
                for value in self.conn.execute(sa.select(column).where(column.in_(ids[start:start + IN_CHUNK]))
                                               .distinct()).scalars():
                    used[value] = what
        if self.binding.is_master:
            used.update(self._item_dependents(ids))
        kept = []
        for row, target in deletes:
            dependents = used.get(target[at_id])
            if dependents:
                failures.append((row, f"{self.kind.short_name} {target[at_id]} still has {dependents}: "
                                      "delete those first"))
            else:
                kept.append((row, target))
        return kept

    def _item_dependents(self, menu_item_ids: list[int]) -> dict[Any, str]:
        """Masters whose inventory item carries back-office rows of its own (notes, prices per debtor, ...)."""
        entity = CATALOG.entity("InventoryItem")
        used: dict[Any, str] = {}
        for start in range(0, len(menu_item_ids), IN_CHUNK):
            chunk = menu_item_ids[start:start + IN_CHUNK]
            for child in entity.children:
                ct = ENTITY_TABLES[child.entity]
                query = (sa.select(master_t.c.menu_item_id).select_from(master_t)
                         .join(ct, ct.c[child.fk] == master_t.c.inventory_id)
                         .where(master_t.c.menu_item_id.in_(chunk)).distinct())
                if child.owner_type:
                    query = query.where(ct.c.owner_type == child.owner_type)
                for value in self.conn.execute(query).scalars():
                    used[value] = f"{child.name.replace('_', ' ')} in the back office"
        return used

    def _assign_ids(self, inserts: list[_Row], failures: Failures) -> list[int]:
        fresh = sum(1 for r in inserts if r.rid is None)
        first = reserve(self.conn, SYMPHONY_IDS, fresh) if fresh else 0
        ids = []
        for row in inserts:
            if row.rid is None:
                ids.append(first)
                first += 1
            else:
                ids.append(row.rid)
        if self.binding.is_master and inserts:
            taken: set[str] = set()
            part_nos = [f"MI-{i}" for i in ids]
            for start in range(0, len(part_nos), IN_CHUNK):
                taken.update(self.conn.execute(sa.select(master_t.c.part_no).where(
                    master_t.c.part_no.in_(part_nos[start:start + IN_CHUNK]))).scalars())
            if taken:
                kept_rows, kept_ids = [], []
                for row, new_id in zip(inserts, ids, strict=True):
                    if f"MI-{new_id}" in taken:
                        failures.append((row, f"The part number MI-{new_id} is taken by another inventory item"))
                    else:
                        kept_rows.append(row)
                        kept_ids.append(new_id)
                inserts[:] = kept_rows
                ids = kept_ids
        return ids

    # -- writes --

    def _track_parents(self, inserts: list[_Row], updates: list[tuple[_Row, Current]],
                       deletes: list[tuple[_Row, Current]]) -> None:
        """Remember the definitions (prices) or masters (definitions) that rows are written under, join
        or leave: their master's main price may change. Kept as ids (a few per thousand rows), so the
        main prices are then set by key, whatever a database's planner would make of a subquery."""
        parents = {"MenuItemPrice": "menu_item_def_id", "MenuItemDefinition": "menu_item_master_id"}
        parent = parents.get(self.kind.entity)
        if parent is None:
            return
        at = self.at[parent]
        touched = self.parents_touched
        touched.update(target[at] for _, target in deletes)
        pos = next(p for p, c in enumerate(self.header.columns) if c is not None and c.field == parent)
        touched.update(row.vals[pos] for row in inserts)
        for row, target in updates:
            touched.add(target[at])
            touched.add(row.vals[pos])

    def _delete(self, deletes: list[tuple[_Row, Current]], failures: Failures) -> None:
        if not deletes:
            return
        column = self.binding.id_column
        ids = [t[self.at_id] for _, t in deletes]
        attempt = self.conn.begin_nested()
        try:
            for start in range(0, len(ids), IN_CHUNK):
                self.conn.execute(self.table.delete().where(column.in_(ids[start:start + IN_CHUNK])))
            attempt.commit()
            return
        except sa.exc.IntegrityError:
            attempt.rollback()
        # Some row is still referred to (a foreign key): find which, one at a time.
        for row, target in deletes:
            one = self.conn.begin_nested()
            try:
                self.conn.execute(self.table.delete().where(column == target[self.at_id]))
                one.commit()
            except sa.exc.IntegrityError:
                one.rollback()
                failures.append((row, f"{self.kind.short_name} {target[self.at_id]} is in use by other records"))

    def _update(self, updates: list[tuple[_Row, Current]]) -> None:
        if not updates:
            return
        at_id, current_key = self.at_id, self.current_key
        tail = (self.db_stamp, self.change_no)
        keeping: list[tuple[_Row, Current]] = []
        moving: list[tuple[_Row, Current]] = []
        for pair in updates:
            (keeping if pair[0].key == current_key(pair[1]) else moving).append(pair)
        for (sql, pick), chosen in ((self.update_same_key, keeping), (self.update_full, moving)):
            if not chosen:
                continue
            if self.update_l10n:
                at_l10n = self.at_l10n
                params = [(*pick(row.vals), self._new_l10n(row, target[at_l10n]), *tail, target[at_id])
                          for row, target in chosen]
            else:
                params = [(*pick(row.vals), *tail, target[at_id]) for row, target in chosen]
            if self.copy:
                self._update_by_copy(sql, params)
            else:
                self.conn.exec_driver_sql(sql, params)

    def _update_by_copy(self, sql: str, params: list[tuple[Any, ...]]) -> None:
        """PostgreSQL: the new values COPYed into a temporary table, then one UPDATE ... FROM it
        (executemany pays a statement's round of work per row: six times slower).

        ``sql`` is the by-id UPDATE whose parameters ``params`` fill: its SET names the columns.
        """
        t, id_field = self.table.name, self.kind.id_field
        columns = [part.split(" = ")[0] for part in sql.split(" SET ", 1)[1].split(" WHERE ")[0].split(", ")
                   if not part.startswith("revision")] + [id_field]
        temp = self._temporaries.get(sql)
        if temp is None:
            temp = self._temporaries[sql] = f"ie_update_{len(self._temporaries) + 1}"
            self.conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "
                                      f"SELECT {', '.join(columns)} FROM {t} WITH NO DATA")
        else:
            self.conn.exec_driver_sql(f"TRUNCATE {temp}")
        self._copy_rows(temp, columns, params)
        # Without statistics the planner takes the fresh table for a handful of rows and may scan
        # the target once for each; ANALYZE of a batch takes milliseconds.
        self.conn.exec_driver_sql(f"ANALYZE {temp}")
        sets = ", ".join([f"{c} = u.{c}" for c in columns if c != id_field] + [f"revision = {t}.revision + 1"])
        self.conn.exec_driver_sql(f"UPDATE {t} SET {sets} FROM {temp} AS u WHERE {t}.{id_field} = u.{id_field}")

    def _keep_statistics(self, inserted: int) -> None:
        """PostgreSQL: ANALYZE the table when the import has grown it a lot since last measured.

        The planner picks the lookups' plans from the table's statistics; a table grown by a large
        import (this one, or one not yet seen by autovacuum) still looks small, and a plan for a small
        table reads it all for every lookup. Measuring at the start and whenever the rows added pass
        the rows last counted keeps the lookups on their indexes at a handful of ANALYZEs an import.
        """
        if not self.copy:
            return
        self.grown += inserted
        if self.measured is not None and self.grown <= max(self.measured, 50_000):
            return
        self.conn.exec_driver_sql(f"ANALYZE {self.table.name}")
        self.measured = int(self.conn.exec_driver_sql(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", (self.table.name,)).scalar() or 0)
        self.grown = 0

    def _copy_rows(self, table: str, columns: list[str], rows: Iterable[Sequence[Any]]) -> None:
        """PostgreSQL: rows into ``table`` with COPY (several times faster than INSERTs)."""
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()

    def _new_l10n(self, row: _Row, current: str | None) -> str | None:
        h = self.header
        if h.translations_pos is not None:
            return row.vals[h.translations_pos]
        return _merge_l10n(current, self.language, {h.columns[p].name: row.vals[p]  # type: ignore[union-attr]
                                                    for p in h.to_l10n})

    def _insert(self, inserts: list[_Row], ids: list[int]) -> None:
        if not inserts:
            return
        h = self.header
        pick, constants = self.insert_pick, self.insert_constants
        names = {p: h.columns[p].name for p in h.to_l10n}  # type: ignore[union-attr]
        master = self.binding.is_master
        params: list[tuple[Any, ...]] = []
        for row, new_id in zip(inserts, ids, strict=True):
            vals = row.vals
            l10n = None
            if h.translations_pos is not None:
                l10n = vals[h.translations_pos]
            elif h.to_l10n:
                l10n = _dump_l10n({self.language: {names[p]: vals[p] for p in h.to_l10n if vals[p] is not None}})
            if master:
                extra = [new_id, l10n, uuid.uuid4().hex, f"MI-{new_id}"]
            else:
                extra = [new_id, l10n, None, None]
            params.append(pick((*vals, *extra, *constants)))
        if self.copy:
            self._copy_rows(self.table.name, self.insert_columns, params)
        else:
            self.conn.exec_driver_sql(self.insert_sql, params)

    def update_main_prices(self) -> None:
        """Set the main price (inventory_item.default_price) of every master the import may have changed:
        the price with PriceSequence 1 of its definition with DefinitionSequence 1, both at the master's node.

        Read by key (the masters, their first definitions, those definitions' first prices: index
        lookups combined here, so no database's planner can pick a scan), then only the prices that
        differ are written, with a keyed UPDATE each."""
        if self.kind.entity == "MenuItemPrice":
            masters = sorted({master for (master,) in self._fetch_in(
                "masters of definitions", lambda chunk: sa.select(definition_t.c.menu_item_master_id)
                .where(definition_t.c.id.in_(chunk)), sorted(self.parents_touched))})
        elif self.kind.entity == "MenuItemDefinition":
            masters = sorted(self.parents_touched)
        else:
            return
        place: dict[int, tuple[int, float | None]] = {
            menu_item_id: (hierarchy, current) for menu_item_id, hierarchy, current in self._fetch_in(
                "masters", lambda chunk: sa.select(master_t.c.menu_item_id, master_t.c.hierarchy_id,
                                                   master_t.c.default_price)
                .where(master_t.c.menu_item_id.in_(chunk), master_t.c.hierarchy_id.in_(self.place.org_nodes)),
                masters)}
        first_definition: dict[int, tuple[int, int]] = {}  # definition id -> (master, hierarchy)
        seen: set[int] = set()
        # In id order, so the lowest id wins should a key ever be held twice.
        for definition_id, master, hierarchy in sorted(self._fetch_in(
                "first definitions", lambda chunk: sa.select(definition_t.c.id, definition_t.c.menu_item_master_id,
                                                             definition_t.c.hierarchy_id)
                .where(definition_t.c.menu_item_master_id.in_(chunk), definition_t.c.definition_sequence == 1),
                list(place))):
            if master not in seen and place[master][0] == hierarchy:
                seen.add(master)
                first_definition[definition_id] = (master, hierarchy)
        changed: dict[int, float] = {}
        seen.clear()
        for _, definition_id, hierarchy, price in sorted(self._fetch_in(
                "main prices", lambda chunk: sa.select(price_t.c.id, price_t.c.menu_item_def_id,
                                                       price_t.c.hierarchy_id, price_t.c.price)
                .where(price_t.c.menu_item_def_id.in_(chunk), price_t.c.price_sequence == 1),
                list(first_definition))):
            master, at = first_definition[definition_id]
            if hierarchy != at or master in seen:
                continue
            seen.add(master)
            # Without a main price the master keeps the one it has.
            if price is not None and price != place[master][1]:
                changed[master] = price
        if changed:
            self.conn.exec_driver_sql(
                f"UPDATE {master_t.name} SET default_price = {self.mark}, revision = revision + 1, "
                f"last_saved = {self.mark}, change_no = {self.mark} WHERE menu_item_id = {self.mark}",
                [(price, self.db_stamp, self.change_no, menu_item_id) for menu_item_id, price in changed.items()])


def _rows(records: Iterator[list[str]], work: _Import, failures: Failures) -> Iterator[list[_Row]]:
    """The file's data rows in batches of BATCH, converted and counted; a row that does not convert
    goes to ``failures``.

    A batch is converted column by column (``_convert``); only when a column holds a bad value are
    its rows converted one by one, to tell which failed and why.
    """
    header = work.header
    width = len(header.parsers)
    num = 0
    nums: list[int] = []
    raws: list[list[str]] = []
    for raw in records:
        if not raw:
            continue  # a blank line
        num += 1
        if len(raw) != width:
            failures.append((_Row(num, raw, (), None, UPSERT), f"The row has {len(raw)} fields, the header {width}"))
            continue
        nums.append(num)
        raws.append(raw)
        if len(raws) >= BATCH:
            work.total = num
            yield _convert(nums, raws, work, failures)
            nums, raws = [], []
    work.total = num
    yield _convert(nums, raws, work, failures)


def _convert(nums: list[int], raws: list[list[str]], work: _Import, failures: Failures) -> list[_Row]:
    header = work.header
    if not raws:
        return []
    converted: list[list[Any]] = []
    try:
        for texts, parse, parse_column in zip(zip(*raws), header.parsers, header.column_parsers):  # noqa: B905
            column = list(texts)
            if parse_column is not None and "" not in column:
                converted.append(parse_column(column))
            else:
                converted.append([parse(text) if text else None for text in column])
    except ValueError:
        return [row for num, raw in zip(nums, raws, strict=True)
                if (row := _convert_one(num, raw, work, failures)) is not None]
    id_pos, action_pos, row_key = header.id_pos, header.action_pos, work.row_key
    rows = []
    for num, raw, vals in zip(nums, raws, zip(*converted), strict=True):  # noqa: B905
        action = vals[action_pos] if action_pos is not None else None
        rows.append(_Row(num, raw, vals, vals[id_pos] if id_pos is not None else None, action or UPSERT,
                         row_key(vals)))
    return rows


def _convert_one(num: int, raw: list[str], work: _Import, failures: Failures) -> _Row | None:
    header = work.header
    try:
        vals = tuple(parse(text) if text else None for parse, text in zip(header.parsers, raw, strict=True))
    except ValueError:
        failures.append((_Row(num, raw, (), None, UPSERT), _conversion_error(raw, header)))
        return None
    action = vals[header.action_pos] if header.action_pos is not None else None
    return _Row(num, raw, vals, vals[header.id_pos] if header.id_pos is not None else None, action or UPSERT,
                work.row_key(vals))


def _conversion_error(raw: list[str], header: _Header) -> str:
    problems = []
    for name, parse, text in zip(header.names, header.parsers, raw, strict=True):
        if not text:
            continue
        try:
            parse(text)
        except ValueError as exc:
            problems.append(f"{name.strip()} {exc}")
    return "; ".join(problems)


def import_csv(conn: Connection, kind: InterchangeType, scope: Scope, source: Iterable[bytes], *,
               failure_threshold: float, snapshot: Callable[[bytes], None],
               errors: Callable[[bytes], None]) -> ImportOutcome:
    """Import a CSV file (``source``: its bytes in pieces) of ``kind`` into the scope.

    ``failure_threshold`` is the share of failed rows (0.0-1.0) an import may have and still keep its
    good rows: no failure ends Complete (4), failed/total <= threshold CompletedWithErrors (5), more
    Error (6) with nothing written. ``errors`` always receives the error file (the header, RowNumber,
    Error, then one line per failed row); ``snapshot`` receives, unless the import ends in Error, a
    CSV that restores the rows as they were when imported. Both are called after the data writes, in
    the caller's transaction, which the engine never commits.

    Raises Invalid, with nothing written, for a type that is not importable, a scope that does not
    fit the organization, and a file that is not UTF-8 CSV, has no header or whose header names an
    unknown column, a column twice, or lacks a mandatory column.
    """
    if not kind.importable:
        raise Invalid.field("ObjectType", f"{kind.short_name} cannot be imported", "NotImportable")
    place = resolve(conn, scope)
    binding = bind(kind)
    records = read_csv(source)
    names = next(records, None)
    if not names or not any(n.strip() for n in names):
        raise Invalid("The file has no header row", code="MissingHeader")
    header = _read_header(binding, names, place.language)
    work = _Import(conn, binding, place, header)
    with few_collections():
        return _run(conn, work, records, failure_threshold, snapshot, errors)


def _run(conn: Connection, work: _Import, records: Iterator[list[str]], failure_threshold: float,
         snapshot: Callable[[bytes], None], errors: Callable[[bytes], None]) -> ImportOutcome:
    savepoint = conn.begin_nested()
    try:
        failures: Failures = []
        for batch in _rows(records, work, failures):
            work.run_batch(batch, failures)
        work.update_main_prices()
        total = work.total
    except BaseException:
        savepoint.rollback()
        _close(work)
        raise
    if total and work.failed / total > failure_threshold:
        savepoint.rollback()
        status = ERROR
        message = (f"{work.failed} of {total} rows failed, more than the threshold of {failure_threshold:.0%}: "
                   "nothing was imported")
    else:
        savepoint.commit()
        status = COMPLETE if not work.failed else COMPLETED_WITH_ERRORS
        message = f"{total - work.failed} of {total} rows imported" + (f", {work.failed} failed" if work.failed else "")
    try:
        work.errors.copy_to(errors)
        if status != ERROR:
            work.undo_inserts.copy_to(snapshot)
            work.undo_changes.copy_to(snapshot)
    finally:
        _close(work)
    return ImportOutcome(total, work.failed, status, message)


def _close(work: _Import) -> None:
    work.errors.close()
    work.undo_inserts.close()
    work.undo_changes.close()
