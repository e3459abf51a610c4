"""The mail settings: the settings file (TOML), validated, with the command line on top.

The file is `scorecard-xl.toml` in the current folder, or the one given with --config:

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
    to = ["director@example.org"]  # for `email WORKBOOK`
    cc = []
    subject = "{title}: {month}"  # {month}: August 2016; {title}: the workbook's title; {unit}: its unit
    max_attachment_mb = 10

    [[recipients]]                # for `email --each DIR`: one block per unit
    unit = "East Kent"
    to = ["head.east@example.org"]
    cc = []

The tables are pydantic models with unknown keys refused, as the template's are; a
problem is reported in one line naming the file, the table and the key (for an address
in a [[recipients]] block, its number and unit, and the address). Each address is checked
as a server will need it (`address_problem`): one @, a valid part before it, a domain of
valid labels; a non-ASCII domain is sent in its IDNA form (`sendable`), and a non-ASCII
part before the @ needs a server offering SMTPUTF8, which `email --each` asks the server
before sending anything (burst.check_smtputf8).

The password is never a setting nor a command-line argument: it is read from the
environment variable named by `password_env`, or asked for (without echo) when the
command runs in a terminal.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import getaddresses, parseaddr
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.functional_validators import BeforeValidator

from ..names import name_key

DEFAULT_CONFIG = "scorecard-xl.toml"
DEFAULT_PASSWORD_ENV = "SCORECARD_XL_SMTP_PASSWORD"
DEFAULT_SUBJECT = "{title}: {month}"
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


class MailError(Exception):
    """Settings that cannot be used, or a message that could not be sent; one line."""


# ----------------------------------------------------------------------------- addresses

def split_addresses(values: list[str]) -> list[str]:
    """Each value may hold several addresses separated by commas or semicolons (as Outlook
    writes them); each must be an address. ValueError naming the one that is not."""
    out = []
    for value in values:
        if "\n" in value or "\r" in value:
            raise ValueError(f"{value!r} is not an email address: it holds a line break")
        if not value.strip():
            continue
        parsed = getaddresses([_semicolons_as_commas(value)])
        for name, addr in parsed:
            problem = address_problem(addr)
            if not problem and addr not in value:  # the parser dropped something: "a@exa mple.org"
                problem = "it holds a space"
            if problem:
                shown = addr if len(parsed) > 1 and addr else value.strip()
                raise ValueError(f"{shown!r} is not an email address, such as name@example.org ({problem})")
            out.append(_with_name(name, addr))
    return out


def bare(addresses: list[str]) -> list[str]:
    """The addresses alone, without names: what the server is given."""
    return [addr for _, addr in getaddresses(addresses)]


def is_address(addr: str) -> bool:
    return address_problem(addr) is None


_LOCAL_SPECIALS = set('()<>[]:;@\\,"')
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def address_problem(addr: str) -> str | None:
    """Why `addr` (without a name) cannot be sent to, in a few words, or None when it can be.

    The part before the @ may hold non-ASCII letters (only a server offering SMTPUTF8 takes
    them: burst.py asks the server before sending anything); a non-ASCII domain is sent in
    its ASCII form (IDNA, as `sendable` writes it)."""
    if not addr:
        return "it is not written as name@domain"
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in addr):
        return "it holds a space or a control character"
    local, at, domain = addr.rpartition("@")
    if not at or not local or not domain:
        return "it needs a mailbox name, an @ and a domain"
    if local.startswith('"') and local.endswith('"') and len(local) > 1:
        pass  # a quoted local part: anything printable
    elif "@" in local:
        return "it has more than one @"
    elif set(local) & _LOCAL_SPECIALS or local.startswith(".") or local.endswith(".") or ".." in local:
        return f"the part before the @, {local!r}, is not valid"
    if len(local.encode("utf-8")) > 64:
        return "the part before the @ is longer than 64 characters"
    if domain.startswith("[") and domain.endswith("]"):
        return None  # an address literal, [192.0.2.1]
    ascii_domain = ascii_domain_of(domain)
    if ascii_domain is None:
        return f"the domain {domain!r} cannot be written in ASCII (IDNA)"
    labels = ascii_domain.split(".")
    if len(ascii_domain) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return f"the domain {domain!r} is not a valid domain name"
    return None


def ascii_domain_of(domain: str) -> str | None:
    """The domain in ASCII: itself, or its IDNA form (bücher.example: xn--bcher-kva.example). None if it has none."""
    if domain.isascii():
        return domain
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def sendable(address: str) -> str:
    """The address (with its name, if any) with its domain in ASCII: what goes in the headers and
    to the server. A non-ASCII part before the @ is kept (it needs SMTPUTF8)."""
    name, addr = parseaddr(address)
    local, at, domain = addr.rpartition("@")
    if not at or domain.isascii():
        return address
    ascii_domain = ascii_domain_of(domain)
    return _with_name(name, f"{local}@{ascii_domain}") if ascii_domain else address


def needs_smtputf8(address: str) -> bool:
    """True when the part before the @ is not ASCII: only a server offering SMTPUTF8 takes it."""
    return not parseaddr(address)[1].rpartition("@")[0].isascii()


def address_key(address: str) -> str:
    """The address as compared (send log, refused recipients): without its name, the domain in
    ASCII, in lower case."""
    return bare([sendable(address)])[0].lower()


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


def _address_list(value: object) -> list[str]:
    if isinstance(value, str):  # one address as text is accepted too
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError('expected a list of addresses, e.g. ["a@example.org"]')
    return split_addresses(value)


def _blank_is_none(value: object) -> object:
    return None if value == "" else value


Addresses = Annotated[list[str], BeforeValidator(_address_list)]
Text = Annotated[str | None, BeforeValidator(_blank_is_none)]


# ----------------------------------------------------------------------------- the tables

class _Table(BaseModel):
    # Unknown keys are almost always typos: refuse them. Strict: port = "587" is a mistake
    # to point out, not to guess at.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)


class SmtpSettings(_Table):
    host: Text = None
    port: int | None = None
    security: Literal["starttls", "tls", "none"] = "starttls"
    user: Text = None
    password_env: str = DEFAULT_PASSWORD_ENV
    timeout: float = 30.0
    cafile: Annotated[Path | None, Field(strict=False)] = None  # relative to the settings file's folder

    @field_validator("port")
    @classmethod
    def _port(cls, value: int | None) -> int | None:
        if value is not None and not 0 < value < 65536:
            raise ValueError("expected 1 to 65535")
        return value

    @field_validator("timeout")
    @classmethod
    def _timeout(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("expected a number of seconds above 0")
        return value

    @field_validator("password_env")
    @classmethod
    def _variable_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
            raise ValueError("expected the name of an environment variable, such as SCORECARD_XL_SMTP_PASSWORD "
                             "(not the password itself)")
        return value

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]

    @property
    def where(self) -> str:
        return f"{self.host}:{self.effective_port}"


class MessageSettings(_Table):
    sender: Text = Field(None, alias="from")
    to: Addresses = []
    cc: Addresses = []
    subject: str = DEFAULT_SUBJECT
    max_attachment_mb: float = 10.0

    @field_validator("max_attachment_mb")
    @classmethod
    def _size(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("expected a size in MB above 0")
        return value


class Recipients(_Table):
    """A [[recipients]] block: who is sent one unit's workbook by `email --each`."""

    unit: str
    to: Addresses
    cc: Addresses = []

    @field_validator("unit")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("expected the unit's name as the template spells it, e.g. \"East Kent\"")
        return value.strip()

    @field_validator("to")
    @classmethod
    def _someone(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("expected at least one address")
        return value


class _SettingsFile(_Table):
    smtp: SmtpSettings = SmtpSettings()
    message: MessageSettings = MessageSettings()
    recipients: list[Recipients] = []


def _keys(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(field.alias or name for name, field in model.model_fields.items())


# The keys as written in the file: the README's table and the example file are checked against these.
SMTP_KEYS, MESSAGE_KEYS, RECIPIENT_KEYS = _keys(SmtpSettings), _keys(MessageSettings), _keys(Recipients)
TABLES = "the tables are [smtp], [message] and [[recipients]]"


@dataclass(frozen=True)
class MailSettings:
    smtp: SmtpSettings
    message: MessageSettings
    source: str  # the config file read, or "" when none, for messages
    recipients: tuple[Recipients, ...] = ()

    def where_to_set(self, table: str) -> str:
        return f"under [{table}] in {self.source or DEFAULT_CONFIG}"


# ----------------------------------------------------------------------------- reading it

def load_settings(config: Path | None, *, to: list[str] | None = None, cc: list[str] | None = None,
                  subject: str | None = None, sender: str | None = None, each: bool = False) -> MailSettings:
    """The config file's settings with the command line's on top. Raises MailError.

    config: the --config path, or None for `scorecard-xl.toml` in the current folder
    when it exists (no file at all is fine: everything can come from the command line).
    each: for `email --each` (every unit's workbook to its [[recipients]]), which needs
    [[recipients]] blocks instead of [message] to.
    """
    path = config if config is not None else Path(DEFAULT_CONFIG)
    data: dict = {}
    source = ""
    if config is not None or path.is_file():
        data = _read_toml(path)
        source = str(path)
    parsed = _validate(data, source or DEFAULT_CONFIG)
    smtp = parsed.smtp
    if smtp.cafile is not None:
        smtp = smtp.model_copy(update={"cafile": path.parent / smtp.cafile})
    overrides = {}
    for option, key, values in (("--to", "to", to), ("--cc", "cc", cc)):
        if values:
            try:
                overrides[key] = split_addresses(values)
            except ValueError as exc:
                raise MailError(f"{option}: {exc}") from None
    if subject is not None:
        overrides["subject"] = subject
    if sender is not None:
        overrides["sender"] = sender
    message = parsed.message.model_copy(update=overrides)
    settings = MailSettings(smtp, message, source, tuple(parsed.recipients))
    _check_message(settings, each)
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


def _validate(data: dict, name: str) -> _SettingsFile:
    try:
        parsed = _SettingsFile.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(err, data) for err in exc.errors()]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise MailError(f"{name}: {problems[0]}{more}") from None
    seen: dict[str, int] = {}
    for number, block in enumerate(parsed.recipients, 1):
        first = seen.setdefault(name_key(block.unit), number)
        if first != number:
            unit = parsed.recipients[first - 1].unit
            same = f" ({block.unit!r} is the same name: case and spaces are ignored)" if block.unit != unit else ""
            raise MailError(f"{name}: [[recipients]] blocks {first} and {number} are both for {unit!r}{same}: put "
                            "all of a unit's addresses in one block (each unit is sent one message)")
    return parsed


_EXPECTED = {"string_type": "expected text in quotes", "int_type": "expected a whole number",
             "float_type": "expected a number", "path_type": "expected a file name in quotes"}


def _problem(err: dict, data: dict) -> str:
    """One validation error in the file's own terms: the table, the key, what is wrong."""
    loc, kind, value = err["loc"], err["type"], err.get("input")
    if len(loc) == 1:  # a whole table
        if kind == "extra_forbidden":
            if isinstance(value, dict):
                return f"unknown table [{loc[0]}]; {TABLES}"
            return f"{loc[0]} = {value!r}: a key outside any table; {TABLES}"
        if loc[0] == "recipients":
            return "write each recipient block as [[recipients]], with two pairs of brackets, one block per unit"
        return f"{loc[0]} must be a table, written [{loc[0]}] on a line of its own"
    where = _where(loc, data)
    if len(loc) == 2 and loc[0] == "recipients":
        return f"{where}: expected a table with {', '.join(RECIPIENT_KEYS)}"
    if kind == "extra_forbidden":
        if loc == ("smtp", "password"):
            return (f"{where}: the password is not kept in the config file; put it in the environment variable "
                    f"named by password_env (default {DEFAULT_PASSWORD_ENV}), or leave it unset to be asked for it")
        known = {"smtp": SMTP_KEYS, "message": MESSAGE_KEYS, "recipients": RECIPIENT_KEYS}[loc[0]]
        return f"{where}: unknown key (the keys are {', '.join(known)})"
    if kind == "missing":
        return f"{where}: missing; each [[recipients]] block needs unit and to"
    if kind == "literal_error":
        message = "expected " + err["ctx"]["expected"].replace("'", '"')
    else:
        message = _EXPECTED.get(kind) or err["msg"].removeprefix("Value error, ")
    # An address's own message quotes it; a list is not worth repeating.
    shown = loc[-1] not in ("to", "cc") and not isinstance(value, (dict, list))
    return f"{where} = {value!r}: {message}" if shown else f"{where}: {message}"


def _where(loc: tuple, data: dict) -> str:
    """[smtp] port, [message] from, [[recipients]] 3 (East Kent) to: the table, then the key."""
    key = " ".join(map(str, loc[2:] if loc[0] == "recipients" else loc[1:]))
    if loc[0] != "recipients":
        return f"[{loc[0]}] {key}".strip()
    block = data["recipients"][loc[1]]
    unit = block.get("unit") if isinstance(block, dict) else None
    named = f" ({unit})" if isinstance(unit, str) and unit.strip() else ""
    return f"[[recipients]] {loc[1] + 1}{named} {key}".strip()


def _check_address(address: str, what: str) -> None:
    problem = "it holds a line break" if "\n" in address or "\r" in address else address_problem(parseaddr(address)[1])
    if problem:
        raise MailError(f"{address!r} ({what}) is not an email address, such as name@example.org ({problem})")


def _check_message(settings: MailSettings, each: bool) -> None:
    message = settings.message
    if each:
        if not settings.recipients:
            raise MailError(f"no [[recipients]] blocks in {settings.source or DEFAULT_CONFIG}: add one per unit, "
                            'with unit = "..." and to = ["..."], to send each unit its workbook')
    elif not message.to and not message.cc:
        each_hint = " (its [[recipients]] blocks are for --each FOLDER)" if settings.recipients else ""
        raise MailError(f"no recipients: give --to ADDRESS, or set to = [\"...\"] {settings.where_to_set('message')}"
                        + each_hint)
    elif not message.to:
        raise MailError(f"no To recipient (only Cc): give --to ADDRESS, or set to {settings.where_to_set('message')}")
    if not message.sender:
        raise MailError(f"no sender: give --from ADDRESS, or set from {settings.where_to_set('message')}")
    _check_address(message.sender, "from")
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
