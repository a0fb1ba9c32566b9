"""The analysts' page must not rot: every SQL example runs on the demo data and shows something."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from voc import store

DOC = Path(__file__).resolve().parent.parent / "docs" / "data_model.md"

_BLOCK = re.compile(r"^```sql\n(.*?)^```", re.S | re.M)
_HEADING = re.compile(r"^### (.+)$", re.M)


def sql_examples(text: str) -> list[tuple[str, str]]:
    """(heading, sql) for every ```sql block, named after the closest `### ` heading above it."""
    examples = []
    for block in _BLOCK.finditer(text):
        headings = _HEADING.findall(text, 0, block.start())
        examples.append((headings[-1].strip() if headings else "(no heading)", block.group(1)))
    return examples


EXAMPLES = sql_examples(DOC.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def con(demo_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = store.connect_read_only(demo_db)
    assert store.load_fts(connection), "the fts extension (duckdb-extension-fts) could not be loaded"
    yield connection
    connection.close()


def test_doc_has_ten_named_queries() -> None:
    headings = [h for h, _ in EXAMPLES]
    assert len(EXAMPLES) >= 10, f"only {len(EXAMPLES)} SQL examples in {DOC.name}"
    assert "(no heading)" not in headings, "every SQL example needs a '### question' heading above it"
    assert len(set(headings)) == len(headings), "each SQL example needs its own heading"


@pytest.mark.parametrize("sql", [pytest.param(sql, id=heading) for heading, sql in EXAMPLES])
def test_example_runs_and_returns_rows(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    rows = con.execute(sql).fetchall()
    assert rows, "the example returns no row on the demo data"


def test_views_named_in_doc_exist(con: duckdb.DuckDBPyConnection) -> None:
    """A renamed or dropped mart must show up here, not in an analyst's failed query."""
    named = set(re.findall(r"\b(mart|raw|nlp|meta)\.([a-z_]+)\b", DOC.read_text(encoding="utf-8")))
    existing = set(con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() UNION SELECT schema_name, view_name FROM duckdb_views()"
    ).fetchall())
    assert named, "the page names no table"
    assert sorted(named - existing) == []


def test_documented_fts_path_matches_installed_extension() -> None:
    """The LOAD path given for the DuckDB CLI must point at a file that the package really ships."""
    import duckdb_extension_fts

    documented = re.search(r"duckdb_extension_fts/(extensions/v[\d.]+/fts\.duckdb_extension)",
                           DOC.read_text(encoding="utf-8"))
    assert documented, "the page does not give the path of the fts extension"
    assert (Path(duckdb_extension_fts.__file__).parent / documented.group(1)).is_file()
    assert f"v{duckdb.__version__}/" in documented.group(1)
