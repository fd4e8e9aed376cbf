"""Pure, streaming account CSV import validation and CSV export (DESIGN §3). No Flask, no database.

Import (AccountCsvReader / read_accounts) is built for all-or-nothing imports of up to millions
of rows with bounded memory: valid rows come out one by one or in batches, errors accumulate on
the reader, and the caller writes nothing (or rolls back) when `reader.errors` is not empty.

Decisions:
- Encoding (reader.encoding says which was used: utf-8, utf-8-sig, utf-16 or cp1252). A UTF-16
  BOM means UTF-16. Otherwise the bytes are checked as strict UTF-8: the whole stream when it is
  seekable (Flask uploads are; a fast chunked pass, then the stream is rewound), else the first
  64 KiB. Valid UTF-8 (with or without its BOM) is read as UTF-8. Bytes that are not UTF-8 are
  read as Windows-1252 (cp1252: Excel's "CSV" on Windows, a superset of Latin-1's printable
  characters; the five bytes it leaves undefined decode as in Latin-1, as Windows does) only when
  the file looks like it, as a whole (`_looks_cp1252`): no UTF-8 BOM, not one valid multi-byte
  UTF-8 sequence anywhere (a file that has some is UTF-8 with a damaged spot), and every
  non-ASCII letter (bytes C0-FF, the ones that also start UTF-8 sequences) touches another letter
  or stands alone as a one-letter word ("Café", "São", "à"; not the "Ã(" that the bytes C3 28
  give). Any other file is refused with one error naming the row and column of the first byte
  that is not UTF-8, and nothing of it is imported. A non-seekable stream that turns out not to
  be UTF-8 after the first 64 KiB stops with a file error.
- Delimiter: comma, semicolon or tab, whichever occurs most (outside quotes) in the header line;
  comma on a tie. In semicolon files `arr` may use a decimal comma ("1234,50").
- Header names are trimmed, lower-cased, and runs of spaces become "_". `name` and `domain` are
  required; `employees`, `industry`, `region`, `arr`, `renewal_date`, `stage` are optional.
  Unknown columns are ignored with a warning (`reader.warnings`); a repeated known column is an
  error.
- Row numbers are what a spreadsheet shows: the header is row 1 and the first data row is row 2
  (blank lines keep their number and are skipped; a quoted cell spanning lines is one row).
  File-level problems use row 0 and field "file". Errors not tied to one column use field "row".
- Cells are trimmed. A blank optional cell is None. Formula-looking text (=, +, -, @) is kept
  as-is; it is neutralised on export instead. Numeric fields reject "-5" as negative.
- Rows may carry extra trailing empty cells; any other cell-count mismatch is a row error.
- Once any error is found no further rows are yielded, but the rest of the file is still
  validated so the user gets every error at once (up to max_errors, then an "and N more
  errors" note with the exact count).
- Each yielded row is a dict with "row" plus only the known columns present in the file (so an
  update does not blank columns the file did not carry): name, domain (normalised), employees
  (int), industry, region, arr (Decimal), renewal_date (date), stage.
- Memory: besides one batch of rows, only a compact map of normalised domain -> first row
  number is kept (for the duplicate-domain check; about 50 bytes a domain). Physical lines over
  1 MiB stop the read with an error.

Export: write_accounts_csv yields text chunks for a streamed response; every cell goes through
neutralise_cell (OWASP CSV injection).
"""
from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, BinaryIO

from app.accounts.domains import normalise_domain
from app.core.csvout import csv_stream, neutralise

REQUIRED_COLUMNS = ("name", "domain")
OPTIONAL_COLUMNS = ("employees", "industry", "region", "arr", "renewal_date", "stage")
KNOWN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_CELL_LENGTH = 1000
TEXT_MAX_LENGTH = {"name": 200, "industry": 200, "region": 200, "stage": 200}
MAX_EMPLOYEES = 2_147_483_647  # fits a 32-bit INTEGER column
ARR_MAX_INTEGER_DIGITS = 13
ARR_MAX_DECIMAL_PLACES = 2
DEFAULT_BATCH_SIZE = 5000
DEFAULT_MAX_ERRORS = 1000

_SNIFF_BYTES = 64 * 1024
_SCAN_CHUNK = 1 << 20
_MAX_LINE = 1 << 20
_CP1252_ERRORS = "tandem-cp1252-as-latin1"
# A valid multi-byte UTF-8 sequence (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
_UTF8_MULTIBYTE_RE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")
# cp1252 letters (ASCII, the five in 80-9F, and C0-FF but for the signs D7 and F7).
_CP1252_LETTER = rb"A-Za-z\x83\x8a\x8c\x8e\x9a\x9c\x9e\x9f\xc0-\xd6\xd8-\xf6\xf8-\xff"
# A letter in C0-FF (a UTF-8 lead byte too) with no letter on either side.
_LONE_LETTER_RE = re.compile(rb"(?<![" + _CP1252_LETTER + rb"])[\xc0-\xd6\xd8-\xf6\xf8-\xff](?![" + _CP1252_LETTER + rb"])")
_WORD_EDGE = b" \t\r\n,;\"\x00"  # what may stand on both sides of a one-letter word ("à")
_HEADER_SPACE_RE = re.compile(r"\s+")
_QUOTED_RE = re.compile(r'"[^"]*"')
# 1-13 ASCII digits and at most two decimals: an amount _parse_arr accepts without further checks.
_PLAIN_ARR_RE = re.compile(r"[0-9]{1,13}(?:\.[0-9]{0,2})?")
# OWASP: these first characters make spreadsheets evaluate a cell; fullwidth forms too, since
# some East Asian Excel locales accept them.


def _cp1252_as_latin1(exc: UnicodeError) -> tuple[str, int]:
    """Decode bytes that cp1252 leaves undefined as Latin-1 (what Windows itself does)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start:exc.end].decode("latin-1"), exc.end


codecs.register_error(_CP1252_ERRORS, _cp1252_as_latin1)


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem: row 0 is the file, 1 the header; field is a column, "row" or "file"."""

    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """Return the API shape {row, field, message}."""
        return {"row": self.row, "field": self.field, "message": self.message}


# One validation step: (column, cell index, parser or None for text/domain, max length).
_Step = tuple[str, int, Callable[[str], Any] | None, int]


class _Invalid(Exception):
    """A cell failed validation; the message is user-facing."""


class _Stop(Exception):
    """The file cannot be read further; the message is user-facing."""


class _PrefixedRaw(io.RawIOBase):
    """A raw stream that replays already-read bytes before the rest of the stream."""

    def __init__(self, prefix: bytes, stream: BinaryIO):
        self._prefix = memoryview(prefix)
        self._stream = stream

    def readable(self) -> bool:
        """Return True."""
        return True

    def readinto(self, buffer) -> int:
        """Fill buffer from the prefix first, then from the stream."""
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._stream.read(len(buffer))
        if not data:
            return 0
        buffer[:len(data)] = data
        return len(data)


def rewind_position(stream) -> int | None:
    """Return the current position if the stream can be rewound to it, else None."""
    try:
        return stream.tell() if stream.seekable() else None
    except (AttributeError, OSError, ValueError):
        return None


def _looks_cp1252(chunks: Iterator[bytes], complete: bool = True) -> bool:
    """True when bytes that are not UTF-8 look like Windows-1252 text as a whole (module docstring).

    complete=False: the chunks are only the start of the input, so the last byte's right-hand
    neighbour is unknown and it is not judged.
    """
    carry = b""
    pending = next(chunks, b"")
    while pending:
        following = next(chunks, b"")
        data = carry + pending
        if _UTF8_MULTIBYTE_RE.search(data):
            return False
        last = bool(following) or not complete  # is data's last byte's neighbour still to come?
        for match in _LONE_LETTER_RE.finditer(data):
            at = match.start()
            if last and at == len(data) - 1:
                continue  # judged with its right-hand neighbour in the next round
            before = data[at - 1:at] if at else (b"" if not carry else None)
            after = data[at + 1:at + 2]
            if before is None:
                continue  # judged in the previous round
            if not ((not before or before in _WORD_EDGE) and (not after or after in _WORD_EDGE)):
                return False
        carry = data[-4:]
        pending = following
    return True


def _sniff_delimiter(line: str) -> str:
    """Pick comma, semicolon or tab by count outside quotes; comma wins ties."""
    unquoted = _QUOTED_RE.sub("", line)
    counts = [(unquoted.count(d), -i, d) for i, d in enumerate(",;\t")]
    best = max(counts)
    return best[2] if best[0] else ","


def _normalise_header(name: str) -> str:
    """Trim, lower-case and turn runs of whitespace into "_"."""
    return _HEADER_SPACE_RE.sub("_", name.strip().lower())


class _SeenDomains:
    """Normalised domain -> the row it first appeared on, for the duplicate check.

    A dict of a million domain strings and row numbers costs about 150 MB; this keeps the same
    exact mapping in flat arrays (about 50 bytes a domain): the domains' ASCII bytes end to end
    in one arena, per domain its hash, row and end offset, and an open-addressing table of
    entry numbers. A hash match is confirmed by comparing the bytes, so the answer is exact.
    """

    def __init__(self) -> None:
        self._hashes = array("q")  # per entry: hash(domain)
        self._rows = array("q")  # per entry: first row number
        self._ends = array("q", [0])  # entry k's bytes are arena[ends[k]:ends[k + 1]]
        self._arena = bytearray()
        self._slots = array("I", bytes(4 * 1024))  # entry number + 1; 0 is an empty slot
        self._mask = 1023

    def first_row(self, domain: str, row: int) -> int:
        """Return the row domain was first seen on, recording row if this is the first time."""
        h = hash(domain)
        key = domain.encode("ascii")  # normalised domains are ASCII
        slots, hashes, ends, arena, mask = self._slots, self._hashes, self._ends, self._arena, self._mask
        i = h & mask
        while entry := slots[i]:
            k = entry - 1
            if hashes[k] == h and arena[ends[k]:ends[k + 1]] == key:
                return self._rows[k]
            i = (i + 1) & mask
        hashes.append(h)
        self._rows.append(row)
        arena += key
        ends.append(len(arena))
        slots[i] = len(hashes)
        if 2 * len(hashes) > mask:  # keep the table at most half full so probes stay short
            self._grow()
        return row

    def _grow(self) -> None:
        """Double the table and re-place every entry by its stored hash."""
        mask = 2 * self._mask + 1
        slots = array("I", bytes(4 * (mask + 1)))
        for k, h in enumerate(self._hashes, 1):
            i = h & mask
            while slots[i]:
                i = (i + 1) & mask
            slots[i] = k
        self._slots, self._mask = slots, mask


class AccountCsvReader:
    """Validate an account CSV from a binary stream; iterate for rows or use iter_batches()."""

    def __init__(self, stream: BinaryIO | bytes, *, max_errors: int = DEFAULT_MAX_ERRORS,
                 check_duplicates: bool = True):
        """check_duplicates=False skips the repeated-domain check (and its memory, ~60 MB per million
        rows): for a caller whose unique index refuses the repeat anyway and that reads the file
        again, checking, to name the rows when it does (see accounts.services.import_accounts)."""
        if isinstance(stream, (bytes, bytearray, memoryview)):
            stream = io.BytesIO(bytes(stream))
        if max_errors < 1:
            raise ValueError("max_errors must be at least 1")
        self._stream = stream
        self.max_errors = max_errors
        self.check_duplicates = check_duplicates
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []
        self.columns: tuple[str, ...] = ()  # known columns present, in file order
        self.encoding: str | None = None
        self.delimiter: str | None = None
        self.data_rows = 0  # non-blank data rows seen
        self.valid_rows = 0
        self.finished = False
        self._error_count = 0
        self._row = 0  # the last row number read
        self._nul_lines = 0  # lines read so far that hold a NUL character
        self._not_utf8 = False  # UTF-8 with bytes that are not: refused at the first of them
        self._iterator: Iterator[dict[str, Any]] | None = None

    @property
    def ok(self) -> bool:
        """True once the whole file was read without a single error."""
        return self.finished and not self.errors

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Yield valid row dicts (none after the first error); like a file, it reads once."""
        if self._iterator is None:
            self._iterator = self._rows()
        return self._iterator

    def iter_batches(self, size: int = DEFAULT_BATCH_SIZE) -> Iterator[list[dict[str, Any]]]:
        """Yield lists of up to size valid row dicts; none once an error is known."""
        if size < 1:
            raise ValueError("size must be at least 1")
        batch: list[dict[str, Any]] = []
        for item in self:
            batch.append(item)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch and not self._error_count:  # the file is rejected: spare the caller the work
            yield batch

    def validate(self) -> list[RowError]:
        """Read the rest of the file keeping no rows; return the errors."""
        for _ in self:
            pass
        return self.errors

    # -- internals -------------------------------------------------------------------------

    def _error(self, row: int, field: str, message: str) -> None:
        """Record an error, keeping at most max_errors of them."""
        self._error_count += 1
        if len(self.errors) < self.max_errors:
            self.errors.append(RowError(row, field, message))

    def _open_text(self) -> io.TextIOWrapper:
        """Choose the encoding and return a text stream over the whole input."""
        stream = self._stream
        start = rewind_position(stream)
        prefix = stream.read(_SNIFF_BYTES)
        if not isinstance(prefix, (bytes, bytearray)):
            raise TypeError("AccountCsvReader needs a binary stream")
        prefix = bytes(prefix)
        errors = "strict"
        if prefix.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not prefix.startswith(codecs.BOM_UTF8):
            encoding = "utf-16"
        else:
            bom = prefix.startswith(codecs.BOM_UTF8)
            encoding = "utf-8-sig" if bom else "utf-8"
            decoder = codecs.getincrementaldecoder("utf-8")()
            whole = start is not None or len(prefix) < _SNIFF_BYTES
            try:
                decoder.decode(prefix, final=len(prefix) < _SNIFF_BYTES)
                if start is not None and len(prefix) == _SNIFF_BYTES:
                    while chunk := stream.read(_SCAN_CHUNK):
                        decoder.decode(chunk)
                    decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                if not bom and self._cp1252_like(stream, start, prefix, whole):
                    encoding, errors = "cp1252", _CP1252_ERRORS
                else:
                    # UTF-8 with bytes that are not: read on with the bad bytes kept apart
                    # (lone surrogates), only to say where the first one is; nothing is yielded.
                    errors, self._not_utf8 = "surrogateescape", True
        if start is not None:
            stream.seek(start)
            prefix = b""
        self.encoding = encoding
        raw = _PrefixedRaw(prefix, stream)
        return io.TextIOWrapper(io.BufferedReader(raw, 1 << 16), encoding=encoding,
                                errors=errors, newline="")

    @staticmethod
    def _cp1252_like(stream, start: int | None, prefix: bytes, whole: bool) -> bool:
        """Judge the whole input (rewound) when it can be read again, else the prefix read so far."""
        if start is None:
            return _looks_cp1252(iter((prefix,)), complete=whole)
        stream.seek(start)
        return _looks_cp1252(iter(lambda: stream.read(_SCAN_CHUNK), b""))

    def _first_bad_byte(self, header: list[str], header_row: int, reader) -> None:
        """Record one error at the first byte that is not UTF-8: its row, column and value."""
        names = [_normalise_header(h) or f"column {i + 1}" for i, h in enumerate(header)]
        row = header_row
        records = itertools.chain(((header_row, header, True),), ((None, r, False) for r in reader))
        for at_row, record, is_header in records:
            row = at_row if at_row is not None else row + 1
            for i, cell in enumerate(record):
                bad = next((k for k, ch in enumerate(cell) if "\udc80" <= ch <= "\udcff"), None)
                if bad is None:
                    continue
                byte = ord(cell[bad]) - 0xDC00
                column = f"column {i + 1}" if is_header or i >= len(names) else names[i]
                self._error(row, column, (
                    f"byte 0x{byte:02X} at character {bad + 1} of column {i + 1} is not valid UTF-8, "
                    f"and the file does not read as Windows-1252 either; nothing was imported. Fix "
                    f"that cell, or save the file as CSV UTF-8, and upload it again"))
                self._row = row
                return
        self._error(0, "file", "the file is not valid UTF-8; save it as CSV UTF-8 and upload it again")

    def _rows(self) -> Iterator[dict[str, Any]]:
        """Drive the read, turning unreadable input into file-level errors."""
        try:
            yield from self._read()
        except csv.Error as exc:
            self._error(self._row + 1, "row", f"could not be read as CSV ({exc}); check the quotes")
        except UnicodeDecodeError:
            self._error(0, "file", f"the file's text encoding changes somewhere after row "
                                   f"{self._row}; save it as CSV UTF-8 and upload it again")
        except _Stop as exc:
            self._error(self._row + 1, "file", str(exc))
        if self._error_count > len(self.errors):
            self.errors.append(RowError(
                0, "file", f"and {self._error_count - len(self.errors)} more errors"))
        self.finished = True

    def _bounded_lines(self, text: io.TextIOBase) -> Iterator[str]:
        """Yield physical lines (newline kept), refusing lines longer than _MAX_LINE characters.

        Counts the lines holding a NUL, so that records need a NUL check only once one was seen.
        """
        readline = text.readline
        while True:
            line = readline(_MAX_LINE)
            if not line:
                return
            if len(line) == _MAX_LINE and line[-1] not in "\r\n":
                raise _Stop(f"a line is longer than {_MAX_LINE} characters")
            if "\x00" in line:
                self._nul_lines += 1
            yield line

    def _read(self) -> Iterator[dict[str, Any]]:
        """Find the header, sniff the delimiter, then validate the data rows."""
        lines = self._bounded_lines(self._open_text())
        for line in lines:
            self._row += 1
            if line.strip():
                break
        else:
            self._error(0, "file", "the file is empty")
            return
        self.delimiter = _sniff_delimiter(line)
        reader = csv.reader(itertools.chain((line,), lines), delimiter=self.delimiter)
        header = next(reader)  # the header line again, now parsed
        if self._not_utf8:
            self._first_bad_byte(header, self._row, reader)
            return
        plan = self._plan(header, self._row)
        if plan is not None:
            yield from self._data(reader, len(header), plan)

    def _plan(self, header: list[str], row: int) -> list[_Step] | None:
        """Map known columns to cell indexes; record header errors and warnings."""
        index: dict[str, int] = {}
        for i, raw in enumerate(header):
            name = _normalise_header(raw)
            if not name:
                self.warnings.append(
                    RowError(row, "", f"column {i + 1} has no name and was ignored"))
            elif name not in KNOWN_COLUMNS:
                self.warnings.append(RowError(row, name, "unknown column, ignored"))
            elif name in index:
                self._error(row, name, "the column appears more than once")
            else:
                index[name] = i
        for name in REQUIRED_COLUMNS:
            if name not in index:
                self._error(row, name, "required column is missing")
        if self._error_count:
            return None
        order = sorted(index, key=index.__getitem__)
        self.columns = tuple(order)
        parsers = {"employees": _parse_employees, "renewal_date": _parse_date,
                   "arr": _parse_arr_decimal_comma if self.delimiter == ";" else _parse_arr}
        return [(name, index[name], parsers.get(name), TEXT_MAX_LENGTH.get(name, MAX_CELL_LENGTH))
                for name in order]

    def _data(self, reader, width: int, plan: list[_Step]) -> Iterator[dict[str, Any]]:
        """Validate data records and yield the valid ones while the file is still error-free.

        Each record first takes a fast path that only accepts: text cells within their limits
        (and free of NUL, checked once a line with one was read), parsed cells that parse, then
        the domain (last, so the repeat check sees only otherwise valid rows first). It turns
        down exactly the records with a problem; those go through _check_record, the one place
        that words problems, in file-column order.
        """
        seen = _SeenDomains() if self.check_duplicates else None
        texts = [(field, i, limit, field in REQUIRED_COLUMNS) for field, i, parse, limit in plan
                 if parse is None and field != "domain"]
        parsed = [(field, i, parse, limit) for field, i, parse, limit in plan if parse is not None]
        domain_at, domain_limit = next((i, limit) for field, i, _, limit in plan if field == "domain")
        row = start = self._row
        blank = invalid = 0  # counters that only change on rare rows: no int churn per row
        try:
            for record in reader:
                row += 1
                if len(record) != width and (len(record) < width
                                             or "".join(record[width:]).strip()):
                    if record and "".join(record).strip():
                        invalid += 1
                        cells = f"{len(record)} cell" + ("" if len(record) == 1 else "s")
                        self._error(row, "row", f"has {cells} but the header has {width}")
                    else:
                        blank += 1
                    continue
                out: dict[str, Any] = {"row": row}
                nul_seen = self._nul_lines != 0
                for field, i, limit, required in texts:
                    cell = record[i].strip()
                    if len(cell) > limit or (required and not cell) or (nul_seen and "\x00" in cell):
                        break
                    out[field] = cell or None
                else:
                    for field, i, parse, limit in parsed:
                        cell = record[i].strip()
                        if not cell:
                            out[field] = None
                            continue
                        if len(cell) > limit:
                            break
                        try:
                            out[field] = parse(cell)
                        except _Invalid:
                            break
                    else:
                        cell = record[domain_at].strip()
                        domain = normalise_domain(cell) if len(cell) <= domain_limit else None
                        if domain is not None and (seen is None or seen.first_row(domain, row) == row):
                            out["domain"] = domain
                            if not self._error_count:
                                yield out
                            continue
                problems = self._check_record(record, row, plan, seen)
                if not problems:  # the two paths disagree: refuse loudly rather than drop the row
                    raise RuntimeError(f"row {row} was turned down without a problem to name")
                if "".join(record).strip():
                    invalid += 1
                    for field, message in problems:
                        self._error(row, field, message)
                else:
                    blank += 1  # a row of empty cells is skipped, not an error
        finally:
            self._row = row
            self.data_rows = row - start - blank
            self.valid_rows = self.data_rows - invalid
        if not self.data_rows:
            self._error(0, "file", "the file has no data rows")

    def _check_record(self, record: list[str], row: int, plan: list[_Step],
                      seen: _SeenDomains | None) -> list[tuple[str, str]]:
        """Every problem of one record as (field, message), in file-column order."""
        problems: list[tuple[str, str]] = []
        for field, i, parse, limit in plan:
            cell = record[i].strip()
            if not cell:
                if field in REQUIRED_COLUMNS:
                    problems.append((field, "is required"))
            elif len(cell) > limit:
                limit = MAX_CELL_LENGTH if len(cell) > MAX_CELL_LENGTH else limit
                problems.append((field, f"longer than {limit} characters"))
            elif parse is not None:
                try:
                    parse(cell)
                except _Invalid as exc:
                    problems.append((field, str(exc)))
            elif field != "domain":
                if "\x00" in cell:  # databases such as PostgreSQL refuse NUL in text
                    problems.append((field, "contains a NUL character"))
            else:
                domain = normalise_domain(cell)
                if domain is None:
                    problems.append((field, "not a valid domain"))
                elif seen is not None and (first := seen.first_row(domain, row)) != row:
                    problems.append((field, f"duplicate of row {first} (same domain {domain})"))
        return problems


def _parse_employees(cell: str) -> int:
    """Parse a non-negative whole number of employees."""
    if not (cell.isascii() and cell.isdigit()):
        if cell[0] == "-" and cell[1:].isascii() and cell[1:].isdigit():
            raise _Invalid("must not be negative")
        raise _Invalid("must be a whole number")
    value = int(cell)
    if value > MAX_EMPLOYEES:
        raise _Invalid("is too large")
    return value


def _parse_arr(cell: str) -> Decimal:
    """Parse a non-negative decimal amount with at most two decimal places."""
    if _PLAIN_ARR_RE.fullmatch(cell):  # the usual shape, valid by construction: skip the checks
        return Decimal(cell)
    whole, dot, fraction = cell.partition(".")
    if not (whole or fraction) or not (whole + fraction).isascii() \
            or not (whole.isdigit() or not whole) or not (fraction.isdigit() or not fraction):
        if cell[0] == "-" and len(cell) > 1:
            try:
                _parse_arr(cell[1:])
            except _Invalid:
                pass
            else:
                raise _Invalid("must not be negative")
        raise _Invalid("must be a number like 12500.00")
    if len(fraction.rstrip("0")) > ARR_MAX_DECIMAL_PLACES:
        raise _Invalid(f"must have at most {ARR_MAX_DECIMAL_PLACES} decimal places")
    if len(whole.lstrip("0")) > ARR_MAX_INTEGER_DIGITS:
        raise _Invalid("is too large")
    return Decimal(cell)


def _parse_arr_decimal_comma(cell: str) -> Decimal:
    """Parse arr in a semicolon file, where "1234,50" uses a decimal comma."""
    if "," in cell and "." not in cell:
        cell = cell.replace(",", ".", 1)
    return _parse_arr(cell)


def _parse_date(cell: str) -> date:
    """Parse an ISO YYYY-MM-DD date."""
    # With this shape fromisoformat accepts only YYYY-MM-DD in ASCII digits (not week dates).
    if len(cell) == 10 and cell[4] == "-" and cell[7] == "-":
        try:
            return date.fromisoformat(cell)
        except ValueError:
            pass
    raise _Invalid("must be a date like 2025-12-31 (YYYY-MM-DD)")


def read_accounts(stream: BinaryIO | bytes,
                  max_errors: int = DEFAULT_MAX_ERRORS) -> AccountCsvReader:
    """Return a reader over stream: iterate it for valid rows, then check .errors."""
    return AccountCsvReader(stream, max_errors=max_errors)


# -- export ------------------------------------------------------------------------------------

# The export writer is the project's one CSV writer (app/core/csvout.py), under the names this
# module has always offered.
neutralise_cell = neutralise
write_accounts_csv = csv_stream
