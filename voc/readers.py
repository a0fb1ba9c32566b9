"""Read CSV, JSONL/JSON, Parquet and XLSX files into batches of string columns.

Readers never fail on one bad row: a row that cannot be decoded or parsed is returned
with a read error so that ingestion quarantines it, and only a file that cannot be read
at all raises `FileUnreadable`. Batches are bounded in size so memory does not grow with
the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SUPPORTED_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
                      ".json": "json", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx", ".xlsm": "xlsx"}
CSV_DELIMITERS = [",", ";", "\t", "|"]
ORIGINAL_MAX_CHARS = 20_000  # what is kept of a quarantined row's original content

csv.field_size_limit(2**31 - 1)


class FileUnreadable(Exception):
    """A whole file that cannot be read; the message is one sentence for the user."""


@dataclass
class RawBatch:
    """Up to `chunk_rows` rows of one file, every value as text (or None)."""

    header: list[str]
    columns: dict[str, list[str | None]]
    line_numbers: list[int]
    read_errors: list[str | None]  # why a row could not be read, else None
    originals: list[str | None]  # the row as found in the file, for rows with a read error
    bytes_done: int = 0  # position in the file, for progress

    def __len__(self) -> int:
        return len(self.line_numbers)

    def row_original(self, i: int) -> str:
        """The original content of row i: the raw text when kept, else its fields as JSON."""
        if self.originals[i] is not None:
            return self.originals[i][:ORIGINAL_MAX_CHARS]
        record = {name: self.columns[name][i] for name in self.header}
        return json.dumps(record, ensure_ascii=False)[:ORIGINAL_MAX_CHARS]


def detect_format(path: Path) -> str:
    """The reader for a file, from its suffix, or from its first bytes when the suffix is unknown."""
    fmt = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if fmt:
        return fmt
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK"):
        return "xlsx"
    raise FileUnreadable(
        f"{path.name}: unknown file type '{path.suffix or '(none)'}'; use CSV, JSONL, JSON, Parquet or XLSX."
    )


# ---------------------------------------------------------------------------- encodings

_UTF8_SEQ = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_SURROGATE = re.compile("[\udc80-\udcff]")


def _cp1252_with_latin1_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    """cp1252 leaves five bytes undefined; read them as latin-1 rather than fail."""
    bad = error.object[error.start:error.end]
    return bad.decode("latin-1"), error.end


codecs.register_error("voc_latin1_fallback", _cp1252_with_latin1_fallback)


def sniff_encoding(path: Path, scan_bytes: int = 64 * 1024 * 1024) -> str:
    """Guess the text encoding: BOMs first, then UTF-8 if the high bytes form UTF-8, else cp1252.

    A file that is UTF-8 with a few broken bytes stays UTF-8: those rows are quarantined
    as undecodable instead of the whole file being misread.
    """
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        fh.seek(0)
        valid = invalid = 0
        remaining = scan_bytes
        while remaining > 0:
            block = fh.read(min(8 * 1024 * 1024, remaining))
            if not block:
                break
            remaining -= len(block)
            if block.isascii():
                continue
            seq_bytes = sum(len(m) for m in _UTF8_SEQ.findall(block))
            high = len(_HIGH_BYTE.findall(block))
            valid += seq_bytes
            invalid += high - seq_bytes
    if invalid == 0 or valid >= invalid:
        return "utf-8"
    return "cp1252"


def _text_errors(encoding: str) -> str:
    return "surrogateescape" if encoding.startswith("utf-8") else (
        "voc_latin1_fallback" if encoding == "cp1252" else "replace")


def _undecodable(value: str) -> bool:
    return _SURROGATE.search(value) is not None


def _escape_undecodable(value: str) -> str:
    """Show broken bytes as \\xNN so the original can be stored and read."""
    return _SURROGATE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", value)


# ---------------------------------------------------------------------------- CSV


def _sniff_delimiter(sample: str) -> str:
    first_line = sample.split("\n", 1)[0]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters="".join(CSV_DELIMITERS))
        if dialect.delimiter in first_line:
            return dialect.delimiter
    except csv.Error:
        pass
    counts = {d: first_line.count(d) for d in CSV_DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _dedupe_header(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(header):
        name = (name or "").strip().lstrip("\ufeff") or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


class NeedsCarefulReading(Exception):
    """The fast CSV reader met something only the careful one handles (a broken row, bad bytes)."""


@dataclass(frozen=True)
class CsvLayout:
    encoding: str
    delimiter: str
    header: list[str]
    header_lines: int


def csv_layout(path: Path) -> CsvLayout:
    """Encoding, delimiter and header of a CSV file, from its first 64 kB."""
    encoding = sniff_encoding(path)
    with path.open("rb") as binary:
        text = io.TextIOWrapper(binary, encoding=encoding, errors=_text_errors(encoding), newline="")
        sample = text.read(64 * 1024)
        if not sample.strip():
            raise FileUnreadable(f"{path.name}: the file is empty; there is nothing to ingest.")
        delimiter = _sniff_delimiter(sample)
        reader = csv.reader(io.StringIO(sample), delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
        try:
            header_row = next(reader)
        except csv.Error as exc:
            raise FileUnreadable(f"{path.name}: the header line cannot be parsed as CSV ({exc}).") from exc
    if any(_undecodable(h) for h in header_row):
        header_row = [_escape_undecodable(h) for h in header_row]
    return CsvLayout(encoding, delimiter, _dedupe_header(header_row), reader.line_num)


def iter_csv_fast(path: Path, chunk_rows: int, layout: CsvLayout | None = None) -> Iterator[RawBatch]:
    """Arrow's C++ CSV reader: about ten times faster than the csv module, for clean files.

    Anything unusual (a row with the wrong number of fields, a blank line, bytes that do
    not decode) raises NeedsCarefulReading, and the file is read again by `iter_csv`.
    Line numbers are exact: each record starts one line after the previous record's
    last line, counting the line breaks inside its quoted fields.
    """
    import pyarrow.csv as pacsv

    layout = layout or csv_layout(path)
    if layout.encoding not in ("utf-8", "utf-8-sig") or layout.header_lines != 1:
        raise NeedsCarefulReading(f"{path.name}: {layout.encoding}, header on {layout.header_lines} lines")
    size = path.stat().st_size
    header = layout.header
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(encoding="utf8", block_size=4 << 20, column_names=header, skip_rows=1),
        parse_options=pacsv.ParseOptions(delimiter=layout.delimiter, newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    next_line = 2
    done = 0
    pending: list[pa.RecordBatch] = []
    pending_rows = 0

    def flush(batches: list[pa.RecordBatch]) -> RawBatch:
        nonlocal next_line, done
        table = pa.Table.from_batches(batches)
        n = table.num_rows
        breaks = np.zeros(n, dtype=np.int64)
        for column in table.columns:
            breaks += pc.count_substring(column, "\n").to_numpy(zero_copy_only=False)
        starts = next_line + np.arange(n, dtype=np.int64) + np.concatenate(([0], np.cumsum(breaks)[:-1]))
        next_line = int(starts[-1] + breaks[-1] + 1) if n else next_line
        done += table.nbytes
        columns = {name: table.column(name).to_pylist() for name in header}
        return RawBatch(header, columns, starts.tolist(), [None] * n, [None] * n, bytes_done=min(done, size))

    try:
        for record_batch in reader:
            pending.append(record_batch)
            pending_rows += record_batch.num_rows
            if pending_rows >= chunk_rows:
                yield flush(pending)
                pending, pending_rows = [], 0
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise NeedsCarefulReading(f"{path.name}: {exc}") from exc
    if pending_rows:
        yield flush(pending)


def iter_csv(path: Path, chunk_rows: int) -> Iterator[RawBatch]:
    """The careful CSV reader (Python's csv module): every row is read, broken ones flagged."""
    layout = csv_layout(path)
    encoding, delimiter, header = layout.encoding, layout.delimiter, layout.header
    errors = _text_errors(encoding)
    binary = path.open("rb")
    try:
        text = io.TextIOWrapper(binary, encoding=encoding, errors=errors, newline="")
        reader = csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
        next(reader, None)  # the header, already read by csv_layout
        width = len(header)
        check_bytes = errors == "surrogateescape"  # only UTF-8 reads can meet broken bytes
        previous_line = reader.line_num
        rows: list[list[str]] = []
        lines: list[int] = []
        read_errors: list[str | None] = []
        originals: list[str | None] = []

        def flush() -> RawBatch:
            padded = [r if len(r) == width else (r + [""] * (width - len(r)))[:width] for r in rows]
            cols = list(zip(*padded)) if padded else [()] * width
            columns = {name: list(col) for name, col in zip(header, cols)}
            return RawBatch(header, columns, list(lines), list(read_errors), list(originals),
                            bytes_done=binary.raw.tell())

        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:  # a row the csv module rejects: keep going with the next
                line = previous_line + 1
                previous_line = reader.line_num
                rows.append([""] * width)
                lines.append(line)
                read_errors.append(f"malformed CSV row ({exc})")
                originals.append("")
                continue
            line = previous_line + 1
            previous_line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip() and width > 1):
                continue  # blank line: not a record
            error = None
            original = None
            if len(row) != width:
                error = f"malformed CSV row: {len(row)} fields where the header has {width}"
                original = delimiter.join(row)
            if check_bytes and _undecodable(delimiter.join(row)):
                error = "undecodable bytes (not valid UTF-8)"
                original = _escape_undecodable(delimiter.join(row))
                row = [""] * width
            if "\x00" in "".join(row):
                row = [v.replace("\x00", "") for v in row]
            rows.append(row)
            lines.append(line)
            read_errors.append(error)
            originals.append(original)
            if len(rows) >= chunk_rows:
                yield flush()
                rows.clear(); lines.clear(); read_errors.clear(); originals.clear()
        if rows:
            yield flush()
    except UnicodeDecodeError as exc:
        raise FileUnreadable(f"{path.name}: the file cannot be decoded as {encoding} ({exc.reason}).") from exc
    finally:
        binary.close()


# ---------------------------------------------------------------------------- JSON


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False)


def _records_to_batch(records: list[dict | None], lines: list[int], read_errors: list[str | None],
                      originals: list[str | None], bytes_done: int) -> RawBatch:
    header: list[str] = []
    seen: set[str] = set()
    for rec in records:
        if rec:
            for key in rec:
                if key not in seen:
                    seen.add(key)
                    header.append(key)
    columns = {name: [_as_text(rec.get(name)) if rec else None for rec in records] for name in header}
    return RawBatch(header, columns, lines, read_errors, originals, bytes_done=bytes_done)


def iter_jsonl(path: Path, chunk_rows: int) -> Iterator[RawBatch]:
    records: list[dict | None] = []
    lines: list[int] = []
    read_errors: list[str | None] = []
    originals: list[str | None] = []
    done = 0
    with path.open("rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            done += len(raw)
            if line_no == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            stripped = raw.strip()
            if not stripped:
                continue
            record: dict | None = None
            error = None
            original = None
            try:
                decoded = stripped.decode("utf-8")
            except UnicodeDecodeError:
                decoded = None
                error = "undecodable bytes (not valid UTF-8)"
                original = _escape_undecodable(stripped.decode("utf-8", errors="surrogateescape"))
            if decoded is not None:
                try:
                    value = json.loads(decoded)
                    if isinstance(value, dict):
                        record = value
                    else:
                        error = f"JSON line is a {type(value).__name__}, not an object"
                        original = decoded
                except json.JSONDecodeError as exc:
                    error = f"broken JSON line ({exc.msg} at column {exc.colno})"
                    original = decoded
            records.append(record)
            lines.append(line_no)
            read_errors.append(error)
            originals.append(original)
            if len(records) >= chunk_rows:
                yield _records_to_batch(records, lines, read_errors, originals, done)
                records, lines, read_errors, originals = [], [], [], []
    if records:
        yield _records_to_batch(records, lines, read_errors, originals, done)


def iter_json(path: Path, chunk_rows: int) -> Iterator[RawBatch]:
    """A JSON file holding one array of objects (or JSON Lines under a .json name)."""
    raw = path.read_bytes()
    try:
        value = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        yield from iter_jsonl(path, chunk_rows)  # many exports name JSON Lines ".json"
        return
    if isinstance(value, dict):
        for key in ("data", "records", "items", "results", "rows"):
            if isinstance(value.get(key), list):
                value = value[key]
                break
    if not isinstance(value, list):
        raise FileUnreadable(f"{path.name}: the JSON file holds no list of records.")
    for start in range(0, len(value), chunk_rows):
        part = value[start:start + chunk_rows]
        records = [v if isinstance(v, dict) else None for v in part]
        errors = [None if isinstance(v, dict) else "JSON item is not an object" for v in part]
        originals = [None if isinstance(v, dict) else json.dumps(v, ensure_ascii=False) for v in part]
        lines = list(range(start + 1, start + len(part) + 1))
        yield _records_to_batch(records, lines, errors, originals, len(raw) * (start + len(part)) // max(len(value), 1))


# ---------------------------------------------------------------------------- Parquet, XLSX


def iter_parquet(path: Path, chunk_rows: int) -> Iterator[RawBatch]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - any parse failure means the file is unusable
        raise FileUnreadable(f"{path.name}: not a readable Parquet file ({exc.__class__.__name__}).") from exc
    size = path.stat().st_size
    total = max(parquet.metadata.num_rows, 1)
    offset = 0
    for batch in parquet.iter_batches(batch_size=chunk_rows):
        header = [str(n) for n in batch.schema.names]
        columns: dict[str, list[str | None]] = {}
        for name, column in zip(header, batch.columns):
            if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
                columns[name] = [v.isoformat() if v is not None else None for v in column.to_pylist()]
            elif pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                columns[name] = column.to_pylist()
            else:
                columns[name] = [_as_text(v) for v in column.to_pylist()]
        n = batch.num_rows
        lines = list(range(offset + 1, offset + n + 1))
        offset += n
        yield RawBatch(_dedupe_header(header), dict(zip(_dedupe_header(header), columns.values())),
                       lines, [None] * n, [None] * n, bytes_done=size * offset // total)


def iter_xlsx(path: Path, chunk_rows: int) -> Iterator[RawBatch]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
    except Exception as exc:  # noqa: BLE001
        raise FileUnreadable(f"{path.name}: not a readable Excel workbook ({exc.__class__.__name__}).") from exc
    rows = sheet.iter_rows()
    header_row = next(rows, None)
    if not header_row or not any(str(h).strip() for h in header_row):
        raise FileUnreadable(f"{path.name}: the first sheet has no header row.")
    header = _dedupe_header([_as_text(h) or "" for h in header_row])
    width = len(header)
    size = path.stat().st_size
    buffer: list[list[str | None]] = []
    lines: list[int] = []
    for excel_row, row in enumerate(rows, start=2):
        values = [_as_text(v) if v != "" else None for v in row][:width]
        if not any(v not in (None, "") for v in values):
            continue
        buffer.append(values + [None] * (width - len(values)))
        lines.append(excel_row)
        if len(buffer) >= chunk_rows:
            yield _rows_batch(header, buffer, lines, size)
            buffer, lines = [], []
    if buffer:
        yield _rows_batch(header, buffer, lines, size)


def _rows_batch(header: list[str], rows: list[list[str | None]], lines: list[int], size: int) -> RawBatch:
    columns = {name: list(col) for name, col in zip(header, zip(*rows))}
    n = len(rows)
    return RawBatch(header, columns, lines, [None] * n, [None] * n, bytes_done=size)


READERS: dict[str, Callable[[Path, int], Iterator[RawBatch]]] = {
    "csv": iter_csv, "jsonl": iter_jsonl, "json": iter_json, "parquet": iter_parquet, "xlsx": iter_xlsx,
}


def iter_batches(path: Path, chunk_rows: int = 50_000, fast: bool = False) -> Iterator[RawBatch]:
    """Batches of rows of any supported file; raises FileUnreadable for an unusable file.

    With `fast`, clean CSV files are read by Arrow and NeedsCarefulReading is raised when a
    file needs the careful reader (the caller then starts that file again).
    """
    if not path.is_file():
        raise FileUnreadable(f"{path}: no such file; check the path.")
    try:
        path.open("rb").close()
    except OSError as exc:
        raise FileUnreadable(f"{path}: the file cannot be opened ({exc.strerror}).") from exc
    fmt = detect_format(path)
    if fast and fmt == "csv":
        yield from iter_csv_fast(path, chunk_rows)
    else:
        yield from READERS[fmt](path, chunk_rows)
