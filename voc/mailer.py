"""The weekly digest as an email: multipart/alternative (text, HTML with inline PNG charts), sent over SMTP."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from voc.config import SmtpSettings
from voc.digest import Digest, DigestFiles, render_html, render_text


class MailError(RuntimeError):
    """The digest could not be mailed, in one sentence."""


def build_message(digest: Digest, files: DigestFiles, smtp: SmtpSettings) -> EmailMessage:
    """text/plain and text/html alternatives; the HTML's charts are related parts referenced by cid."""
    if not smtp.recipients:
        raise MailError("No digest recipients configured; set VOC_DIGEST_TO or smtp.to in the configuration.")
    cids = {name: make_msgid(domain="voc.local")[1:-1] for name in digest.charts.values()}
    message = EmailMessage()
    message["Subject"] = f"{digest.title} ({digest.period})"
    message["From"] = smtp.sender
    message["To"] = ", ".join(smtp.recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="voc.local")
    message.set_content(render_text(digest), subtype="plain", charset="utf-8")
    message.add_alternative(render_html(digest, image_src=lambda name: f"cid:{cids[name]}"), subtype="html",
                            charset="utf-8")
    html_part = message.get_payload()[1]
    for name, cid in cids.items():
        path = files.folder / "charts" / name
        html_part.add_related(path.read_bytes(), maintype="image", subtype="png", cid=f"<{cid}>",
                              filename=name, disposition="inline")
    return message


def send_message(message: EmailMessage, smtp: SmtpSettings, timeout: float = 30.0) -> None:
    """Deliver over SMTP (STARTTLS and login when configured); failures become one sentence."""
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=timeout) as client:
            if smtp.starttls:
                client.starttls()
            if smtp.user:
                client.login(smtp.user, smtp.password or "")
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"Could not send the digest through {smtp.host}:{smtp.port}: {exc}.") from exc
