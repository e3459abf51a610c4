"""Email bursting: each unit's workbook to that unit's [[recipients]], one message per unit.

`scorecard-xl email --each DIR` and `generate --each ... --email` call `burst`. Before
anything is sent it checks everything that would otherwise fail halfway: every
[[recipients]] unit is a unit of the template, the folder's workbooks are scorecard
workbooks of that template, for one month, one per unit, and the send log can be
written. Then it sends over one SMTP session, recording each message in the send log
(sendlog.py) as soon as the server has accepted it. A message the server refuses is
reported and the others still go; when the server cannot be used at all (not reached,
the login refused, the connection lost) it stops rather than fail thirty times.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..files import WriteError
from ..names import closest, name_key
from .mailer import Connection, ServerError, compose, listed, subject_for, summary_of, write_eml
from .sendlog import LOG_NAME, SendLog, Sent, now
from .settings import MailError, MailSettings, Recipients, bare

if TYPE_CHECKING:
    from ..engine.template import Template
    from .summary import WorkbookSummary

COMPANION_SUFFIX = "-data.xlsx"  # the raw data tables beside a workbook (--raw-data separate): never emailed


@dataclass(frozen=True)
class UnitWorkbook:
    path: Path
    summary: WorkbookSummary
    unit: str  # as the template spells it


@dataclass(frozen=True)
class _Due:
    """A message to send: the unit's workbook to those of its recipients not yet sent these bytes."""

    workbook: UnitWorkbook
    sha256: str
    to: list[str]
    cc: list[str]


@dataclass
class BurstReport:
    """What `burst` did, unit by unit (the template's spelling, in the order of its tree)."""

    folder: Path
    dry_run: bool
    server: str
    sent: list[str] = field(default_factory=list)  # with dry_run: written to an .eml
    failed: list[tuple[str, str]] = field(default_factory=list)  # (unit, the reason)
    stopped: str | None = None  # why sending stopped, when the server could not be used
    not_sent: list[str] = field(default_factory=list)  # left when it stopped
    already_sent: list[str] = field(default_factory=list)  # these bytes, to these recipients, before
    no_recipients: list[str] = field(default_factory=list)  # a workbook but no [[recipients]] block
    no_workbook: list[str] = field(default_factory=list)  # a [[recipients]] block but no workbook here
    skipped: list[str] = field(default_factory=list)  # files in the folder that are not scorecard workbooks

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_sent

    def summary(self) -> str:
        """One line: Sent 28 of 30 ...: A, B; failed 2: C (reason), D (reason); no recipients: E."""
        due = len(self.sent) + len(self.failed) + len(self.not_sent)
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
        if self.stopped:
            parts.append(f"stopped, as {self.stopped}; not sent {len(self.not_sent)}: {', '.join(self.not_sent)}")
        if self.already_sent:
            parts.append(f"already sent before, so not again: {len(self.already_sent)} (--resend sends them again)")
        if self.no_recipients:
            parts.append(f"no recipients: {', '.join(self.no_recipients)}")
        if self.no_workbook:
            parts.append(f"recipients but no workbook here: {', '.join(self.no_workbook)}")
        if self.skipped:
            parts.append(f"skipped (not scorecard workbooks): {', '.join(self.skipped)}")
        return "; ".join(parts) + "."

    def problem(self) -> str | None:
        """The line for standard error when a message failed or was not sent."""
        missing = len(self.failed) + len(self.not_sent)
        if not missing:
            return None
        due = len(self.sent) + missing
        if self.dry_run:
            return f"{missing} of {due} messages could not be written (listed above)"
        return (f"{missing} of {due} messages failed (listed above); run the same command again to send only what "
                "was not sent")


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

    Raises MailError before anything is sent when the recipients, the workbooks or the
    log will not do. Afterwards every outcome is in the report: it raises no more.
    """
    blocks = recipients_by_unit(settings, template)
    folder, found, skipped = find_workbooks(workbooks, template, warn)
    log = SendLog.read(folder)
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
        sha256 = hashlib.sha256(workbook.path.read_bytes()).hexdigest()
        had = set() if resend else log.had(workbook.unit, sha256)
        to, cc = ([a for a in addresses if bare([a])[0].lower() not in had] for addresses in (block.to, block.cc))
        if to or cc:
            due.append(_Due(workbook, sha256, to, cc))
        else:
            report.already_sent.append(workbook.unit)
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


def find_workbooks(workbooks: str | Path | list[Path], template: Template,
                   warn: Callable[[str], None]) -> tuple[Path, list[UnitWorkbook], list[str]]:
    """(the folder, its scorecard workbooks in the order of the template's tree, the files skipped).

    Skips the raw-data companions and Excel's lock files (`~$name.xlsx`) without a word,
    and other files that are not scorecard workbooks with a note. MailError when the
    workbooks are of another template, of more than one month, or two for one unit.
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
    found, skipped = [], []
    for path in paths:
        if path.name.startswith(("~$", ".")) or _is_companion(path):
            continue
        try:
            summary = summary_of(path)
        except MailError as exc:
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


def _is_companion(path: Path) -> bool:
    name = path.name
    return name.lower().endswith(COMPANION_SUFFIX) and path.with_name(name[:-len(COMPANION_SUFFIX)] + ".xlsx").exists()


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
        try:
            msg = compose(workbook.path, workbook.summary, settings, item.to, item.cc)
            eml = write_eml(msg, workbook.path.with_suffix(".eml"))
        except MailError as exc:
            _failed(report, item, str(exc), warn)
            continue
        report.sent.append(workbook.unit)
        say(f"Wrote {eml.name} (not sent): {msg['Subject']!s}, to {', '.join([*item.to, *item.cc])}.")


def _send(due: list[_Due], settings: MailSettings, secret: str | None, log: SendLog, report: BurstReport,
          warn: Callable[[str], None], say: Callable[[str], None]) -> None:
    pending = list(due)
    try:
        with Connection(settings, secret, warn) as smtp:
            while pending:
                item = pending[0]
                workbook = item.workbook
                try:
                    msg = compose(workbook.path, workbook.summary, settings, item.to, item.cc)
                    refused = smtp.send(msg)
                except ServerError:
                    raise
                except MailError as exc:
                    pending.pop(0)
                    _failed(report, item, str(exc), warn)
                    continue
                pending.pop(0)
                to, cc = ([a for a in addresses if bare([a])[0] not in refused] for addresses in (item.to, item.cc))
                say(f"Sent {workbook.unit}: {workbook.path.name} to {', '.join([*to, *cc])}.")
                if refused:
                    _failed(report, item, f"the mail server refused {listed(refused)}; sent to the others", warn)
                else:
                    report.sent.append(workbook.unit)
                log.record(Sent(workbook.unit, workbook.path.name, item.sha256, to, cc, now(),
                                str(msg["Message-ID"])))
    except ServerError as exc:
        report.stopped = str(exc)
    except WriteError as exc:
        report.stopped = (f"the send log could not be written after {workbook.unit} was sent ({exc.strerror}), "
                          f"so a rerun will send {workbook.unit} again")
    report.not_sent = [item.workbook.unit for item in pending]


def _failed(report: BurstReport, item: _Due, reason: str, warn: Callable[[str], None]) -> None:
    report.failed.append((item.workbook.unit, reason))
    warn(f"failed: {item.workbook.unit} ({item.workbook.path.name}): {reason}")
