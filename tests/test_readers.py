"""File formats, encodings and broken rows, read for real from files on disk."""

from __future__ import annotations

import csv
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from voc.readers import FileUnreadable, iter_batches, sniff_encoding
from tests.conftest import write_bytes

ROWS = [("T1", "21/11/2026 14:03", "Très déçu, facture à 900 € 😡"), ("T2", "2026-11-20", "Ça marche enfin, merci")]


def _rows(path, chunk_rows=50_000):
    out = []
    for batch in iter_batches(path, chunk_rows):
        for i in range(len(batch)):
            out.append(({h: batch.columns[h][i] for h in batch.header}, batch.line_numbers[i], batch.read_errors[i]))
    return out


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1"])
def test_csv_any_delimiter_and_encoding(tmp_path, delimiter, encoding):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows([("id", "date", "verbatim"), *ROWS])
    text = buffer.getvalue()
    if encoding in ("cp1252", "latin-1"):
        text = text.replace("😡", "")  # not representable there
        text = text.replace("€", "EUR") if encoding == "latin-1" else text
    path = write_bytes(tmp_path / "f.csv", text.encode(encoding))
    rows = _rows(path)
    assert [r[0]["id"] for r in rows] == ["T1", "T2"]
    assert rows[0][0]["verbatim"].startswith("Très déçu, facture à 900 ")
    assert rows[1][0]["verbatim"] == "Ça marche enfin, merci"
    assert all(r[2] is None for r in rows)


def test_sniffed_encodings(tmp_path):
    assert sniff_encoding(write_bytes(tmp_path / "a.csv", "é".encode("utf-8"))) == "utf-8"
    assert sniff_encoding(write_bytes(tmp_path / "b.csv", "\ufeffé".encode("utf-8"))) == "utf-8-sig"
    assert sniff_encoding(write_bytes(tmp_path / "c.csv", "déçu à ".encode("cp1252"))) == "cp1252"


def test_quoted_newlines_keep_line_numbers(tmp_path):
    data = 'id,verbatim\n1,"ligne un\nligne deux\nligne trois"\n2,simple\n'
    rows = _rows(write_bytes(tmp_path / "q.csv", data.encode()))
    assert rows[0][0]["verbatim"] == "ligne un\nligne deux\nligne trois"
    assert [r[1] for r in rows] == [2, 5]


def test_undecodable_row_is_flagged_not_fatal(tmp_path):
    data = "id;verbatim\n1;très bien\n2;".encode() + b"\xff\xfe cass\xe9" + "\n3;très mal\n".encode()
    rows = _rows(write_bytes(tmp_path / "u.csv", data))
    assert [r[2] is not None for r in rows] == [False, True, False]
    assert "undecodable" in rows[1][2]


def test_wrong_field_count_is_flagged(tmp_path):
    rows = _rows(write_bytes(tmp_path / "w.csv", b"id,date,verbatim\n1,2026-01-01,ok\n2,2026-01-02\n"))
    assert rows[0][2] is None
    assert "2 fields" in rows[1][2]


def test_batches_are_bounded(tmp_path):
    body = "id,verbatim\n" + "".join(f"{i},texte {i}\n" for i in range(2500))
    batches = list(iter_batches(write_bytes(tmp_path / "big.csv", body.encode()), 1000))
    assert [len(b) for b in batches] == [1000, 1000, 500]
    assert batches[-1].line_numbers[-1] == 2501


def test_jsonl_broken_lines(tmp_path):
    data = (json.dumps({"id": 1, "text": "ok", "likes": 3}) + "\n{broken json\n" + "[1, 2]\n\n"
            + json.dumps({"id": 4, "text": "fin"}) + "\n").encode() + b'{"id": 5, "text": "\xff"}\n'
    rows = _rows(write_bytes(tmp_path / "s.jsonl", data))
    assert [r[1] for r in rows] == [1, 2, 3, 5, 6]
    assert rows[0][0] == {"id": "1", "text": "ok", "likes": "3"}
    assert "broken JSON" in rows[1][2]
    assert "not an object" in rows[2][2]
    assert rows[3][2] is None
    assert "undecodable" in rows[4][2]


def test_parquet_and_xlsx(tmp_path):
    table = pa.table({"id": ["a", "b"], "score": [9, 3], "why": ["top", "bof"]})
    pq.write_table(table, tmp_path / "n.parquet")
    rows = _rows(tmp_path / "n.parquet")
    assert [r[0] for r in rows] == [{"id": "a", "score": "9", "why": "top"}, {"id": "b", "score": "3", "why": "bof"}]

    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["N° ticket", "Date de création", "Verbatim"])
    ws.append(["T1", "21/11/2026 14:03", "Très déçu"])
    ws.append([None, None, None])
    ws.append(["T2", "20/11/2026", "Top"])
    wb.save(tmp_path / "c.xlsx")
    rows = _rows(tmp_path / "c.xlsx")
    assert [r[0]["Verbatim"] for r in rows] == ["Très déçu", "Top"]
    assert [r[1] for r in rows] == [2, 4]


@pytest.mark.parametrize("name,data,fragment", [
    ("empty.csv", b"", "empty"),
    ("x.doc", b"\xd0\xcf\x11\xe0 binary", "unknown file type"),
    ("bad.parquet", b"not parquet at all", "Parquet"),
    ("bad.xlsx", b"PK\x03\x04 truncated", "Excel"),
])
def test_unreadable_files_raise_one_sentence(tmp_path, name, data, fragment):
    path = write_bytes(tmp_path / name, data)
    with pytest.raises(FileUnreadable) as err:
        list(iter_batches(path))
    message = str(err.value)
    assert fragment in message and name in message and "\n" not in message
