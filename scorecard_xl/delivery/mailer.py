"""Email a scorecard workbook: the message, and sending it over SMTP.

The settings (the settings file and the command line) are in settings.py; the message
is written from the workbook itself (summary.py). `Connection` is one SMTP session,
logged in once, which `send` uses for one message and `email --each` (burst.py) for
every unit's.

The password is never printed, logged or written to the .eml: every error message is
scrubbed of it in case a server echoes it back. Every failure is a `MailError` whose
message is one line saying what to check; `ServerError` when the server cannot be used
at all, so that nothing more is tried.
"""

from __future__ import annotations

import html
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Callable

from ..engine.spc import CONCERN
from ..workbook.styles import SPC_COLOURS
from .settings import MailError, MailSettings, check_server
from .summary import WorkbookSummary

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
MB = 1024 * 1024
SMALL_WORKBOOK_HINT = ("generate it with --raw-data separate, which writes the large raw data tables to a "
                       "companion file and keeps the emailed workbook small")
RAG_STYLE = {"G": ("Green", "#C6EFCE", "#006100"), "A": ("Amber", "#FFEB9C", "#7F4F00"),
             "R": ("Red", "#FFC7CE", "#9C0006")}
SPC_CONCERN = ("SPC, the scorecard's Variation column: this month's value is a signal in the worse direction, "
               "not the usual month-to-month variation")


class ServerError(MailError):
    """The mail server cannot be used at all (not reached, TLS, the login, the sender refused,
    the connection lost): no other message would go either."""


# ----------------------------------------------------------------------------- the message

def subject_for(summary: WorkbookSummary, template: str) -> str:
    # Only these placeholders: other braces in a subject are kept as typed.
    for placeholder, value in (("{month}", summary.month_text), ("{title}", summary.title), ("{unit}", summary.unit)):
        template = template.replace(placeholder, value)
    return template.strip()


def source_line(summary: WorkbookSummary) -> str:
    produced = f", produced {summary.produced.day} {summary.produced:%b %Y}" if summary.produced else ""
    return (f"Figures calculated by scorecard-xl from {summary.input_file} (SHA-256 {summary.input_sha256}), "
            f"template {summary.template}, data source {summary.data_source}{produced}.")


def _count_line(summary: WorkbookSummary) -> str:
    counts = summary.rag_counts
    text = f"{counts['G']} Green, {counts['A']} Amber, {counts['R']} Red"
    if summary.unrated > 0:
        text += f"; {summary.unrated} without a rating"
    return text


def _attached_line(summary: WorkbookSummary) -> str:
    who = f"{summary.organisation}: the" if summary.organisation else "The"
    unit = f"{summary.unit}, " if summary.unit else ""
    return f"{who} scorecard for {unit}{summary.month_text} is attached ({summary.file_name})."


def text_body(summary: WorkbookSummary) -> str:
    unit = f" ({summary.unit})" if summary.unit else ""
    lines = [
        f"{summary.title}: {summary.month_text}",
        "",
        _attached_line(summary),
        "",
        f"Latest performance RAG rating{unit}, {summary.indicators} indicators: {_count_line(summary)}.",
        "",
    ]
    if summary.reds:
        lines.append("Red indicators (the Exceptions sheet has each one's trend and commentary):")
        for red in summary.reds:
            target = f" against a target of {red.target}" if red.target else " (no target this month)"
            lines.append(f"- {red.id}: {red.title}: {red.result or 'no result'}{target}")
    else:
        lines.append("No indicator is rated Red this month.")
    lines.append("")
    if summary.concerns:
        lines.append(f"Special cause concern ({SPC_CONCERN}):")
        lines += [f"- {c.id}: {c.title}: {c.variation}" for c in summary.concerns]
        lines.append("")
    elif summary.concerns is not None:
        lines += ["No indicator shows special cause concern (SPC) this month.", ""]
    if summary.companion:
        lines += [f"The raw data tables ({', '.join(summary.companion_sheets)}) are in {summary.companion}, "
                  "which is not attached.", ""]
    lines.append(source_line(summary))
    return "\n".join(lines) + "\n"


def html_body(summary: WorkbookSummary) -> str:
    e = html.escape
    unit = f" ({e(summary.unit)})" if summary.unit else ""
    cell = "padding:4px 10px;border:1px solid #BFBFBF;"
    counts = "".join(
        f'<tr><td style="{cell}background:{bg};color:{fg};font-weight:bold">{word}</td>'
        f'<td style="{cell}text-align:right">{summary.rag_counts[k]}</td></tr>'
        for k, (word, bg, fg) in RAG_STYLE.items())
    if summary.unrated > 0:
        counts += f'<tr><td style="{cell}">Without a rating</td><td style="{cell}text-align:right">' \
                  f"{summary.unrated}</td></tr>"
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(summary.title)}: {e(summary.month_text)}</title></head>",
        '<body style="font-family:Arial,sans-serif;font-size:10pt">',
        f"<h1 style=\"font-size:14pt\">{e(summary.title)}: {e(summary.month_text)}</h1>",
        f"<p>{e(_attached_line(summary))}</p>",
        f"<h2 style=\"font-size:12pt\">Latest performance RAG rating{unit}, {summary.indicators} indicators</h2>",
        f'<table style="border-collapse:collapse"><caption style="text-align:left">{e(_count_line(summary))}'
        f'</caption><tr><th style="{cell}">RAG</th><th style="{cell}">Indicators</th></tr>{counts}</table>',
    ]
    if summary.reds:
        parts.append('<h2 style="font-size:12pt">Red indicators</h2>'
                     "<p>The Exceptions sheet has each one's trend and commentary.</p>")
        rows = "".join(
            f'<tr><td style="{cell}">{e(r.id)}</td><td style="{cell}">{e(r.title)}</td>'
            f'<td style="{cell}text-align:right">{e(r.result or "no result")}</td>'
            f'<td style="{cell}text-align:right">{e(r.target or "none")}</td></tr>' for r in summary.reds)
        parts.append(f'<table style="border-collapse:collapse"><tr><th style="{cell}">ID</th>'
                     f'<th style="{cell}">Indicator</th><th style="{cell}">Result</th>'
                     f'<th style="{cell}">Target</th></tr>{rows}</table>')
    else:
        parts.append("<p>No indicator is rated Red this month.</p>")
    if summary.concerns:
        rows = "".join(
            f'<tr><td style="{cell}">{e(c.id)}</td><td style="{cell}">{e(c.title)}</td>'
            f'<td style="{cell}color:{SPC_COLOURS[CONCERN]};font-weight:bold">{e(c.variation)}</td></tr>'
            for c in summary.concerns)
        parts.append(f'<h2 style="font-size:12pt">Special cause concern</h2><p>{e(SPC_CONCERN)}.</p>'
                     f'<table style="border-collapse:collapse"><tr><th style="{cell}">ID</th>'
                     f'<th style="{cell}">Indicator</th><th style="{cell}">Variation</th></tr>{rows}</table>')
    elif summary.concerns is not None:
        parts.append("<p>No indicator shows special cause concern (SPC) this month.</p>")
    if summary.companion:
        parts.append(f"<p>The raw data tables ({e(', '.join(summary.companion_sheets))}) are in "
                     f"{e(summary.companion)}, which is not attached.</p>")
    parts.append(f'<p style="color:#404040;font-size:9pt">{e(source_line(summary))}</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def check_size(workbook: Path, settings: MailSettings) -> int:
    size = workbook.stat().st_size
    limit = settings.message.max_attachment_mb
    if size > limit * MB:
        raise MailError(f"{workbook.name} is {size / MB:.1f} MB, over the {limit:g} MB limit for an attachment "
                        f"(max_attachment_mb {settings.where_to_set('message')}); {SMALL_WORKBOOK_HINT}; "
                        "nothing was sent")
    return size


def compose(workbook: Path, summary: WorkbookSummary, settings: MailSettings, to: list[str],
            cc: list[str]) -> EmailMessage:
    """The message to `to` and `cc`: plain text and HTML bodies, the workbook attached as it is on disk."""
    message = settings.message
    check_size(workbook, settings)
    msg = EmailMessage()
    msg["Subject"] = subject_for(summary, message.subject)
    msg["From"] = message.sender
    if to:  # a message sent again to the Cc recipients who missed it has only those
        msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Date"] = formatdate(localtime=True)
    # The domain from the sender: make_msgid's default asks the DNS for this machine's name.
    domain = parseaddr(message.sender)[1].rpartition("@")[2] or "scorecard-xl.invalid"
    msg["Message-ID"] = make_msgid("scorecard-xl", domain=domain)
    msg.set_content(text_body(summary))
    msg.add_alternative(html_body(summary), subtype="html")
    msg.add_attachment(workbook.read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=workbook.name)
    return msg


def write_eml(msg: EmailMessage, path: Path) -> Path:
    """The message as an .eml file (CRLF line ends, as mail programs expect), atomically."""
    from email import policy

    from ..files import WriteError, replacing

    data = msg.as_bytes(policy=policy.SMTP)
    try:
        with replacing(path) as (tmp,):
            tmp.write_bytes(data)
    except WriteError as exc:
        raise MailError(exc.strerror) from None
    return path


# ----------------------------------------------------------------------------- sending

class Connection:
    """One SMTP session, connected and logged in as the settings say, for one message or many.

        with Connection(settings, secret) as smtp:
            refused = smtp.send(msg)

    Raises ServerError (opening, or when the session is lost) or MailError (this message
    refused), one line each, never holding the password.
    """

    def __init__(self, settings: MailSettings, secret: str | None, warn: Callable[[str], None] = lambda text: None):
        check_server(settings)
        smtp = settings.smtp
        if secret and smtp.security == "none":
            warn(f'warning: security = "none": the password for {smtp.user} goes to {smtp.host} unencrypted')
        self.settings = settings
        self._secret = secret
        self._client = None

    def __enter__(self) -> Connection:
        try:
            self._client = self._open()
        except Exception as exc:
            raise self._failure(exc) from None
        return self

    def __exit__(self, *exc_info) -> None:
        import smtplib

        try:
            if exc_info[0] is None:
                self._client.quit()
        except (smtplib.SMTPException, OSError):
            pass  # every message was accepted; a server that hangs up before QUIT's reply is no matter
        finally:
            self._client.close()  # not quit() after a failure: that could hide the first error behind another

    def _open(self):
        import smtplib

        settings, smtp = self.settings, self.settings.smtp
        context = ssl.create_default_context(cafile=str(smtp.cafile) if smtp.cafile else None)
        if smtp.security == "tls":
            client = smtplib.SMTP_SSL(smtp.host, smtp.effective_port, timeout=smtp.timeout, context=context)
        else:
            client = smtplib.SMTP(smtp.host, smtp.effective_port, timeout=smtp.timeout)
        try:
            client.ehlo()
            if smtp.security == "starttls":
                if not client.has_extn("starttls"):
                    raise ServerError(f"the mail server {smtp.where} does not offer STARTTLS; check port and security "
                                      f"{settings.where_to_set('smtp')} (\"tls\" for implicit TLS, usually port 465)")
                client.starttls(context=context)
                client.ehlo()
            if smtp.user:
                if not client.has_extn("auth"):
                    raise ServerError(f"the mail server {smtp.where} does not offer a login (AUTH) on this "
                                      f"connection; remove user {settings.where_to_set('smtp')} if it needs none, or "
                                      "use security = \"starttls\" or \"tls\"")
                client.login(smtp.user, self._secret or "")
        except BaseException:
            client.close()
            raise
        return client

    def send(self, msg: EmailMessage) -> dict[str, str]:
        """Send to the message's To and Cc. Returns the recipients the server refused, each with
        its reply, when it accepted others; raises MailError when it took none or refused the message."""
        try:
            refused = self._client.send_message(msg, from_addr=parseaddr(self.settings.message.sender)[1])
        except Exception as exc:
            raise self._failure(exc) from None
        return {addr: _reply(code, text) for addr, (code, text) in refused.items()}

    def _failure(self, exc: Exception) -> MailError:
        """The exception as one line, ServerError unless only this message failed."""
        import smtplib

        if isinstance(exc, MailError):
            return type(exc)(_scrub(str(exc), self._secret))
        settings, smtp = self.settings, self.settings.smtp
        one_message = isinstance(exc, (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)) and \
            getattr(exc, "smtp_code", None) != 421  # 421: the server is closing the session
        kind = MailError if one_message else ServerError
        if isinstance(exc, smtplib.SMTPException):
            return kind(_scrub(_smtp_error(exc, settings), self._secret))
        if isinstance(exc, ssl.SSLCertVerificationError):
            return kind(_scrub(
                f"TLS with {smtp.where} failed: the server's certificate is not trusted "
                f"({exc.verify_message or exc.reason}); if the server uses a private certificate authority, set "
                f"cafile {settings.where_to_set('smtp')}", self._secret))
        if isinstance(exc, ssl.SSLError):
            return kind(_scrub(
                f"TLS with {smtp.where} failed ({exc.reason or exc}); check security {settings.where_to_set('smtp')}: "
                '"tls" for a server that starts with TLS (usually port 465), "starttls" for one that '
                "upgrades to it (usually 587)", self._secret))
        if isinstance(exc, socket.gaierror):
            return kind(f"unknown mail server host {smtp.host!r} ({exc.strerror or exc}); check host "
                        f"{settings.where_to_set('smtp')}")
        if isinstance(exc, ConnectionRefusedError):
            return kind(f"the mail server {smtp.where} refused the connection; check host and port "
                        f"{settings.where_to_set('smtp')} (STARTTLS usually uses port 587, implicit TLS 465)")
        if isinstance(exc, (socket.timeout, TimeoutError)):
            return kind(f"no answer from the mail server {smtp.where} within {smtp.timeout:g} s; check host, "
                        f"port and security {settings.where_to_set('smtp')}")
        if isinstance(exc, OSError):
            return kind(_scrub(f"cannot reach the mail server {smtp.where}: {exc.strerror or exc}", self._secret))
        raise exc  # a bug, not the server: let the command line report it as one


def send(msg: EmailMessage, settings: MailSettings, secret: str | None,
         warn: Callable[[str], None] = lambda text: None) -> None:
    """Send one message over SMTP as the settings say. Raises MailError with one line on any failure."""
    try:
        with Connection(settings, secret, warn) as smtp:
            refused = smtp.send(msg)
    except MailError as exc:
        raise type(exc)(f"{exc}; nothing was sent") from None
    if refused:
        raise MailError(f"the message was sent, but the mail server refused these recipients: {listed(refused)}")


def listed(refused: dict[str, str]) -> str:
    """Refused recipients with the server's reply: a@example.org (550 5.1.1 no such user); ..."""
    return "; ".join(f"{addr} ({reply})" for addr, reply in refused.items())


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(str(text).split())}".strip()


def _smtp_error(exc: Exception, settings: MailSettings) -> str:
    import smtplib

    smtp = settings.smtp
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (f"the mail server {smtp.where} rejected the login for user {smtp.user!r} "
                f"({_reply(exc.smtp_code, exc.smtp_error)}); check user {settings.where_to_set('smtp')} and the "
                f"password in {smtp.password_env}")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = {addr: _reply(code, text) for addr, (code, text) in exc.recipients.items()}
        return f"the mail server refused every recipient: {listed(refused)}"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return (f"the mail server refused the sender {exc.sender} ({_reply(exc.smtp_code, exc.smtp_error)}); "
                f"check from {settings.where_to_set('message')}")
    if isinstance(exc, smtplib.SMTPDataError):
        return (f"the mail server refused the message ({_reply(exc.smtp_code, exc.smtp_error)}); if it is too "
                f"large, {SMALL_WORKBOOK_HINT}")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"the mail server {smtp.where} does not support {exc}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return (f"the mail server {smtp.where} closed the connection ({exc or 'without a reason'}); check port "
                f"and security {settings.where_to_set('smtp')}")
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the mail server {smtp.where} answered {_reply(exc.smtp_code, exc.smtp_error)}"
    return f"sending through {smtp.where} failed: {exc}"


def _scrub(text: str, secret: str | None) -> str:
    """Never show the password, even if a server or a library echoes it back."""
    if secret:
        import base64

        for form in {secret, base64.b64encode(secret.encode()).decode()}:
            text = text.replace(form, "****")
    return " ".join(text.split())


# ----------------------------------------------------------------------------- the whole delivery

def deliver(workbook: Path, settings: MailSettings, secret: str | None, eml: Path | None,
            warn: Callable[[str], None] = lambda text: None) -> str:
    """Read the workbook's figures, compose, then send it or write the .eml (when `eml` is given).

    Returns what was done, in one line, for the command line to print.
    """
    if eml is not None and eml.resolve() == workbook.resolve():
        raise MailError(f"--eml {eml} would replace the workbook itself; give a name ending in .eml")
    check_size(workbook, settings)
    summary = summary_of(workbook)
    msg = compose(workbook, summary, settings, settings.message.to, settings.message.cc)
    everyone = ", ".join([*settings.message.to, *settings.message.cc])
    if eml is not None:
        write_eml(msg, eml)
        return f"Wrote {eml} (not sent): {msg['Subject']!s}, to {everyone}, with {workbook.name} attached."
    send(msg, settings, secret, warn)
    return f"Sent {workbook.name} to {everyone} through {settings.smtp.where}: {msg['Subject']!s}."


def summary_of(workbook: Path) -> WorkbookSummary:
    """The workbook's figures, or MailError saying why it is not a scorecard workbook."""
    from .summary import SummaryError, read_summary

    try:
        return read_summary(workbook)
    except SummaryError as exc:
        raise MailError(str(exc)) from None
