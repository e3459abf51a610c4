"""The send log: which units' scorecards `email --each` has sent from a folder, and to whom.

`scorecard-xl-sent.json` beside the workbooks, one entry per message:

    {"about": "...", "version": 2, "sent": [
        {"unit": "East Kent", "month": "2016-08", "template": "kent_scs",
         "input_file": "kent_liberi_export_2016-08.xlsx", "input_sha256": "5d1e...",
         "workbook": "scorecard-2016-08-east-kent.xlsx", "workbook_sha256": "9f2c...",
         "to": ["Head of East Kent <head.east@example.org>"], "cc": [],
         "sent_at": "2016-09-15T09:30:12+01:00", "message_id": "<...@example.org>",
         "outcome": "sent", "replaces": null}]}

What a message carries is one unit's scorecard for one month, calculated with one template
from one input: (unit, month, template, input SHA-256), all read from the workbook's
Contents sheet. The workbook file's bytes are not it: a workbook generated again from the
same input the next day has a new "Date produced", so new bytes, and the same figures.
A recipient is due a unit's workbook unless an entry with that (unit, month, template,
input SHA-256) went to them. An entry for the same unit and month from another input (the
figures corrected) makes the new message say that it replaces that one ("replaces" holds
the earlier Message-ID).

"outcome" is "sent" when the server accepted the message, or "unconfirmed" when the
connection was lost after the whole message had gone and before the server's reply: it
may have been delivered. Either keeps the recipients from being sent it again, unless
--resend.

Version 1 logs (from earlier releases) recorded the workbook's bytes ("sha256") only. Their
entries are read as sent for a workbook with those very bytes (and take its unit, month,
template and input when it is in the folder: the log is rewritten as version 2); for a
workbook with other bytes they cannot tell figures corrected from figures regenerated, so
it is sent again, saying it replaces the earlier message. The month of such an entry is
read from its workbook's file name (scorecard-2016-08-...).

The file is rewritten atomically after every message, so a crash or Ctrl+C midway loses no
record of what went.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from ..files import WriteError, replacing
from ..names import name_key
from .settings import MailError, address_key

LOG_NAME = "scorecard-xl-sent.json"
VERSION = 2
SENT, UNCONFIRMED = "sent", "unconfirmed"
ABOUT = ("What scorecard-xl email --each sent from this folder: one entry per message. A unit's scorecard for a "
         "month (its template and input, by SHA-256) is not sent again to anyone it went to, unless with --resend; "
         "figures from another input are sent again, saying they replace the earlier message. outcome "
         "'unconfirmed': the connection was lost before the server confirmed the message (it may have arrived). "
         "Deleting this file sends everything again.")
_MONTH_IN_NAME = re.compile(r"scorecard-(\d{4})-(\d{2})(?=[-.])", re.IGNORECASE)


@dataclass(frozen=True)
class Scorecard:
    """What a message carries: one unit's scorecard for a month, and the file it is in."""

    unit: str
    month: str  # "2016-08"
    template: str
    input_file: str
    input_sha256: str
    workbook: str  # the file's name in the folder
    workbook_sha256: str


@dataclass(frozen=True)
class Sent:
    unit: str
    month: str | None  # "2016-08"; None for a version-1 entry whose file name does not say
    template: str | None  # None: a version-1 entry (not known)
    input_file: str | None
    input_sha256: str | None
    workbook: str
    workbook_sha256: str
    to: list[str]
    cc: list[str]
    sent_at: str  # ISO 8601, local time with its offset
    message_id: str
    outcome: str = SENT  # or UNCONFIRMED
    replaces: str | None = None  # the Message-ID of the earlier message (another input) this one replaced

    def carries(self, card: Scorecard) -> bool:
        """Whether this entry's message carried the same scorecard (for a version-1 entry: the same bytes)."""
        if name_key(self.unit) != name_key(card.unit):
            return False
        if self.input_sha256 is None:
            return self.workbook_sha256 == card.workbook_sha256
        return (self.month, self.template, self.input_sha256) == (card.month, card.template, card.input_sha256)

    def earlier_of(self, card: Scorecard) -> bool:
        """Whether this entry's message carried the same unit's scorecard for the month from another input."""
        return (name_key(self.unit) == name_key(card.unit) and self.month == card.month
                and self.template in (None, card.template) and not self.carries(card))

    @property
    def sent_on(self) -> dt.date:
        return dt.datetime.fromisoformat(self.sent_at).date()


@dataclass
class SendLog:
    path: Path
    sent: list[Sent]

    @classmethod
    def read(cls, folder: Path) -> SendLog:
        """The folder's log (empty when there is none). MailError if it cannot be read."""
        path = folder / LOG_NAME
        if not path.exists():
            return cls(path, [])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            version = data.get("version", 1)
            if not isinstance(version, int) or version > VERSION:
                raise MailError(f"the send log {path} was written by a newer scorecard-xl (version {version}); "
                                "nothing was sent: update scorecard-xl")
            entries = [_from_version_1(e) if version == 1 else _entry(e) for e in data["sent"]]
            return cls(path, entries)
        except MailError:
            raise
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise MailError(f"cannot read the send log {path} ({exc}): it records what was sent before, so "
                            "nothing was sent; restore it, or delete it to send every workbook again") from None

    def check_writable(self) -> None:
        """Before sending anything, write the log as it is: a message sent must never go unrecorded."""
        try:
            self._save()
        except WriteError as exc:
            raise MailError(f"{exc.strerror}; nothing was sent (the send log records each message)") from None

    def adopt(self, card: Scorecard) -> None:
        """Version-1 entries for these very bytes are for this scorecard: record what it is."""
        self.sent = [replace(e, month=card.month, template=card.template, input_file=card.input_file,
                             input_sha256=card.input_sha256)
                     if e.input_sha256 is None and e.carries(card) else e for e in self.sent]

    def had(self, card: Scorecard) -> dict[str, str]:
        """The addresses (as address_key gives them) that have been sent this scorecard, each with the
        outcome: "sent" when any of its messages was accepted, else "unconfirmed"."""
        out: dict[str, str] = {}
        for entry in self.sent:
            if entry.carries(card):
                for addr in [*entry.to, *entry.cc]:
                    if out.get(address_key(addr)) != SENT:
                        out[address_key(addr)] = entry.outcome
        return out

    def earlier(self, card: Scorecard, addresses: list[str]) -> Sent | None:
        """The latest message to any of `addresses` with the unit's scorecard for the month from another input."""
        keys = {address_key(a) for a in addresses}
        matches = [e for e in self.sent if e.earlier_of(card) and keys & {address_key(a) for a in [*e.to, *e.cc]}]
        return max(matches, key=lambda e: e.sent_at, default=None)

    def record(self, entry: Sent) -> None:
        """Add a message sent and write the log at once. Raises WriteError."""
        self.sent.append(entry)
        self._save()

    def _save(self) -> None:
        data = {"about": ABOUT, "version": VERSION, "sent": [asdict(e) for e in self.sent]}
        with replacing(self.path) as (tmp,):
            tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _entry(data: dict) -> Sent:
    known = {f.name for f in fields(Sent)}
    return Sent(**{k: v for k, v in data.items() if k in known})


def _from_version_1(data: dict) -> Sent:
    """A version-1 entry: unit, workbook, sha256 (the workbook's bytes), to, cc, sent_at, message_id."""
    m = _MONTH_IN_NAME.match(data["workbook"])
    return Sent(unit=data["unit"], month=f"{m[1]}-{m[2]}" if m else None, template=None, input_file=None,
                input_sha256=None, workbook=data["workbook"], workbook_sha256=data["sha256"], to=data["to"],
                cc=data["cc"], sent_at=data["sent_at"], message_id=data["message_id"])


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")
