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

import datetime as dt
import functools
import html
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid, parseaddr
from pathlib import Path

from ..engine.spc import CONCERN
from ..workbook.styles import SPC_COLOURS
from .settings import MailError, MailSettings, check_server, needs_smtputf8, sendable
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
    """The mail server cannot be used at all (not reached, TLS, the login refused, the
    connection lost): no other message would go either."""


class ConnectionLost(ServerError):
    """The connection broke while a message was being sent (burst.py opens it again).

    data_sent: the message's data had all gone when it broke, before the server's reply, so
    the server may have accepted it; otherwise it certainly did not."""

    def __init__(self, text: str, cause: str, data_sent: bool):
        super().__init__(text)
        self.cause = cause
        self.data_sent = data_sent


@dataclass(frozen=True)
class Replaced:
    """The earlier message a message replaces (the same unit and month, from another input)."""

    sent_on: dt.date
    message_id: str

    @property
    def day(self) -> str:
        return f"{self.sent_on.day} {self.sent_on:%b %Y}"


# ----------------------------------------------------------------------------- the message

def subject_for(summary: WorkbookSummary, template: str) -> str:
    # Only these placeholders: other braces in a subject are kept as typed.
    for placeholder, value in (("{month}", summary.month_text), ("{title}", summary.title), ("{unit}", summary.unit)):
        template = template.replace(placeholder, value)
    return template.strip()


def replaced_subject(subject: str, replaces: Replaced) -> str:
    return f"{subject} (replaces the message of {replaces.day})"


def replaces_line(summary: WorkbookSummary, replaces: Replaced) -> str:
    unit = f"{summary.unit}, " if summary.unit else ""
    return (f"This message replaces the one sent on {replaces.day} with the scorecard for {unit}{summary.month_text}: "
            f"its figures have been calculated again, from {summary.input_file}. Please use the workbook attached "
            "to this message, not the earlier one.")


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


def text_body(summary: WorkbookSummary, replaces: Replaced | None = None) -> str:
    unit = f" ({summary.unit})" if summary.unit else ""
    lines = [replaces_line(summary, replaces), ""] if replaces else []
    lines += [
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


def html_body(summary: WorkbookSummary, replaces: Replaced | None = None) -> str:
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
        *([f'<p style="font-weight:bold">{e(replaces_line(summary, replaces))}</p>'] if replaces else []),
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
            cc: list[str], replaces: Replaced | None = None) -> EmailMessage:
    """The message to `to` and `cc`: plain text and HTML bodies, the workbook attached as it is on disk.

    replaces: the earlier message (other figures for the same unit and month) this one
    replaces: the subject and the first line say so. Addresses go in with their domain in
    ASCII (IDNA), which every server takes."""
    message = settings.message
    check_size(workbook, settings)
    msg = EmailMessage()
    subject = subject_for(summary, message.subject)
    msg["Subject"] = replaced_subject(subject, replaces) if replaces else subject
    msg["From"] = sendable(message.sender)
    if to:  # a message sent again to the Cc recipients who missed it has only those
        msg["To"] = ", ".join(map(sendable, to))
    if cc:
        msg["Cc"] = ", ".join(map(sendable, cc))
    msg["Date"] = formatdate(localtime=True)
    # The domain from the sender: make_msgid's default asks the DNS for this machine's name.
    domain = parseaddr(sendable(message.sender))[1].rpartition("@")[2] or "scorecard-xl.invalid"
    msg["Message-ID"] = make_msgid("scorecard-xl", domain=domain)
    if replaces:
        msg["References"] = replaces.message_id  # mail programs show the two together
    msg.set_content(text_body(summary, replaces))
    msg.add_alternative(html_body(summary, replaces), subtype="html")
    msg.add_attachment(workbook.read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=workbook.name)
    return msg


def write_eml(msg: EmailMessage, path: Path) -> Path:
    """The message as an .eml file (CRLF line ends, as mail programs expect), atomically."""
    from email import policy

    from ..files import WriteError, replacing

    international = any(needs_smtputf8(addr) for _, addr in
                        getaddresses([str(msg.get(field, "")) for field in ("From", "To", "Cc")]))
    data = msg.as_bytes(policy=policy.SMTPUTF8 if international else policy.SMTP)
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

    Raises ServerError when opening fails, ConnectionLost when the session breaks during a
    send (`reopen` opens a new one), MailError when only this message failed (refused, or an
    address the server cannot take); one line each, never holding the password.
    """

    def __init__(self, settings: MailSettings, secret: str | None, warn: Callable[[str], None] = lambda text: None):
        check_server(settings)
        smtp = settings.smtp
        if secret and smtp.security == "none":
            warn(f'warning: security = "none": the password for {smtp.user} goes to {smtp.host} unencrypted')
        self.settings = settings
        self._secret = secret
        self._client = None
        self._lost: str | None = None  # why the session is no longer usable (found after a failed message)

    def __enter__(self) -> Connection:
        try:
            self._client = self._open()
        except Exception as exc:
            raise self._failure(exc) from None
        return self

    def __exit__(self, *exc_info) -> None:
        self._close(quit=exc_info[0] is None and self._lost is None)

    def _close(self, quit: bool) -> None:
        import smtplib

        client, self._client = self._client, None
        if client is None:
            return
        try:
            if quit:
                client.quit()
        except (smtplib.SMTPException, OSError):
            pass  # every message was accepted; a server that hangs up before QUIT's reply is no matter
        finally:
            client.close()  # not quit() after a failure: that could hide the first error behind another

    def reopen(self) -> None:
        """A new session after the last one was lost. ServerError saying why it could not be opened
        (the cause alone: the settings worked a moment ago)."""
        self._close(quit=False)
        self._lost = None
        try:
            self._client = self._open()
        except Exception as exc:
            self._lost = "not open"
            raise ServerError(_scrub(_cause(exc, self.settings), self._secret)) from None

    @property
    def smtputf8(self) -> bool:
        """Whether the server takes addresses whose part before the @ is not ASCII (SMTPUTF8)."""
        return bool(self._client is not None and self._client.has_extn("smtputf8"))

    def _open(self):
        settings, smtp = self.settings, self.settings.smtp
        context = ssl.create_default_context(cafile=str(smtp.cafile) if smtp.cafile else None)
        if smtp.security == "tls":
            client = _client_class(True)(smtp.host, smtp.effective_port, timeout=smtp.timeout, context=context)
        else:
            client = _client_class(False)(smtp.host, smtp.effective_port, timeout=smtp.timeout)
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
        its reply, when it accepted others; raises MailError when it took none or refused the
        message (the session stays usable), ConnectionLost when the session broke."""
        if self._lost is not None or self._client is None:
            raise ConnectionLost(self._lost_text(self._lost or "not open"), self._lost or "not open", False)
        client = self._client
        client.data_sent = False
        try:
            refused = client.send_message(msg, from_addr=parseaddr(sendable(self.settings.message.sender))[1])
        except Exception as exc:
            cause = _lost_cause(exc, self.settings)
            if cause is not None:
                self._lost = _scrub(cause, self._secret)
                # Sent in full and no reply came: the server may have accepted it. A reply (421) is a refusal.
                data_sent = client.data_sent and not isinstance(exc, _reply_errors())
                raise ConnectionLost(self._lost_text(self._lost), self._lost, data_sent) from None
            failure = self._failure(exc, one_message=True)
            self._reset()
            raise failure from None
        return {addr: _reply(code, text) for addr, (code, text) in refused.items()}

    def _lost_text(self, cause: str) -> str:
        return f"the connection to the mail server {self.settings.smtp.where} was lost ({cause})"

    def _reset(self) -> None:
        """After a message failed: end its transaction (RSET) so that the next one starts clean."""
        import smtplib

        try:
            self._client.rset()
        except (smtplib.SMTPException, OSError) as exc:
            self._lost = _scrub(_cause(exc, self.settings), self._secret)

    def _failure(self, exc: Exception, one_message: bool = False) -> MailError:
        """The exception as one line: MailError when only this message failed, else ServerError."""
        import smtplib

        if isinstance(exc, MailError):
            return type(exc)(_scrub(str(exc), self._secret))
        settings, smtp = self.settings, self.settings.smtp
        if isinstance(exc, UnicodeError):  # an address the server cannot be given as it is
            return MailError(_scrub(f"an address cannot be sent to the mail server {smtp.where} as it is ({exc})",
                                    self._secret))
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


@functools.cache
def _client_class(tls: bool) -> type:
    """smtplib's client (SMTP_SSL with tls) noting when a message's data has gone in full
    (`data_sent`): a connection lost after that, before the server's reply, may have
    delivered the message; lost before it, it certainly did not."""
    import smtplib

    class Tracking(smtplib.SMTP_SSL if tls else smtplib.SMTP):
        data_sent = False

        def send(self, s):
            super().send(s)
            # The message is the one bytes object sent, ending CRLF . CRLF; commands are str.
            if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
                self.data_sent = True

    return Tracking


def _reply_errors() -> tuple[type, ...]:
    """The exceptions that carry the server's reply (so it did answer)."""
    import smtplib

    return (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)


def _lost_cause(exc: Exception, settings: MailSettings) -> str | None:
    """Why the session is gone, when `exc` (raised while sending) means it is; None when only the message failed."""
    import smtplib

    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        if 421 in codes:  # smtplib closes the connection on 421
            return "the server closed the session: " + next(_reply(c, t) for c, t in exc.recipients.values()
                                                             if c == 421)
        return None
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the server closed the session: {_reply(exc.smtp_code, exc.smtp_error)}" if exc.smtp_code == 421 \
            else None
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return _cause(exc, settings)
    if isinstance(exc, smtplib.SMTPException):
        return None  # SMTPNotSupportedError and the like: this message
    if isinstance(exc, OSError):
        return _cause(exc, settings)
    return None


def _cause(exc: Exception, settings: MailSettings) -> str:
    """What went wrong with the connection, in a few words, without advice on the settings."""
    import smtplib

    smtp = settings.smtp
    if isinstance(exc, MailError):
        return str(exc)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        inner = str(exc).partition(": ")[2]  # "Connection unexpectedly closed: timed out"
        if inner:
            return f"the connection failed while waiting for the server's reply: {inner}"
        return "the server closed the connection without a reply"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"the server rejected the login ({_reply(exc.smtp_code, exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the server answered {_reply(exc.smtp_code, exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPException):
        return str(exc) or type(exc).__name__
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or exc}"
    if isinstance(exc, socket.gaierror):
        return f"the host name could not be looked up: {exc.strerror or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return "the server refused the connection"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"no answer within {smtp.timeout:g} s"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc) or type(exc).__name__
    return str(exc)


def send(msg: EmailMessage, settings: MailSettings, secret: str | None,
         warn: Callable[[str], None] = lambda text: None) -> None:
    """Send one message over SMTP as the settings say. Raises MailError with one line on any failure."""
    try:
        with Connection(settings, secret, warn) as smtp:
            refused = smtp.send(msg)
    except ConnectionLost as exc:
        if exc.data_sent:
            raise MailError(f"{exc} after the whole message had gone, before the server confirmed it: it may have "
                            "been sent; ask a recipient before sending it again") from None
        raise MailError(f"{exc}; nothing was sent") from None
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
        # 552: the size announced with the sender (SIZE) is over the server's limit for a message.
        advice = (f"if the message is too large, {SMALL_WORKBOOK_HINT}" if exc.smtp_code == 552 else
                  f"check from {settings.where_to_set('message')}")
        return f"the mail server refused the sender {exc.sender} ({_reply(exc.smtp_code, exc.smtp_error)}); {advice}"
    if isinstance(exc, smtplib.SMTPDataError):
        return (f"the mail server refused the message ({_reply(exc.smtp_code, exc.smtp_error)}); if it is too "
                f"large, {SMALL_WORKBOOK_HINT}")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        if "SMTPUTF8" in str(exc):
            return (f"the mail server {smtp.where} does not offer SMTPUTF8, which an address whose part before the @ "
                    "is not ASCII needs")
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
