"""The files of import/export requests: kept in the database in 1 MiB chunks, and their CSV dialect.

A request's files (``input``, ``output``, ``errors``, ``snapshot``) can be far larger than memory
should hold, so they are written and read a chunk at a time: ``ChunkWriter`` buffers at most one
chunk, ``iter_chunks`` fetches one chunk per statement (no cursor stays open between chunks, so the
reader may write on the same connection between two chunks, as an import does).

The CSV dialect (the Symphony client splits lines on CRLF and fields on commas, so quotes appear
only where a field needs them): UTF-8 without a byte order mark (one is accepted and skipped on
input), a header row, comma separators, RFC 4180 quoting only when needed, CRLF line ends, an empty
field for null, ``.`` as the decimal point, ``True``/``False`` for booleans.
"""

from __future__ import annotations

import csv
import gc
import io
import math
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..errors import Invalid
from .tables import ie_file_chunk

CHUNK_SIZE = 1 << 20
# Text is handed to a sink once this much of it has piled up.
FLUSH_CHARS = 1 << 20


class ChunkWriter:
    """Buffers bytes and stores them as rows of ``ie_file_chunk`` (request_id, kind, seq), each
    exactly CHUNK_SIZE bytes but the last. Appends after any chunks the file already has.

    Nothing is stored until a chunk is full or ``close()`` is called; the caller's transaction
    decides whether the rows stay.
    """

    def __init__(self, conn: Connection, request_id: int, kind: str) -> None:
        self.conn = conn
        self.request_id = request_id
        self.kind = kind
        self._buffer = bytearray()
        last = conn.execute(sa.select(sa.func.max(ie_file_chunk.c.seq)).where(
            ie_file_chunk.c.request_id == request_id, ie_file_chunk.c.kind == kind)).scalar()
        self._seq = 0 if last is None else int(last) + 1
        self.size = 0

    def write(self, data: bytes) -> None:
        self._buffer += data
        self.size += len(data)
        while len(self._buffer) >= CHUNK_SIZE:
            self._store(bytes(self._buffer[:CHUNK_SIZE]))
            del self._buffer[:CHUNK_SIZE]

    def close(self) -> None:
        """Store what is buffered (an empty file stores no row)."""
        if self._buffer:
            self._store(bytes(self._buffer))
            self._buffer.clear()

    def _store(self, data: bytes) -> None:
        self.conn.execute(ie_file_chunk.insert().values(request_id=self.request_id, kind=self.kind,
                                                        seq=self._seq, data=data))
        self._seq += 1

    def __enter__(self) -> ChunkWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()


def iter_chunks(conn: Connection, request_id: int, kind: str) -> Iterator[bytes]:
    """The file's chunks in order, fetched one per statement (memory holds one chunk)."""
    where = (ie_file_chunk.c.request_id == request_id, ie_file_chunk.c.kind == kind)
    seqs = list(conn.execute(sa.select(ie_file_chunk.c.seq).where(*where).order_by(ie_file_chunk.c.seq)).scalars())
    for seq in seqs:
        data = conn.execute(sa.select(ie_file_chunk.c.data).where(*where, ie_file_chunk.c.seq == seq)).scalar_one()
        yield bytes(data)


def store_file(conn: Connection, request_id: int, kind: str, data: bytes | Iterable[bytes]) -> None:
    """Store a whole file (bytes, or an iterable of byte pieces) under the request."""
    writer = ChunkWriter(conn, request_id, kind)
    if isinstance(data, bytes | bytearray | memoryview):
        writer.write(bytes(data))
    else:
        for piece in data:
            writer.write(piece)
    writer.close()


# --- writing CSV -------------------------------------------------------------------------------


class CsvSink:
    """Writes CSV rows as UTF-8 bytes to ``sink`` in pieces of about FLUSH_CHARS."""

    def __init__(self, sink: Callable[[bytes], None]) -> None:
        self._sink = sink
        self._text = io.StringIO()
        self._writer = csv.writer(self._text, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        self.writerow = self._writer.writerow

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        self._writer.writerows(rows)
        if self._text.tell() >= FLUSH_CHARS:
            self.flush()

    def write(self, row: Iterable[Any]) -> None:
        self._writer.writerow(row)
        if self._text.tell() >= FLUSH_CHARS:
            self.flush()

    def flush(self) -> None:
        text = self._text.getvalue()
        if text:
            self._sink(text.encode("utf-8"))
            self._text.seek(0)
            self._text.truncate()


# Prices and costs repeat a great deal across a menu (the same few hundred amounts on a million rows),
# so the text of each is kept once it is made; the memo is dropped when it grows past a bound.
_DECIMAL_TEXT: dict[float, str] = {}
_DECIMAL_MEMO_LIMIT = 1 << 16


def format_decimal(value: float) -> str:
    """A decimal as plain digits with '.': never an exponent, ``12.5``, ``12`` for whole numbers."""
    text = _DECIMAL_TEXT.get(value)
    if text is None:
        if len(_DECIMAL_TEXT) >= _DECIMAL_MEMO_LIMIT:
            _DECIMAL_TEXT.clear()
        text = _DECIMAL_TEXT[value] = _decimal_text(value)
    return text


def _decimal_text(value: float) -> str:
    text = repr(value)
    if "e" in text:  # 1e+16, 1e-05: the same shortest digits, written out
        text = format(Decimal(text), "f")
    if text.endswith(".0"):
        text = text[:-2]
    return text


class Spool:
    """A temporary file (in memory while small) that a CSV is written to before it is known whether
    it will be kept; ``copy_to`` hands it to a sink a chunk at a time."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - closed in close()
        self.csv = CsvSink(self._write)
        self.rows = 0

    def _write(self, data: bytes) -> None:
        self._file.write(data)

    def copy_to(self, sink: Callable[[bytes], None]) -> None:
        self.csv.flush()
        self._file.seek(0)
        while piece := self._file.read(CHUNK_SIZE):
            sink(piece)

    def close(self) -> None:
        self._file.close()


# --- reading CSV -------------------------------------------------------------------------------


class _PiecesReader(io.RawIOBase):
    """A readable binary stream over an iterable of byte pieces (chunks fetched as they are read)."""

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._pieces = iter(pieces)
        self._left = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._left = memoryview(piece)
        size = min(len(buffer), len(self._left))
        buffer[:size] = self._left[:size]
        self._left = self._left[size:]
        return size


def read_csv(source: Iterable[bytes]) -> Iterator[list[str]]:
    """The rows of a CSV file given as byte pieces; a leading byte order mark is skipped.

    Raises ``Invalid`` when the bytes are not UTF-8 or the quoting is broken (the whole file is
    refused: a row count would be meaningless past a broken quote).
    """
    text = io.TextIOWrapper(io.BufferedReader(_PiecesReader(source), CHUNK_SIZE), encoding="utf-8-sig", newline="")
    reader = csv.reader(text, strict=True)
    try:
        yield from reader
    except UnicodeDecodeError as exc:
        raise Invalid(f"The file is not UTF-8 text (near line {reader.line_num + 1}): {exc.reason}",
                      code="InvalidFile") from exc
    except csv.Error as exc:
        raise Invalid(f"The file is not valid CSV (line {reader.line_num}): {exc}", code="InvalidFile") from exc


# --- memory ----------------------------------------------------------------------------------------


@contextmanager
def few_collections() -> Iterator[None]:
    """Run the cyclic garbage collector rarely for the duration of a bulk transfer.

    A transfer makes millions of small lists and tuples that live for one batch; with the default
    thresholds the collector runs every 700 allocations and walks the whole batch each time (half
    of an import's time, measured with bench/symphony_ie.py). The thresholds are restored after;
    reference counting still frees everything as usual.
    """
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*before)


# --- values ---------------------------------------------------------------------------------------

INT32 = (-(1 << 31), (1 << 31) - 1)
INT64 = (-(1 << 63), (1 << 63) - 1)


def int_parser(low: int, high: int) -> Callable[[str], int]:
    """Parses a whole number in [low, high]; ``int()`` alone would also take '1_000' and non-ASCII digits."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = high + 1
        if not low <= value <= high or "_" in text or not text.isascii():
            raise ValueError(f"'{text}' is not a whole number between {low} and {high}")
        return value

    return parse


def parse_decimal(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or "_" in text or not text.isascii():
        raise ValueError(f"'{text}' is not a decimal number")
    return value


def parse_bool(text: str) -> bool:
    folded = text.strip().lower()
    if folded == "true":
        return True
    if folded == "false":
        return False
    raise ValueError(f"'{text}' is not True or False")


def string_parser(length: int | None) -> Callable[[str], str]:
    if length is None:
        return str

    def parse(text: str) -> str:
        if len(text) > length:
            raise ValueError(f"is {len(text)} characters long, at most {length} are allowed")
        return text

    return parse


def column_parser(kind: str, length: int | None = None) -> Callable[[list[str]], list[Any]] | None:
    """A whole-column converter for a column without empty fields: C-level ``map`` plus one check
    over the column, several times faster than converting field by field. It raises ValueError
    when any value is wrong (the caller then converts field by field to say which). None: no fast
    path for this kind."""
    if kind in ("Int32", "Int64"):
        low, high = INT32 if kind == "Int32" else INT64

        def ints(texts: list[str]) -> list[Any]:
            values = list(map(int, texts))
            joined = "".join(texts)
            if min(values) < low or max(values) > high or "_" in joined or not joined.isascii():
                raise ValueError("out of range")
            return values

        return ints
    if kind == "Decimal":

        def decimals(texts: list[str]) -> list[Any]:
            values = list(map(float, texts))
            joined = "".join(texts)
            if not all(map(math.isfinite, values)) or "_" in joined or not joined.isascii():
                raise ValueError("not a decimal")
            return values

        return decimals
    if kind == "String":

        def strings(texts: list[str]) -> list[Any]:
            if length is not None and max(map(len, texts)) > length:
                raise ValueError("too long")
            return texts

        return strings
    return None
