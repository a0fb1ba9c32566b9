"""The weekly digest: files, French formatting, escaping, a real SMTP server, a real headless Chromium, the flow."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_voc
from voc import store
from voc.digest import CodeLine, Digest, Sample, default_week, fr_decimal, fr_percent, fr_points, render_html

ARTIFACTS = ROOT / "test-artifacts"
WEEK = "2026-W47"  # last week of the bundled sample


@pytest.fixture(scope="module")
def report(demo_db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    result = run_voc("report", "weekly", "--db", str(demo_db), "--out", str(out), "--week", WEEK)
    assert result.returncode == 0, result.stderr
    assert f"{out / WEEK / 'digest.html'}" in result.stdout
    return out / WEEK


def test_the_digest_has_every_form_and_its_charts(report, demo_db):
    html = (report / "digest.html").read_text(encoding="utf-8")
    markdown = (report / "digest.md").read_text(encoding="utf-8")
    text = (report / "digest.txt").read_text(encoding="utf-8")
    con = store.connect_read_only(demo_db)
    top = con.execute("SELECT label, volume FROM mart.irritant_weekly_overall WHERE iso_week = ? ORDER BY rank LIMIT 3",
                      [WEEK]).fetchall()
    alerts = con.execute("SELECT label FROM mart.alerts WHERE iso_week = ?", [WEEK]).fetchall()
    con.close()
    for label, _ in top:
        for form in (html, markdown, text):
            assert label.replace("'", "&#39;") in form or label in form
    assert html.index(top[0][0]) < html.index(top[1][0]) < html.index(top[2][0])  # ranked order
    assert [label for (label,) in alerts] and all(label in html for (label,) in alerts)  # the planted outage
    assert "Top enchantements" in html and "Par étape du parcours" in html
    charts = sorted(p.name for p in (report / "charts").glob("*.png"))
    assert "top_irritants.png" in charts and "stages.png" in charts and sum(c.startswith("spark_") for c in charts) == 10
    for name in charts:
        assert (report / "charts" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"charts/{name}" in html
    # French numbers: decimal comma and a narrow no-break space before %.
    assert re.search(r"\d,\d\u202f%", html) and not re.search(r"\d\.\d\s?%", html)
    assert "priorité = 100 × (0,40 × part relative" in html


def test_french_formatting():
    assert fr_decimal(1234.5, 1) == "1\u202f234,5"
    assert fr_percent(0.123) == "12,3\u202f%"
    assert fr_points(-3.94) == "\u22123,9\u202fpt" and fr_points(2.0) == "+2,0\u202fpt"
    assert fr_decimal(-0.01, 1) == "0,0"  # no "-0,0"


def test_verbatims_are_html_escaped_and_pii_free():
    line = CodeLine(code="x", label="Panne <b>réseau</b>", stage_label="Usage", rank=1, rank_change="=", volume=3,
                    share="1,0 %", nps_impact="–", nps_interval="–", severity="0,5", effort="0,2", trend="+5 %",
                    priority="50", history=[1, 2, 3],
                    samples=[Sample("<script>alert('x')</script> appelez moi au [TEL]", "alert", "social", None)])
    digest = Digest(iso_week=WEEK, week_start=dt.date(2026, 11, 16), title="t", period="p", verbatims=3,
                    respondents=0, nps="–", nps_change="–", irritants=[line], enchantements=[], alerts=[], stages=[],
                    history_weeks=[WEEK])
    html = render_html(digest)
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "Panne &lt;b&gt;réseau&lt;/b&gt;" in html


def test_default_week_is_the_last_complete_week_with_data():
    weeks = [("2026-W46", "2026-11-09"), ("2026-W47", "2026-11-16"), ("2026-W48", "2026-11-23")]
    assert default_week(weeks, today=dt.date(2026, 11, 24)) == "2026-W47"
    assert default_week(weeks, today=dt.date(2027, 3, 1)) == "2026-W48"
    assert default_week(weeks[:1], today=dt.date(2026, 11, 10)) == "2026-W46"  # nothing complete: latest


@pytest.mark.parametrize("week, message", [("2026-47", "is not an ISO week"), ("2019-W01", "No ranked data for week 2019-W01")])
def test_bad_weeks_exit_2_with_one_sentence(demo_db, tmp_path, week, message):
    result = run_voc("report", "weekly", "--db", str(demo_db), "--out", str(tmp_path), "--week", week)
    assert result.returncode == 2 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------------------- a real SMTP server


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self):
            self.envelopes = []

        async def handle_DATA(self, server, session, envelope):
            self.envelopes.append(envelope)
            return "250 Message accepted for delivery"

    import socket

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def _port(controller) -> int:
    return controller.port


def test_send_mails_a_multipart_alternative_with_inline_charts(demo_db, tmp_path, smtp_server):
    controller, handler = smtp_server
    env = {"VOC_SMTP_HOST": "127.0.0.1", "VOC_SMTP_PORT": str(_port(controller)), "VOC_SMTP_STARTTLS": "0",
           "VOC_DIGEST_FROM": "voc@example.org", "VOC_DIGEST_TO": "qualite@example.org, direction@example.org"}
    result = run_voc("report", "weekly", "--db", str(demo_db), "--out", str(tmp_path), "--week", WEEK, "--send",
                     env=env)
    assert result.returncode == 0, result.stderr
    assert "mailed to qualite@example.org, direction@example.org" in result.stdout
    assert len(handler.envelopes) == 1
    envelope = handler.envelopes[0]
    assert envelope.mail_from == "voc@example.org"
    assert sorted(envelope.rcpt_tos) == ["direction@example.org", "qualite@example.org"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert WEEK in message["Subject"]
    assert message.get_content_type() == "multipart/alternative"
    plain, related = message.get_payload()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, *images = related.get_payload()
    assert html_part.get_content_type() == "text/html"
    assert images and all(i.get_content_type() == "image/png" for i in images)
    html = html_part.get_content()
    cids = {i["Content-ID"].strip("<>") for i in images}
    referenced = set(re.findall(r'src="cid:([^"]+)"', html))
    assert referenced == cids  # every chart is inline and referenced, none missing
    for image in images:
        assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    con = store.connect_read_only(demo_db)
    top = con.execute("SELECT label FROM mart.irritant_weekly_overall WHERE iso_week = ? AND rank = 1", [WEEK]).fetchone()[0]
    con.close()
    assert top in plain.get_content() and top in html
    assert "charts/" not in html  # no broken relative links in the email


def test_an_unreachable_smtp_server_is_one_sentence(demo_db, tmp_path):
    env = {"VOC_SMTP_HOST": "127.0.0.1", "VOC_SMTP_PORT": "1", "VOC_DIGEST_TO": "qualite@example.org"}
    result = run_voc("report", "weekly", "--db", str(demo_db), "--out", str(tmp_path), "--week", WEEK, "--send",
                     env=env)
    assert result.returncode == 1
    assert "Could not send the digest through 127.0.0.1:1" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (tmp_path / WEEK / "digest.html").is_file()  # the files are written even when the mail fails


# ---------------------------------------------------------------------------- a real headless Chromium

CHECK = """
<script>
window.addEventListener('load', () => {
  const images = [...document.images];
  const ok = images.filter(i => i.complete && i.naturalWidth > 0).length;
  const rows = document.querySelectorAll('#top-irritants tbody tr').length;
  const marker = document.createElement('pre');
  marker.id = 'render-check';
  marker.textContent = `images ${ok}/${images.length} rows ${rows} width ${document.body.scrollWidth}`;
  document.body.appendChild(marker);
});
</script>
"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    pytest.fail("Chromium is not installed; 'make test' installs Debian's chromium package.")


def test_the_html_report_renders_in_headless_chromium(report):
    chromium = _chromium()
    page = report / "render_check.html"
    page.write_text((report / "digest.html").read_text(encoding="utf-8").replace("</body>", CHECK + "</body>"),
                    encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--allow-file-access-from-files",
             "--virtual-time-budget=5000"]
    dom = subprocess.run([chromium, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=120, env={**os.environ, "HOME": str(report)})
    match = re.search(r"images (\d+)/(\d+) rows (\d+)", dom.stdout)
    assert match, dom.stderr[-2000:]
    loaded, total, rows = map(int, match.groups())
    assert total >= 12 and loaded == total  # the bar charts and every sparkline are displayed
    assert rows == 10
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"digest_{WEEK}.png"
    shot.unlink(missing_ok=True)
    subprocess.run([chromium, *flags, "--window-size=1100,2400", f"--screenshot={shot}", (report / "digest.html").as_uri()],
                   capture_output=True, timeout=120, env={**os.environ, "HOME": str(report)})
    for _ in range(20):
        if shot.is_file() and shot.stat().st_size > 20_000:
            break
        time.sleep(0.5)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


# ---------------------------------------------------------------------------- the weekly flow under Prefect


def test_weekly_flow_runs_under_prefect_and_publishes_an_artifact(demo_db, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.weekly import weekly_digest

    state = weekly_digest(week=WEEK, db=str(demo_db), out=str(tmp_path), return_state=True)
    assert state.is_completed(), state
    result = state.result()
    assert result["week"] == WEEK and result["irritants"] == 10 and result["sent_to"] == []
    assert Path(result["html"]).is_file()
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[f"irritant-digest-{WEEK.lower()}"])))
    assert artifacts and artifacts[0].type == "markdown" and "Top irritants" in artifacts[0].data
