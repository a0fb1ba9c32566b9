"""Text clean-up, dates, scores and header mapping."""

from __future__ import annotations

from datetime import datetime, timezone

from voc.config import default_field_aliases
from voc.normalize import clean_texts, parse_dates, parse_scores, resolve_columns, text_problem


def test_clean_texts_keeps_emojis_and_removes_html():
    out = clean_texts([
        "Tr&egrave;s d&eacute;&ccedil;u<br>vraiment &amp;amp; <b>nul</b> 😡 <3 👨‍👩‍👧",
        "  a\u00a0\u00a0b\r\n\r\n\r\n\r\nc \u200b ",
        "e\u0301te\u0301",  # decomposed accents -> NFC
        None,
    ])
    assert out[0] == "Très déçu\nvraiment & nul 😡 <3 👨‍👩‍👧"
    assert out[1] == "a b\n\nc"
    assert out[2] == "été" and len(out[2]) == 3
    assert out[3] is None


def test_text_problems():
    assert text_problem("  ", 100) == "empty text"
    assert text_problem(None, 100) == "empty text"
    assert "over the limit" in text_problem("é" * 60, 100)  # 120 bytes
    assert text_problem("é" * 40, 100) is None


def _utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def test_dates_iso_french_and_timezones():
    values = ["21/11/2026 14:03", "21 nov. 2026", "2026-11-21T14:03:00+01:00", "2026-11-21T13:03:00Z",
              "lundi 3 août 2026 à 9h30", "2026-07-01 12:00", "21-11-26", "32/13/2026", "hier", ""]
    stamps, problems = parse_dates(values)
    got = stamps.to_pylist()
    assert got[0] == _utc(2026, 11, 21, 13, 3)  # Paris winter time, UTC+1
    assert got[1] == _utc(2026, 11, 20, 23, 0)
    assert got[2] == got[3] == _utc(2026, 11, 21, 13, 3)
    assert got[4] == _utc(2026, 8, 3, 7, 30)  # Paris summer time, UTC+2
    assert got[5] == _utc(2026, 7, 1, 10, 0)
    assert got[6] == _utc(2026, 11, 20, 23, 0)
    assert got[7] is None and "32/13/2026" in problems[7]
    assert got[8] is None and "hier" in problems[8]
    assert problems[9] == "missing date"
    assert problems[:7] == [None] * 7


def test_dst_edges_do_not_fail():
    stamps, problems = parse_dates(["2026-03-29 02:30", "2026-10-25 02:30"])
    assert problems == [None, None]
    assert all(s is not None for s in stamps.to_pylist())


def test_nps_scores():
    scores, problems = parse_scores(["9", "9/10", "8.0", "0", "10 ", "11", "dix", "-1", "8,5", None])
    assert scores[:5] == [9, 9, 8, 0, 10]
    assert scores[5:] == [None] * 5
    assert all(p is None for p in problems[:5])
    assert all(p for p in problems[5:])


def test_header_aliases_french_and_english():
    header = ["N° ticket", "Date de création", "Canal", "Catégorie", "Statut", "Verbatim client", "Commentaire interne"]
    mapping = resolve_columns(header, default_field_aliases("complaints"))
    assert mapping["source_id"] == "N° ticket"
    assert mapping["created_at"] == "Date de création"
    assert mapping["channel"] == "Canal" and mapping["category"] == "Catégorie" and mapping["status"] == "Statut"
    assert mapping["text"] == "Verbatim client"
    nps = resolve_columns(["response_id", "submitted_at", "Score", "Why", "Touchpoint"], default_field_aliases("nps"))
    assert nps == {"text": "Why", "source_id": "response_id", "created_at": "submitted_at", "score": "Score",
                   "touchpoint": "Touchpoint"}
