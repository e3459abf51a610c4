"""Email bursting: each unit's workbook to that unit's [[recipients]], one message per unit.

`scorecard-xl email --each DIR` and `generate --each ... --email` call `burst`. Before
anything is sent it checks everything that would otherwise fail halfway: every
[[recipients]] unit is a unit of the template, the folder's workbooks are scorecard
workbooks of that template, for one month, one per unit, the send log can be written, and
(once connected) the server takes every address due a message. Then it sends over one SMTP
session, recording each message in the send log (sendlog.py) as soon as the server has
accepted it.

One unit's failure never stops the others: a refused recipient, sender or message, or an
address the server cannot take, fails that unit's message and the next one goes. A
connection lost midway is opened again (and the message it broke off sent again, unless
its data had all gone: then it "may have been sent", is logged as unconfirmed and not sent
again without --resend). Only when the server cannot be used at all (not reached, the
login refused, the connection lost and not to be opened again) does it stop.

The units' workbooks are known by the names generate gives them (names.workbook_name for
the month and each unit of the template; companion_name for their raw-data companions,
which are never read nor sent), and by what their Contents sheet says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..files import WriteError
from ..names import closest, companion_name, name_key, workbook_name
from .mailer import (
    Connection,
    ConnectionLost,
    Replaced,
    ServerError,
    compose,
    listed,
    subject_for,
    summary_of,
    write_eml,
)
from .sendlog import LOG_NAME, SENT, UNCONFIRMED, Scorecard, SendLog, Sent, now
from .settings import MailError, MailSettings, Recipients, address_key, needs_smtputf8

if TYPE_CHECKING:
    from ..engine.template import Template
    from .summary import WorkbookSummary

_MONTH_IN_NAME = re.compile(r"scorecard-(\d{4})-(\d{2})(?=[-.])", re.IGNORECASE)


@dataclass(frozen=True)
class UnitWorkbook:
    path: Path
    summary: WorkbookSummary
    unit: str  # as the template spells it


@dataclass(frozen=True)
class _Due:
    """A message to send: the unit's workbook to those of its recipients not yet sent this scorecard."""

    workbook: UnitWorkbook
    card: Scorecard
    to: list[str]
    cc: list[str]
    replaces: Sent | None = None  # the latest message to them with the unit's figures for the month from another input

    @property
    def replaced(self) -> Replaced | None:
        return Replaced(self.replaces.sent_on, self.replaces.message_id) if self.replaces else None


@dataclass
class BurstReport:
    """What `burst` did, unit by unit (the template's spelling, in the order of its tree)."""

    folder: Path
    dry_run: bool
    server: str
    sent: list[str] = field(default_factory=list)  # with dry_run: written to an .eml
    failed: list[tuple[str, str]] = field(default_factory=list)  # (unit, the reason)
    unconfirmed: list[str] = field(default_factory=list)  # the connection was lost before the server's reply
    stopped: str | None = None  # why sending stopped, when the server could not be used
    not_sent: list[str] = field(default_factory=list)  # left when it stopped
    already_sent: list[str] = field(default_factory=list)  # this scorecard, to these recipients, before
    unconfirmed_before: list[str] = field(default_factory=list)  # as already_sent, but not confirmed by the server
    no_recipients: list[str] = field(default_factory=list)  # a workbook but no [[recipients]] block
    no_workbook: list[str] = field(default_factory=list)  # a [[recipients]] block but no workbook here
    skipped: list[str] = field(default_factory=list)  # files in the folder that are not scorecard workbooks

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_sent and not self.unconfirmed

    def summary(self) -> str:
        """One line: Sent 28 of 30 ...: A, B; failed 2: C (reason), D (reason); no recipients: E."""
        due = len(self.sent) + len(self.failed) + len(self.unconfirmed) + len(self.not_sent)
        if not due:
            head = "Nothing to send"
        elif self.dry_run:
            head = f"Wrote {len(self.sent)} of {due} messages to .eml files beside the workbooks (not sent)"
        else:
            head = f"Sent {len(self.sent)} of {due} through {self.server}"
            head += f" (recorded in {self.folder / LOG_NAME})" if self.sent else ""
        parts = [head + (f": {', '.join(self.sent)}" if self.sent else "")]
        if self.failed:
            parts.append(f"failed {len(self.failed)}: " + ", ".join(f"{unit} ({why})" for unit, why in self.failed))
        if self.unconfirmed:
            parts.append(f"may have been sent {len(self.unconfirmed)}: {', '.join(self.unconfirmed)} (the connection "
                         "was lost after the message had gone, before the server confirmed it; not sent again "
                         "unless --resend)")
        if self.stopped:
            parts.append(f"stopped, as {self.stopped}; not sent {len(self.not_sent)}: {', '.join(self.not_sent)}")
        if self.already_sent:
            parts.append(f"already sent before, so not again: {len(self.already_sent)} (--resend sends them again)")
        if self.unconfirmed_before:
            parts.append(f"may have been sent before (the server did not confirm it), so not again: "
                         f"{', '.join(self.unconfirmed_before)} (--resend sends them again)")
        if self.no_recipients:
            parts.append(f"no recipients: {', '.join(self.no_recipients)}")
        if self.no_workbook:
            parts.append(f"recipients but no workbook here: {', '.join(self.no_workbook)}")
        if self.skipped:
            parts.append(f"skipped (not scorecard workbooks): {', '.join(self.skipped)}")
        return "; ".join(parts) + "."

    def problem(self) -> str | None:
        """The line for standard error when a message failed, was not sent, or may not have arrived."""
        missing = len(self.failed) + len(self.not_sent)
        due = len(self.sent) + len(self.unconfirmed) + missing
        if self.dry_run:
            return f"{missing} of {due} messages could not be written (listed above)" if missing else None
        parts = []
        if missing:
            parts.append(f"{missing} of {due} messages failed (listed above); run the same command again to send "
                         "only what was not sent")
        if self.unconfirmed:
            parts.append(f"{len(self.unconfirmed)} of {due} may have been sent ({', '.join(self.unconfirmed)}): ask "
                         "a recipient; a rerun does not send them again, --resend does")
        return "; ".join(parts) or None


def burst(workbooks: str | Path | list[Path], settings: MailSettings, secret: str | None, template: Template, *,
          dry_run: bool = False, resend: bool = False, warn: Callable[[str], None] = lambda text: None,
          say: Callable[[str], None] = lambda text: None) -> BurstReport:
    """Send each unit's workbook to the unit's [[recipients]] (one message per unit).

    workbooks: a folder (every scorecard workbook in it), or the files generate wrote (the
        workbooks are picked out; all in one folder, else ValueError). The send log is
        written in that folder.
    dry_run: write each message to an .eml beside its workbook instead (no server, no log).
    resend: send to everyone again, ignoring the send log.
    warn, say: where notes and failures, and each message sent, are told as they happen.

    A recipient is due a unit's workbook unless the log says its scorecard (the unit, month,
    template and input SHA-256, from the workbook's Contents sheet) went to them; a message
    to someone who had the unit's figures for the month from another input says it replaces
    that one.

    Raises MailError before anything is sent when the recipients, the workbooks, the log or
    (once connected) the server will not do. Afterwards every outcome is in the report: it
    raises no more.
    """
    blocks = recipients_by_unit(settings, template)
    folder, found, skipped = find_workbooks(workbooks, template, warn)
    log = SendLog.read(folder)
    cards = {workbook.unit: scorecard_of(workbook) for workbook in found}
    for card in cards.values():
        log.adopt(card)
    if not dry_run:
        log.check_writable()
    report = BurstReport(folder, dry_run, settings.smtp.where, skipped=skipped)
    report.no_workbook = [unit for unit in blocks if unit not in {w.unit for w in found}]
    due = []
    for workbook in found:
        block = blocks.get(workbook.unit)
        if block is None:
            report.no_recipients.append(workbook.unit)
            continue
        card = cards[workbook.unit]
        had = {} if resend else log.had(card)
        to, cc = ([a for a in addresses if address_key(a) not in had] for addresses in (block.to, block.cc))
        if to or cc:
            due.append(_Due(workbook, card, to, cc, log.earlier(card, [*to, *cc])))
        elif SENT in had.values():
            report.already_sent.append(workbook.unit)
        else:
            report.unconfirmed_before.append(workbook.unit)
    _warn_same_subject(due, settings, warn)
    if dry_run:
        _write_emls(due, settings, report, warn, say)
    elif due:
        _send(due, settings, secret, log, report, warn, say)
    return report


def recipients_by_unit(settings: MailSettings, template: Template) -> dict[str, Recipients]:
    """The [[recipients]] blocks by the template's name for their unit, in the order of its tree.

    MailError naming every unit the template does not have (with the closest names).
    """
    units = {name_key(unit): unit for unit in template.units}
    unknown = [f"{block.unit!r}{closest(block.unit, template.units)}" for block in settings.recipients
               if name_key(block.unit) not in units]
    if unknown:
        raise MailError(f"{settings.source or 'the settings'}: [[recipients]] for units the template {template.name} "
                        f"does not have: {', '.join(unknown)}; nothing was sent")
    blocks = {units[name_key(block.unit)]: block for block in settings.recipients}
    return {unit: blocks[unit] for unit in template.units if unit in blocks}


def scorecard_of(workbook: UnitWorkbook) -> Scorecard:
    """What the unit's workbook carries, from its Contents sheet (and its bytes, for old send logs)."""
    summary = workbook.summary
    return Scorecard(workbook.unit, f"{summary.month:%Y-%m}", summary.template, summary.input_file,
                     summary.input_sha256, workbook.path.name, hashlib.sha256(workbook.path.read_bytes()).hexdigest())


def find_workbooks(workbooks: str | Path | list[Path], template: Template,
                   warn: Callable[[str], None]) -> tuple[Path, list[UnitWorkbook], list[str]]:
    """(the folder, its scorecard workbooks in the order of the template's tree, the files skipped).

    A file named as generate names a unit's workbook for its month is read, and so is any
    other .xlsx (a workbook saved under another name is still its unit's, by its Contents
    sheet). A file named as one of those workbooks' raw-data companions is skipped unread and
    without a word (unless it is also a unit's workbook name: then what it holds decides), as
    are Excel's lock files (`~$name.xlsx`); other files that are not scorecard workbooks are
    skipped with a note. MailError when the workbooks are of another template, of more than
    one month, or two for one unit.
    """
    if isinstance(workbooks, (str, os.PathLike)):
        folder = Path(workbooks)
        paths = sorted(folder.glob("*.xlsx"))
    else:
        paths = [Path(p) for p in workbooks if Path(p).suffix.lower() == ".xlsx"]
        folders = {p.parent.resolve() for p in paths}
        if len(folders) > 1:
            raise ValueError(f"the workbooks must be in one folder (the send log's): {sorted(map(str, folders))}")
        folder = paths[0].parent if paths else Path(".")
    units = {name_key(unit): unit for unit in template.units}
    names = _TemplateNames(template)
    companions_beside = {companion_name(p.name).lower() for p in paths}
    found, skipped = [], []
    for path in paths:
        if path.name.startswith(("~$", ".")):
            continue
        unit_named, companion_named = names.of(path.name)
        if companion_named and not unit_named:
            continue
        try:
            summary = summary_of(path)
        except MailError as exc:
            if companion_named or path.name.lower() in companions_beside:
                continue  # a raw-data companion (of a workbook under a name of its own, for the latter)
            warn(f"note: {exc}; skipped")
            skipped.append(path.name)
            continue
        if not summary.unit:
            warn(f"note: {path.name}: its Contents sheet does not say which unit it is for; skipped")
            skipped.append(path.name)
            continue
        found.append(UnitWorkbook(path, summary, units.get(name_key(summary.unit), summary.unit)))
    if not found:
        raise MailError(f"no scorecard workbooks in {folder}; nothing was sent")
    _check_one_set(found, template, folder)
    order = {unit: i for i, unit in enumerate(template.units)}
    return folder, sorted(found, key=lambda w: (order.get(w.unit, len(order)), w.unit)), skipped


class _TemplateNames:
    """The file names generate gives the template's units' workbooks and their raw-data companions."""

    def __init__(self, template: Template):
        self.units = list(template.units)
        self.root = template.organisation_tree.name
        self._months: dict[dt.date, tuple[dict[str, str], set[str]]] = {}

    def of(self, name: str) -> tuple[str | None, bool]:
        """(the unit whose workbook is named so, or None; whether it is a companion's name), case ignored."""
        m = _MONTH_IN_NAME.match(name)
        if not m or not 1 <= int(m[2]) <= 12:
            return None, False
        month = dt.date(int(m[1]), int(m[2]), 1)
        if month not in self._months:
            # The county's workbook is scorecard-YYYY-MM.xlsx, or with its own name when written with --each.
            workbooks = {workbook_name(month).lower(): self.root}
            for unit in self.units:
                workbooks.setdefault(workbook_name(month, unit).lower(), unit)
            self._months[month] = workbooks, {companion_name(n) for n in workbooks}
        workbooks, companions = self._months[month]
        return workbooks.get(name.lower()), name.lower() in companions


def _check_one_set(found: list[UnitWorkbook], template: Template, folder: Path) -> None:
    others = [w.path.name for w in found if w.summary.template != template.name]
    if others:
        made_with = sorted({w.summary.template for w in found if w.summary.template != template.name})
        raise MailError(f"{_names(others)} in {folder} {'was' if len(others) == 1 else 'were'} made with the template "
                        f"{', '.join(made_with)}, not {template.name}: give --template with the template they were "
                        "made with (its units are the recipients' units); nothing was sent")
    months: dict[str, list[str]] = {}
    for w in found:
        months.setdefault(w.summary.month_text, []).append(w.path.name)
    if len(months) > 1:
        listed_months = "; ".join(f"{month}: {_names(names)}" for month, names in months.items())
        raise MailError(f"the workbooks in {folder} are for more than one month ({listed_months}); keep one month's "
                        "workbooks in the folder; nothing was sent")
    by_unit: dict[str, list[str]] = {}
    for w in found:
        by_unit.setdefault(w.unit, []).append(w.path.name)
    twice = [f"{unit} ({' and '.join(names)})" for unit, names in by_unit.items() if len(names) > 1]
    if twice:
        raise MailError(f"more than one workbook in {folder} for {'; '.join(twice)}; keep one per unit, as each "
                        "unit is sent one; nothing was sent")


def _names(names: list[str], shown: int = 3) -> str:
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown} more"


def _warn_same_subject(due: list[_Due], settings: MailSettings, warn: Callable[[str], None]) -> None:
    subjects = [subject_for(item.workbook.summary, settings.message.subject) for item in due]
    if len(set(subjects)) < len(subjects):
        warn(f"warning: units' messages share the subject {subjects[0]!r}: add {{unit}} to subject "
             f"{settings.where_to_set('message')} so that each manager can tell theirs")


def _write_emls(due: list[_Due], settings: MailSettings, report: BurstReport, warn: Callable[[str], None],
                say: Callable[[str], None]) -> None:
    for item in due:
        workbook = item.workbook
        for address in [*item.to, *item.cc]:
            if needs_smtputf8(address):
                warn(f"note: {workbook.unit}: {address}: the part before the @ is not ASCII, which only a mail server "
                     "offering SMTPUTF8 takes (a send asks the server before sending anything)")
        try:
            msg = compose(workbook.path, workbook.summary, settings, item.to, item.cc, item.replaced)
            eml = write_eml(msg, workbook.path.with_suffix(".eml"))
        except MailError as exc:
            _failed(report, item, str(exc), warn)
            continue
        report.sent.append(workbook.unit)
        say(f"Wrote {eml.name} (not sent): {msg['Subject']!s}, to {', '.join([*item.to, *item.cc])}.")


def check_smtputf8(smtp: Connection, due: list[_Due], settings: MailSettings) -> None:
    """MailError, before anything is sent, naming each unit and address the server cannot take: an
    address whose part before the @ is not ASCII needs a server that offers SMTPUTF8."""
    if smtp.smtputf8:
        return
    needing = [f"{address} ({item.workbook.unit})" for item in due for address in [*item.to, *item.cc]
               if needs_smtputf8(address)]
    if needs_smtputf8(settings.message.sender or ""):
        needing.insert(0, f"{settings.message.sender} (from)")
    if needing:
        raise MailError(f"the mail server {settings.smtp.where} does not offer SMTPUTF8, which "
                        f"{'this address needs' if len(needing) == 1 else 'these addresses need'} (the part before the "
                        f"@ is not ASCII): {'; '.join(needing)}; give an ASCII address instead in "
                        f"{settings.source or 'the settings'}, or send through a mail server that offers SMTPUTF8; "
                        "nothing was sent")


MAX_LOST_IN_A_ROW = 2  # connections lost with no message accepted in between: then stop


def _send(due: list[_Due], settings: MailSettings, secret: str | None, log: SendLog, report: BurstReport,
          warn: Callable[[str], None], say: Callable[[str], None]) -> None:
    pending = list(due)
    went = 0  # messages the server accepted (some or all of their recipients)
    lost_in_a_row = 0
    where = settings.smtp.where
    try:
        with Connection(settings, secret, warn) as smtp:
            check_smtputf8(smtp, due, settings)
            while pending:
                item = pending[0]
                workbook = item.workbook
                try:
                    msg = compose(workbook.path, workbook.summary, settings, item.to, item.cc, item.replaced)
                    refused = smtp.send(msg)
                except ConnectionLost as exc:
                    lost_in_a_row += 1
                    if exc.data_sent:  # may have been delivered: never sent again without --resend
                        pending.pop(0)
                        report.unconfirmed.append(workbook.unit)
                        warn(f"may have been sent: {workbook.unit} ({workbook.path.name}): {exc} after the whole "
                             "message had gone, before the server confirmed it; it is not sent again unless --resend")
                        log.record(_entry(item, msg, item.to, item.cc, UNCONFIRMED))
                    if not pending:
                        break
                    after = f"after {went} message{'' if went == 1 else 's'} had gone through"
                    if lost_in_a_row >= MAX_LOST_IN_A_ROW:
                        report.stopped = (f"the connection to the mail server {where} was lost {lost_in_a_row} times "
                                          f"in a row ({exc.cause}), {after}: the server or the network failed during "
                                          "the run, not the settings")
                        break
                    try:
                        smtp.reopen()
                    except ServerError as again:
                        report.stopped = (f"the connection to the mail server {where} was lost ({exc.cause}) {after}, "
                                          f"and opening it again failed ({again}): the server or the network failed "
                                          "during the run, not the settings")
                        break
                    warn(f"note: the connection to the mail server {where} was lost ({exc.cause}) {after}; opened "
                         "it again" + ("" if exc.data_sent else f", to send {workbook.unit} and the rest"))
                    continue
                except MailError as exc:  # this message only: the next one goes
                    pending.pop(0)
                    _failed(report, item, str(exc), warn)
                    continue
                pending.pop(0)
                went += 1
                lost_in_a_row = 0
                refused_keys = {address_key(a) for a in refused}
                to, cc = ([a for a in addresses if address_key(a) not in refused_keys]
                          for addresses in (item.to, item.cc))
                replacing = f", replacing the message of {item.replaced.day}" if item.replaces else ""
                say(f"Sent {workbook.unit}: {workbook.path.name} to {', '.join([*to, *cc])}{replacing}.")
                if refused:
                    _failed(report, item, f"the mail server refused {listed(refused)}; sent to the others", warn)
                else:
                    report.sent.append(workbook.unit)
                log.record(_entry(item, msg, to, cc, SENT))
    except ServerError as exc:
        report.stopped = str(exc)
    except WriteError as exc:
        report.stopped = (f"the send log could not be written after {workbook.unit} was sent ({exc.strerror}), "
                          f"so a rerun will send {workbook.unit} again")
    report.not_sent = [item.workbook.unit for item in pending]


def _entry(item: _Due, msg, to: list[str], cc: list[str], outcome: str) -> Sent:
    card = item.card
    return Sent(card.unit, card.month, card.template, card.input_file, card.input_sha256, card.workbook,
                card.workbook_sha256, to, cc, now(), str(msg["Message-ID"]), outcome,
                item.replaces.message_id if item.replaces else None)


def _failed(report: BurstReport, item: _Due, reason: str, warn: Callable[[str], None]) -> None:
    report.failed.append((item.workbook.unit, reason))
    warn(f"failed: {item.workbook.unit} ({item.workbook.path.name}): {reason}")
