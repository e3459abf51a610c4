"""Email a scorecard workbook: settings, the message, and sending it over SMTP.

Settings come from a TOML file (`scorecard-xl.toml` in the current folder, or the file
given with --config), overridden by the command line:

    [smtp]
    host = "smtp.example.org"     # required to send (not for --dry-run)
    port = 587                    # default: 587 for starttls, 465 for tls, 25 for none
    security = "starttls"         # "starttls", "tls" (implicit TLS) or "none"
    user = "scorecard@example.org"  # omit when the server needs no login
    password_env = "SCORECARD_XL_SMTP_PASSWORD"  # the environment variable holding the password
    timeout = 30                  # seconds
    cafile = "council-ca.pem"     # trust these CAs instead of the system's (relative to this file)

    [message]
    from = "Performance Team <performance@example.org>"
    to = ["director@example.org"]
    cc = []
    subject = "{title}: {month}"  # {month}: August 2016; {title}: the workbook's title
    max_attachment_mb = 10

The password is never a setting nor a command-line argument: it is read from the
environment variable named by `password_env`, or asked for (without echo) when the
command runs in a terminal. It is never printed, logged or written to the .eml; every
error message is scrubbed of it in case a server echoes it back.

Every failure is a `MailError` whose message is one line saying what to check.
"""

from __future__ import annotations

import html
import os
import re
import socket
import ssl
import sys
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid, parseaddr
from pathlib import Path
from typing import Callable

from .summary import WorkbookSummary

DEFAULT_CONFIG = "scorecard-xl.toml"
DEFAULT_PASSWORD_ENV = "SCORECARD_XL_SMTP_PASSWORD"
DEFAULT_SUBJECT = "{title}: {month}"
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
MB = 1024 * 1024
SMALL_WORKBOOK_HINT = ("generate it with --raw-data separate, which writes the large raw data tables to a "
                       "companion file and keeps the emailed workbook small")
RAG_STYLE = {"G": ("Green", "#C6EFCE", "#006100"), "A": ("Amber", "#FFEB9C", "#7F4F00"),
             "R": ("Red", "#FFC7CE", "#9C0006")}


class MailError(Exception):
    """Settings that cannot be used, or a message that could not be sent; one line."""


# ----------------------------------------------------------------------------- settings

@dataclass(frozen=True)
class SmtpSettings:
    host: str | None = None
    port: int | None = None
    security: str = "starttls"
    user: str | None = None
    password_env: str = DEFAULT_PASSWORD_ENV
    timeout: float = 30.0
    cafile: Path | None = None

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]

    @property
    def where(self) -> str:
        return f"{self.host}:{self.effective_port}"


@dataclass(frozen=True)
class MessageSettings:
    sender: str | None = None
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    subject: str = DEFAULT_SUBJECT
    max_attachment_mb: float = 10.0


@dataclass(frozen=True)
class MailSettings:
    smtp: SmtpSettings
    message: MessageSettings
    source: str  # the config file read, or "" when none, for messages

    @property
    def recipients(self) -> list[str]:
        return [addr for _, addr in getaddresses([*self.message.to, *self.message.cc])]

    def where_to_set(self, table: str) -> str:
        return f"under [{table}] in {self.source or DEFAULT_CONFIG}"


# Every key, its type and what it means: the README's table is checked against this.
SMTP_KEYS = {
    "host": "the mail server's host name",
    "port": "the port (default 587 for starttls, 465 for tls, 25 for none)",
    "security": '"starttls" (default), "tls" (implicit TLS) or "none"',
    "user": "the login user; omit when the server needs no login",
    "password_env": f"the environment variable holding the password (default {DEFAULT_PASSWORD_ENV})",
    "timeout": "seconds to wait for the server (default 30)",
    "cafile": "a PEM file of CA certificates to trust instead of the system's",
}
MESSAGE_KEYS = {
    "from": "the sender's address",
    "to": "a list of recipients (or one address)",
    "cc": "a list of copy recipients (or one address)",
    "subject": f"the subject; {{month}} and {{title}} are filled in (default {DEFAULT_SUBJECT!r})",
    "max_attachment_mb": "the largest workbook to attach, in MB (default 10)",
}


def load_settings(config: Path | None, *, to: list[str] | None = None, cc: list[str] | None = None,
                  subject: str | None = None, sender: str | None = None) -> MailSettings:
    """The config file's settings with the command line's on top. Raises MailError.

    config: the --config path, or None for `scorecard-xl.toml` in the current folder
    when it exists (no file at all is fine: everything can come from the command line).
    """
    path = config if config is not None else Path(DEFAULT_CONFIG)
    data: dict = {}
    source = ""
    if config is not None or path.is_file():
        data = _read_toml(path)
        source = str(path)
    smtp, message = _parse(data, source or DEFAULT_CONFIG, path.parent)
    overrides = {}
    if to:
        overrides["to"] = _split_addresses(to, "--to")
    if cc:
        overrides["cc"] = _split_addresses(cc, "--cc")
    if subject is not None:
        overrides["subject"] = subject
    if sender is not None:
        overrides["sender"] = sender
    message = replace(message, **overrides)
    settings = MailSettings(smtp, message, source)
    _check_message(settings)
    return settings


def _read_toml(path: Path) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise MailError(f"the config file {path} does not exist") from None
    except OSError as exc:
        raise MailError(f"cannot read the config file {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise MailError(f"{path}: not valid TOML: {exc}") from None


def _parse(data: dict, name: str, folder: Path) -> tuple[SmtpSettings, MessageSettings]:
    for table in data:
        if table not in ("smtp", "message"):
            raise MailError(f"{name}: unknown table [{table}]; the tables are [smtp] and [message]")
    smtp_data = _table(data, "smtp", name)
    message_data = _table(data, "message", name)
    if "password" in smtp_data:
        raise MailError(f"{name}: [smtp] password: the password is not kept in the config file; put it in "
                        f"the environment variable named by password_env (default {DEFAULT_PASSWORD_ENV}), "
                        "or leave it unset to be asked for it")
    for table, values, known in (("smtp", smtp_data, SMTP_KEYS), ("message", message_data, MESSAGE_KEYS)):
        for key in values:
            if key not in known:
                raise MailError(f"{name}: [{table}] {key}: unknown key (the keys are {', '.join(known)})")

    def get(values: dict, table: str, key: str, kind, default=None):
        if key not in values:
            return default
        value = values[key]
        ok = isinstance(value, kind) and not isinstance(value, bool)
        if not ok:
            expected = {str: "text in quotes", int: "a whole number", (int, float): "a number"}.get(kind, kind)
            raise MailError(f"{name}: [{table}] {key} = {value!r}: expected {expected}")
        return value

    security = get(smtp_data, "smtp", "security", str, "starttls")
    if security not in DEFAULT_PORTS:
        raise MailError(f'{name}: [smtp] security = {security!r}: expected "starttls", "tls" or "none"')
    port = get(smtp_data, "smtp", "port", int)
    if port is not None and not 0 < port < 65536:
        raise MailError(f"{name}: [smtp] port = {port}: expected 1 to 65535")
    timeout = get(smtp_data, "smtp", "timeout", (int, float), 30)
    if timeout <= 0:
        raise MailError(f"{name}: [smtp] timeout = {timeout}: expected a number of seconds above 0")
    cafile = get(smtp_data, "smtp", "cafile", str)
    password_env = get(smtp_data, "smtp", "password_env", str, DEFAULT_PASSWORD_ENV)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", password_env):
        raise MailError(f"{name}: [smtp] password_env = {password_env!r}: expected the name of an environment "
                        "variable, such as SCORECARD_XL_SMTP_PASSWORD (not the password itself)")
    smtp = SmtpSettings(
        host=get(smtp_data, "smtp", "host", str) or None,
        port=port,
        security=security,
        user=get(smtp_data, "smtp", "user", str) or None,
        password_env=password_env,
        timeout=float(timeout),
        cafile=(folder / cafile) if cafile else None,
    )
    max_mb = get(message_data, "message", "max_attachment_mb", (int, float), 10)
    if max_mb <= 0:
        raise MailError(f"{name}: [message] max_attachment_mb = {max_mb}: expected a size in MB above 0")
    message = MessageSettings(
        sender=get(message_data, "message", "from", str) or None,
        to=_addresses(message_data, "to", name),
        cc=_addresses(message_data, "cc", name),
        subject=get(message_data, "message", "subject", str, DEFAULT_SUBJECT),
        max_attachment_mb=float(max_mb),
    )
    return smtp, message


def _table(data: dict, key: str, name: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise MailError(f"{name}: {key} must be a table, written [{key}] on a line of its own")
    return value


def _addresses(values: dict, key: str, name: str) -> list[str]:
    value = values.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MailError(f'{name}: [message] {key}: expected a list of addresses, e.g. ["a@example.org"]')
    return _split_addresses(value, f"{key} under [message] in {name}")


def _split_addresses(values: list[str], what: str) -> list[str]:
    """Each value may hold several addresses separated by commas or semicolons (as Outlook
    writes them); each must be an address."""
    out = []
    for value in values:
        if "\n" in value or "\r" in value:
            raise MailError(f"{value!r} ({what}) is not an email address: it holds a line break")
        if not value.strip():
            continue
        for name, addr in getaddresses([_semicolons_as_commas(value)]):
            if not _is_address(addr):
                raise MailError(f"{value!r} ({what}) is not an email address, such as name@example.org")
            out.append(_with_name(name, addr))
    return out


def _with_name(name: str, addr: str) -> str:
    """`Name <addr>`, the name quoted when it holds a character that would split or end it."""
    if not name:
        return addr
    if re.search(r'[()<>\[\]:;@\\,."]', name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{addr}>"


def _semicolons_as_commas(value: str) -> str:
    """Outlook separates addresses with semicolons: make them commas, except inside a quoted name."""
    out, quoted = [], False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        out.append("," if ch == ";" and not quoted else ch)
    return "".join(out)


def _is_address(addr: str) -> bool:
    local, at, domain = addr.rpartition("@")
    return bool(at and local and domain and not any(c.isspace() or c in "<>,;" for c in addr))


def _check_address(address: str, what: str) -> None:
    if "\n" in address or "\r" in address or not _is_address(parseaddr(address)[1]):
        raise MailError(f"{address!r} ({what}) is not an email address, such as name@example.org")


def _check_message(settings: MailSettings) -> None:
    message = settings.message
    if not message.to and not message.cc:
        raise MailError(f"no recipients: give --to ADDRESS, or set to = [\"...\"] {settings.where_to_set('message')}")
    if not message.to:
        raise MailError(f"no To recipient (only Cc): give --to ADDRESS, or set to {settings.where_to_set('message')}")
    if not message.sender:
        raise MailError(f"no sender: give --from ADDRESS, or set from {settings.where_to_set('message')}")
    _check_address(message.sender, "from")
    for key in ("to", "cc"):
        for address in getattr(message, key):
            _check_address(address, key)
    if "\n" in message.subject or "\r" in message.subject:
        raise MailError("the subject must be one line")


def check_server(settings: MailSettings) -> None:
    """What sending (not --dry-run) needs besides the message settings."""
    smtp = settings.smtp
    if not smtp.host:
        raise MailError(f"no mail server: set host {settings.where_to_set('smtp')} "
                        "(or use --dry-run to write the message to an .eml file)")
    if smtp.cafile is not None and not smtp.cafile.is_file():
        raise MailError(f"[smtp] cafile: {smtp.cafile} does not exist")


def password(settings: MailSettings, environ=os.environ, isatty: Callable[[], bool] | None = None,
             ask: Callable[[str], str] | None = None) -> str | None:
    """The SMTP password: from the environment variable, else asked for in a terminal.

    None when no user is set (the server needs no login).
    """
    smtp = settings.smtp
    if not smtp.user:
        return None
    value = environ.get(smtp.password_env)
    if value:
        return value
    isatty = isatty or (lambda: sys.stdin is not None and sys.stdin.isatty())
    if not isatty():
        raise MailError(f"no password for {smtp.user}: set the environment variable {smtp.password_env} "
                        "(named by password_env under [smtp]), or run the command in a terminal to be asked")
    if ask is None:
        import getpass

        ask = getpass.getpass
    value = ask(f"Password for {smtp.user} at {smtp.host}: ")
    if not value:
        raise MailError("no password given; nothing was sent")
    return value


# ----------------------------------------------------------------------------- the message

def subject_for(summary: WorkbookSummary, template: str) -> str:
    # Only these placeholders: other braces in a subject are kept as typed.
    return template.replace("{month}", summary.month_text).replace("{title}", summary.title).strip()


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
    return f"{who} scorecard for {summary.month_text} is attached ({summary.file_name})."


def text_body(summary: WorkbookSummary) -> str:
    root = f" ({summary.root})" if summary.root else ""
    lines = [
        f"{summary.title}: {summary.month_text}",
        "",
        _attached_line(summary),
        "",
        f"Latest performance RAG rating{root}, {summary.indicators} indicators: {_count_line(summary)}.",
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
    if summary.companion:
        lines += [f"The raw data tables (Results, Activity Data, Indicator Data) are in {summary.companion}, "
                  "which is not attached.", ""]
    lines.append(source_line(summary))
    return "\n".join(lines) + "\n"


def html_body(summary: WorkbookSummary) -> str:
    e = html.escape
    root = f" ({e(summary.root)})" if summary.root else ""
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
        f"<h2 style=\"font-size:12pt\">Latest performance RAG rating{root}, {summary.indicators} indicators</h2>",
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
    if summary.companion:
        parts.append(f"<p>The raw data tables (Results, Activity Data, Indicator Data) are in "
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


def compose(workbook: Path, summary: WorkbookSummary, settings: MailSettings) -> EmailMessage:
    """The message: plain text and HTML bodies, the workbook attached as it is on disk."""
    message = settings.message
    check_size(workbook, settings)
    msg = EmailMessage()
    msg["Subject"] = subject_for(summary, message.subject)
    msg["From"] = message.sender
    msg["To"] = ", ".join(message.to)
    if message.cc:
        msg["Cc"] = ", ".join(message.cc)
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

def send(msg: EmailMessage, settings: MailSettings, secret: str | None,
         warn: Callable[[str], None] = lambda text: None) -> None:
    """Send over SMTP as the settings say. Raises MailError with one line on any failure."""
    import smtplib

    smtp = settings.smtp
    check_server(settings)
    if secret and smtp.security == "none":
        warn(f'warning: security = "none": the password for {smtp.user} goes to {smtp.host} unencrypted')
    try:
        _send(msg, settings, secret)
    except MailError as exc:
        raise MailError(_scrub(str(exc), secret)) from None
    except smtplib.SMTPException as exc:
        raise MailError(_scrub(_smtp_error(exc, settings), secret)) from None
    except ssl.SSLCertVerificationError as exc:
        raise MailError(_scrub(
            f"TLS with {smtp.where} failed: the server's certificate is not trusted "
            f"({exc.verify_message or exc.reason}); if the server uses a private certificate authority, set "
            f"cafile {settings.where_to_set('smtp')}; nothing was sent", secret)) from None
    except ssl.SSLError as exc:
        raise MailError(_scrub(
            f"TLS with {smtp.where} failed ({exc.reason or exc}); check security {settings.where_to_set('smtp')}: "
            '"tls" for a server that starts with TLS (usually port 465), "starttls" for one that '
            "upgrades to it (usually 587); nothing was sent", secret)) from None
    except socket.gaierror as exc:
        raise MailError(f"unknown mail server host {smtp.host!r} ({exc.strerror or exc}); check host "
                        f"{settings.where_to_set('smtp')}; nothing was sent") from None
    except ConnectionRefusedError:
        raise MailError(f"the mail server {smtp.where} refused the connection; check host and port "
                        f"{settings.where_to_set('smtp')} (STARTTLS usually uses port 587, implicit TLS 465); "
                        "nothing was sent") from None
    except (socket.timeout, TimeoutError):
        raise MailError(f"no answer from the mail server {smtp.where} within {smtp.timeout:g} s; check host, "
                        f"port and security {settings.where_to_set('smtp')}; nothing was sent") from None
    except OSError as exc:
        raise MailError(_scrub(f"cannot reach the mail server {smtp.where}: {exc.strerror or exc}; "
                               "nothing was sent", secret)) from None


def _send(msg: EmailMessage, settings: MailSettings, secret: str | None) -> None:
    import smtplib

    smtp = settings.smtp
    context = ssl.create_default_context(cafile=str(smtp.cafile) if smtp.cafile else None)
    if smtp.security == "tls":
        client = smtplib.SMTP_SSL(smtp.host, smtp.effective_port, timeout=smtp.timeout, context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.effective_port, timeout=smtp.timeout)
    try:
        client.ehlo()
        if smtp.security == "starttls":
            if not client.has_extn("starttls"):
                raise MailError(f"the mail server {smtp.where} does not offer STARTTLS; check port and security "
                                f"{settings.where_to_set('smtp')} (\"tls\" for implicit TLS, usually port 465); "
                                "nothing was sent")
            client.starttls(context=context)
            client.ehlo()
        if smtp.user:
            if not client.has_extn("auth"):
                raise MailError(f"the mail server {smtp.where} does not offer a login (AUTH) on this connection; "
                                f"remove user {settings.where_to_set('smtp')} if it needs none, or use "
                                "security = \"starttls\" or \"tls\"; nothing was sent")
            client.login(smtp.user, secret or "")
        refused = client.send_message(msg, from_addr=parseaddr(settings.message.sender)[1],
                                      to_addrs=settings.recipients)
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            pass  # the message was accepted; a server that hangs up before QUIT's reply is no matter
    finally:
        client.close()  # not quit() after a failure: that could hide the first error behind another
    if refused:
        listed = "; ".join(f"{addr} ({_reply(code, text)})" for addr, (code, text) in refused.items())
        raise MailError(f"the message was sent, but the mail server refused these recipients: {listed}")


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
                f"password in {smtp.password_env}; nothing was sent")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        listed = "; ".join(f"{addr} ({_reply(code, text)})" for addr, (code, text) in exc.recipients.items())
        return f"the mail server refused every recipient: {listed}; nothing was sent"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return (f"the mail server refused the sender {exc.sender} ({_reply(exc.smtp_code, exc.smtp_error)}); "
                f"check from {settings.where_to_set('message')}; nothing was sent")
    if isinstance(exc, smtplib.SMTPDataError):
        return (f"the mail server refused the message ({_reply(exc.smtp_code, exc.smtp_error)}); if it is too "
                f"large, {SMALL_WORKBOOK_HINT}")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"the mail server {smtp.where} does not support {exc}; nothing was sent"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return (f"the mail server {smtp.where} closed the connection ({exc or 'without a reason'}); check port "
                f"and security {settings.where_to_set('smtp')}; nothing was sent")
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the mail server {smtp.where} answered {_reply(exc.smtp_code, exc.smtp_error)}; nothing was sent"
    return f"sending through {smtp.where} failed: {exc}; nothing was sent"


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
    from .summary import SummaryError, read_summary

    if eml is not None and eml.resolve() == workbook.resolve():
        raise MailError(f"--eml {eml} would replace the workbook itself; give a name ending in .eml")
    check_size(workbook, settings)
    try:
        summary = read_summary(workbook)
    except SummaryError as exc:
        raise MailError(str(exc)) from None
    msg = compose(workbook, summary, settings)
    everyone = ", ".join(settings.recipients)
    if eml is not None:
        write_eml(msg, eml)
        return f"Wrote {eml} (not sent): {msg['Subject']!s}, to {everyone}, with {workbook.name} attached."
    send(msg, settings, secret, warn)
    return f"Sent {workbook.name} to {everyone} through {settings.smtp.where}: {msg['Subject']!s}."
