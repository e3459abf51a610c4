"""The send log: which unit workbooks `email --each` has sent, from which folder, to whom.

`scorecard-xl-sent.json` beside the workbooks, one entry per message sent:

    {"about": "...", "version": 1, "sent": [
        {"unit": "East Kent", "workbook": "scorecard-2016-08-east-kent.xlsx", "sha256": "9f2c...",
         "to": ["Head of East Kent <head.east@example.org>"], "cc": [],
         "sent_at": "2016-09-15T09:30:12+01:00", "message_id": "<...@example.org>"}]}

A rerun after a failure sends a unit's workbook only to those of its recipients who have
not been sent these very bytes, so the 28 managers who had it are not sent it twice; a
regenerated workbook (other bytes) goes to everyone again. The file is rewritten
atomically after every message, so a crash or Ctrl+C midway loses no record of what went.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..files import WriteError, replacing
from .settings import MailError, bare

LOG_NAME = "scorecard-xl-sent.json"
VERSION = 1
ABOUT = ("What scorecard-xl email --each sent from this folder. A workbook is sent again only to those who have "
         "not had these bytes (sha256), or to everyone with --resend. Deleting this file sends everything again.")


@dataclass(frozen=True)
class Sent:
    unit: str
    workbook: str  # the file's name in the folder
    sha256: str
    to: list[str]
    cc: list[str]
    sent_at: str  # ISO 8601, local time with its offset
    message_id: str


@dataclass
class SendLog:
    path: Path
    sent: list[Sent] = field(default_factory=list)

    @classmethod
    def read(cls, folder: Path) -> SendLog:
        """The folder's log (empty when there is none). MailError if it cannot be read."""
        path = folder / LOG_NAME
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(path, [Sent(**entry) for entry in data["sent"]])
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise MailError(f"cannot read the send log {path} ({exc}): it records what was sent before, so "
                            "nothing was sent; restore it, or delete it to send every workbook again") from None

    def check_writable(self) -> None:
        """Before sending anything, write the log as it is: a message sent must never go unrecorded."""
        try:
            self._save()
        except WriteError as exc:
            raise MailError(f"{exc.strerror}; nothing was sent (the send log records each message)") from None

    def had(self, unit: str, sha256: str) -> set[str]:
        """The addresses (in lower case) that have been sent these bytes of the unit's workbook."""
        return {addr.lower() for entry in self.sent if entry.unit == unit and entry.sha256 == sha256
                for addr in bare([*entry.to, *entry.cc])}

    def record(self, entry: Sent) -> None:
        """Add a message sent and write the log at once. Raises WriteError."""
        self.sent.append(entry)
        self._save()

    def _save(self) -> None:
        data = {"about": ABOUT, "version": VERSION, "sent": [asdict(e) for e in self.sent]}
        with replacing(self.path) as (tmp,):
            tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")
