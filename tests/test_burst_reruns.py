"""`email --each` on reruns and on a server that fails midway: what goes, what is logged, what is said.

Against aiosmtpd on 127.0.0.1 (test_email's helpers), with the unit workbooks test_burst
makes (the county workbook with its Contents sheet's `Unit` row changed). Each server
here misbehaves in one way: it refuses one recipient (RCPT 550), the sender of one
message (MAIL 552) or one message (DATA 554); it drops the connection before a message's
data, or after it (before its reply), or drops it and stops listening; it offers
SMTPUTF8 or not. The command runs in this process (cli.main), as most of test_burst does.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_burst import (  # noqa: E402
    LOG,
    MONTH,
    RECIPIENTS,
    SENT,
    UNIT_SUBJECT,
    altered,
    books,
    check_unit_message,
    email_each,
    file_name,
    folder_of,
    log_of,
    messages,
    recipients_toml,
    settings,
    unit_of,
)
from test_email import PASSWORD, Recorder, free_port, one_clear_error, smtp_server  # noqa: E402
from workbook_fixtures import SAMPLE  # noqa: E402

__all__ = ["books"]  # a fixture, imported so pytest finds it

pytestmark = [
    pytest.mark.filterwarnings("ignore:Sparkline Group extension is not supported"),
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]


def each_args(folder: Path, config: Path, *more: str) -> tuple:
    return ("--each", folder, "--config", config, "--subject", UNIT_SUBJECT, *more)


def regenerate(folder: Path, books: dict[str, bytes], tmp_path: Path, units=SENT) -> None:
    """The units' workbooks generated again the next day from the same input: a new "Date produced",
    so other bytes, and the same figures."""
    county = tmp_path / "county.xlsx"
    county.write_bytes(books["Kent"])
    for unit in units:
        path = folder / file_name(unit)
        before = path.read_bytes()
        extra = {} if unit == "Kent" else {"Unit": unit}
        altered(county, path, **{"Date produced": dt.datetime(2016, 9, 16)}, **extra)
        assert path.read_bytes() != before


# ----------------------------------------------------------------------------- what is sent again

def test_a_workbook_generated_again_is_not_sent_again_after_a_refusal(books, tmp_path):
    """The 15 and 16 September case: one unit refused, the workbooks generated again the next day,
    the same command: only the unit that was refused goes."""
    folder = folder_of(tmp_path, books)
    recorder = Refusing({"head.west@example.org"})
    with smtp_server(recorder) as (_, port):
        config = settings(tmp_path, port)
        first = email_each(*each_args(folder, config))
        count = len(recorder.envelopes)
        regenerate(folder, books, tmp_path)
        recorder.refuse.clear()
        rerun = email_each(*each_args(folder, config))
    assert first.returncode == 1 and count == 3, first.stdout + first.stderr
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert [unit_of(m) for m in messages(recorder)[count:]] == ["West Kent"], "managers sent August twice"
    assert "Sent 1 of 1" in rerun.stdout and "already sent before, so not again: 3" in rerun.stdout


def test_a_version_1_log_is_read(books, tmp_path):
    """A log written before version 2 (the workbook's bytes only): an entry for these very bytes counts as
    sent; for other bytes the unit is sent again, saying it replaces the earlier message; the log is
    rewritten as version 2 with what the workbooks carried."""
    folder = folder_of(tmp_path, books)
    old = [{"unit": unit, "workbook": file_name(unit),
            "sha256": hashlib.sha256(books[unit] if unit != "West Kent" else b"older bytes").hexdigest(),
            "to": RECIPIENTS[unit][0], "cc": RECIPIENTS[unit][1], "sent_at": "2016-09-15T09:30:12+01:00",
            "message_id": f"<old-{i}@example.org>"} for i, unit in enumerate(SENT)]
    (folder / LOG).write_text(json.dumps({"about": "...", "version": 1, "sent": old}), encoding="utf-8")
    with smtp_server() as (recorder, port):
        proc = email_each(*each_args(folder, settings(tmp_path, port)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [msg] = messages(recorder)
    check_unit_message(msg, recorder.envelopes[0], "West Kent", books["West Kent"], *RECIPIENTS["West Kent"],
                       replaces="15 Sep 2016")
    assert "already sent before, so not again: 3" in proc.stdout
    data = json.loads((folder / LOG).read_text(encoding="utf-8"))
    assert data["version"] == 2
    log = data["sent"]
    sample = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert [(e["unit"], e["month"], e["input_sha256"], e["message_id"]) for e in log[:3]] == [
        (unit, MONTH, sample, f"<old-{i}@example.org>") for i, unit in enumerate(SENT[:3])], "adopted"
    assert (log[3]["month"], log[3]["template"], log[3]["input_sha256"]) == (MONTH, None, None), "not known"
    assert log[4]["unit"] == "West Kent" and log[4]["replaces"] == "<old-3@example.org>"


# ----------------------------------------------------------------------------- one unit's failure

class Refusing(Recorder):
    """Refuses the recipients in `refuse` (RCPT 550), the sender of the messages numbered in
    `refuse_mail` (MAIL 552, as for a message too large) and the data of those in `refuse_data` (554)."""

    def __init__(self, refuse: set[str] = frozenset(), refuse_mail=(), refuse_data=()):
        super().__init__()
        self.refuse, self.refuse_mail, self.refuse_data = set(refuse), set(refuse_mail), set(refuse_data)
        self.mails = 0
        self.datas = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mails += 1
        if self.mails in self.refuse_mail:
            return "552 5.3.4 Message size exceeds fixed maximum message size"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.datas += 1
        if self.datas in self.refuse_data:
            return "554 5.6.0 Message content rejected"
        return await super().handle_DATA(server, session, envelope)


def test_a_refused_sender_or_message_fails_that_unit_only(books, tmp_path):
    """MAIL refused for North Kent's message (the 2nd), the message refused for West Kent's (the 3rd data),
    one of East Kent's recipients refused: each fails its unit, and Kent's and East Kent's go."""
    folder = folder_of(tmp_path, books)
    recorder = Refusing({"deputy.east@example.org"}, refuse_mail={2}, refuse_data={3})
    with smtp_server(recorder) as (_, port):
        proc = email_each(*each_args(folder, settings(tmp_path, port)))
    assert proc.returncode == 1
    assert [unit_of(m) for m in messages(recorder)] == ["Kent", "East Kent"]
    assert "Sent 1 of 4" in proc.stdout
    assert "North Kent (the mail server refused the sender performance@example.org (552 5.3.4" in proc.stdout
    assert "West Kent (the mail server refused the message (554 5.6.0" in proc.stdout
    assert "East Kent (the mail server refused deputy.east@example.org (550 5.1.1" in proc.stdout
    assert "stopped" not in proc.stdout
    assert [e["unit"] for e in log_of(folder)] == ["Kent", "East Kent"]


def _refusals():
    import smtplib

    return {
        "UnicodeEncodeError": (UnicodeEncodeError("ascii", "jörg@example.org", 1, 2, "ordinal not in range(128)"),
                               "an address cannot be sent to the mail server"),
        "SMTPNotSupportedError": (smtplib.SMTPNotSupportedError(
            "One or more source or delivery addresses require internationalized email support, but the server "
            "does not advertise the required SMTPUTF8 capability"), "does not offer SMTPUTF8"),
        "SMTPSenderRefused": (smtplib.SMTPSenderRefused(552, b"5.3.4 Too big", "performance@example.org"),
                              "refused the sender performance@example.org (552 5.3.4 Too big)"),
        "SMTPDataError": (smtplib.SMTPDataError(554, b"5.6.0 Rejected"), "refused the message (554 5.6.0 Rejected)"),
    }


@pytest.mark.parametrize("kind", list(_refusals()))
def test_any_error_of_one_message_fails_that_unit_only(books, tmp_path, monkeypatch, kind):
    """smtplib raising for North Kent's message alone: North Kent fails with the reason, the others go."""
    import smtplib

    error, words = _refusals()[kind]
    send_message = smtplib.SMTP.send_message

    def failing(self, msg, *args, **kwargs):
        if str(msg["Subject"]).startswith("North Kent"):
            raise error
        return send_message(self, msg, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "send_message", failing)
    folder = folder_of(tmp_path, books)
    with smtp_server() as (recorder, port):
        proc = email_each(*each_args(folder, settings(tmp_path, port)))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "stopped" not in proc.stdout
    assert [unit_of(m) for m in messages(recorder)] == ["Kent", "East Kent", "West Kent"]
    assert "Sent 3 of 4" in proc.stdout and "failed 1: North Kent (" in proc.stdout and words in proc.stdout


# ----------------------------------------------------------------------------- addresses

UNICODE_LOCAL = "jörg.müller@example.org"
UNICODE_DOMAIN = "head.east@bücher.example"


def with_east(to: list[str]) -> str:
    return recipients_toml({**RECIPIENTS, "East Kent": (to, [])})


def test_a_malformed_address_is_refused_naming_unit_and_address(books, tmp_path):
    folder = folder_of(tmp_path, books)
    with smtp_server() as (recorder, port):
        proc = email_each(*each_args(folder, settings(tmp_path, port, with_east(["head.east@example..org"]))))
        assert not recorder.envelopes
    one_clear_error(proc, "[[recipients]] 2 (East Kent) to", "'head.east@example..org' is not an email address",
                    "domain")
    assert not (folder / LOG).exists()


def test_a_non_ascii_mailbox_without_smtputf8_is_refused_before_anything_is_sent(books, tmp_path):
    folder = folder_of(tmp_path, books)
    with smtp_server(enable_SMTPUTF8=False) as (recorder, port):
        proc = email_each(*each_args(folder, settings(tmp_path, port, with_east([UNICODE_LOCAL]))))
        assert not recorder.envelopes, "sent before finding the address it could not send"
    one_clear_error(proc, "does not offer SMTPUTF8", f"{UNICODE_LOCAL} (East Kent)", "nothing was sent")
    assert log_of(folder) == []


def test_non_ascii_addresses_go(books, tmp_path):
    """A non-ASCII mailbox through a server offering SMTPUTF8; a non-ASCII domain in its ASCII form (IDNA)
    through one that does not."""
    folder = folder_of(tmp_path, books)
    with smtp_server() as (recorder, port):  # aiosmtpd offers SMTPUTF8
        proc = email_each(*each_args(folder, settings(tmp_path, port, with_east([UNICODE_LOCAL]))))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    east = next(i for i, m in enumerate(messages(recorder)) if unit_of(m) == "East Kent")
    assert recorder.envelopes[east].rcpt_tos == [UNICODE_LOCAL]
    assert "SMTPUTF8" in recorder.envelopes[east].mail_options
    assert str(messages(recorder)[east]["To"]) == UNICODE_LOCAL

    again = tmp_path / "again"
    again.mkdir()
    folder = folder_of(again, books)
    with smtp_server(enable_SMTPUTF8=False) as (recorder, port):
        proc = email_each(*each_args(folder, settings(again, port, with_east([UNICODE_DOMAIN]))))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    east = next(i for i, m in enumerate(messages(recorder)) if unit_of(m) == "East Kent")
    assert recorder.envelopes[east].rcpt_tos == ["head.east@xn--bcher-kva.example"]
    assert str(messages(recorder)[east]["To"]) == "head.east@xn--bcher-kva.example"
    assert log_of(folder)[2]["to"] == [UNICODE_DOMAIN], "logged as the settings give it"


# ----------------------------------------------------------------------------- a connection lost midway

class Dropping(Recorder):
    """Closes the connection at the `at`-th RCPT (before the data) or DATA (after the data, before the reply),
    or at each of them when `at` is a set. stop_listening: then refuse every new connection too, as a server
    that has gone away."""

    def __init__(self, at: int | set[int], stage: str, stop_listening: bool = False):
        super().__init__()
        self.at = at if isinstance(at, set) else {at}
        self.stage, self.stop_listening = stage, stop_listening
        self.seen = {"RCPT": 0, "DATA": 0}
        self.dropped: list = []  # the envelopes whose connection was closed
        self.controller = None

    def _drop(self, server, envelope) -> bool:
        self.seen[self.stage] += 1
        if self.seen[self.stage] not in self.at:
            return False
        self.dropped.append(envelope)
        if self.stop_listening:
            self.controller.server.close()
        server.transport.close()
        return True

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.stage == "RCPT" and not envelope.rcpt_tos and self._drop(server, envelope):
            return "421 4.3.2 Closing"  # never read: the connection is closed
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.stage == "DATA" and self._drop(server, envelope):
            return "250 OK"  # never read: the connection is closed
        return await super().handle_DATA(server, session, envelope)


def dropping_server(recorder: Dropping):
    from contextlib import contextmanager

    from aiosmtpd.controller import Controller

    @contextmanager
    def serving():
        port = free_port()
        recorder.controller = Controller(recorder, hostname="127.0.0.1", port=port)
        recorder.controller.start()
        try:
            yield port
        finally:
            recorder.controller.stop()

    return serving()


def test_a_connection_lost_after_the_data_may_have_been_sent(books, tmp_path):
    """North Kent's data went in full, then the connection closed without a reply: it "may have been sent",
    is logged as unconfirmed and not sent again by a rerun (--resend does); the others go on a new connection."""
    folder = folder_of(tmp_path, books)
    recorder = Dropping(at=2, stage="DATA")
    with dropping_server(recorder) as port:
        config = settings(tmp_path, port)
        proc = email_each(*each_args(folder, config))
        count = len(recorder.envelopes)
        rerun = email_each(*each_args(folder, config))
        after_rerun = len(recorder.envelopes)
        resend = email_each(*each_args(folder, config, "--resend"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert [unit_of(m) for m in messages(recorder)[:count]] == ["Kent", "East Kent", "West Kent"]
    assert "Sent 3 of 4" in proc.stdout
    assert "may have been sent 1: North Kent (the connection was lost after the message had gone, before the " \
           "server confirmed it; not sent again unless --resend)" in proc.stdout
    assert "not sent" not in proc.stdout.replace("not sent again", "")
    assert "check port and security" not in proc.stdout + proc.stderr
    assert "may have been sent: North Kent" in proc.stderr
    assert f"the connection to the mail server 127.0.0.1:{port} was lost (the server closed the connection" \
           in proc.stderr and "after 1 message had gone through; opened it again" in proc.stderr
    assert proc.stderr.splitlines()[-1] == ("error: 1 of 4 may have been sent (North Kent): ask a recipient; a rerun "
                                            "does not send them again, --resend does")
    log = log_of(folder)
    assert [(e["unit"], e["outcome"]) for e in log[:4]] == [
        ("Kent", "sent"), ("North Kent", "unconfirmed"), ("East Kent", "sent"), ("West Kent", "sent")]

    assert rerun.returncode == 0 and after_rerun == count, rerun.stdout + rerun.stderr
    assert "Nothing to send" in rerun.stdout
    assert "may have been sent before (the server did not confirm it), so not again: North Kent " \
           "(--resend sends them again)" in rerun.stdout
    assert resend.returncode == 0, resend.stdout + resend.stderr
    assert [unit_of(m) for m in messages(recorder)[after_rerun:]] == SENT


def test_a_connection_lost_before_the_data_is_opened_again_and_the_message_sent(books, tmp_path):
    folder = folder_of(tmp_path, books)
    recorder = Dropping(at=2, stage="RCPT")
    with dropping_server(recorder) as port:
        proc = email_each(*each_args(folder, settings(tmp_path, port)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    sent = messages(recorder)
    assert [unit_of(m) for m in sent] == SENT, "North Kent once, on the new connection"
    for msg, envelope in zip(sent, recorder.envelopes, strict=False):
        check_unit_message(msg, envelope, unit_of(msg), books[unit_of(msg)], *RECIPIENTS[unit_of(msg)])
    assert "Sent 4 of 4" in proc.stdout
    assert "opened it again, to send North Kent and the rest" in proc.stderr
    assert [e["outcome"] for e in log_of(folder)] == ["sent"] * 4


def test_a_server_gone_midway_stops_the_run_saying_so(books, tmp_path):
    folder = folder_of(tmp_path, books)
    recorder = Dropping(at=2, stage="RCPT", stop_listening=True)
    with dropping_server(recorder) as port:
        proc = email_each(*each_args(folder, settings(tmp_path, port)))
    assert proc.returncode == 1
    assert [unit_of(m) for m in messages(recorder)] == ["Kent"]
    where = f"127.0.0.1:{port}"
    assert (f"stopped, as the connection to the mail server {where} was lost (the server closed the connection"
            in proc.stdout)
    assert ("after 1 message had gone through, and opening it again failed (the server refused the connection): "
            "the server or the network failed during the run, not the settings; "
            "not sent 3: North Kent, East Kent, West Kent") in proc.stdout
    assert "check port and security" not in proc.stdout + proc.stderr
    assert "check host and port" not in proc.stdout + proc.stderr
    assert [e["unit"] for e in log_of(folder)] == ["Kent"]


def test_a_connection_lost_twice_in_a_row_stops_the_run(books, tmp_path):
    """A server that closes the connection after every message's data: two in a row, and it stops."""
    folder = folder_of(tmp_path, books)
    recorder = Dropping(at={1, 2, 3, 4}, stage="DATA")
    with dropping_server(recorder) as port:
        proc = email_each(*each_args(folder, settings(tmp_path, port)))
    assert proc.returncode == 1
    assert "may have been sent 2: Kent, North Kent" in proc.stdout
    assert (f"stopped, as the connection to the mail server 127.0.0.1:{port} was lost 2 times in a row (the server "
            "closed the connection") in proc.stdout
    assert ("after 0 messages had gone through: the server or the network failed during the run, not the settings; "
            "not sent 2: East Kent, West Kent") in proc.stdout
    assert [(e["unit"], e["outcome"]) for e in log_of(folder)] == [("Kent", "unconfirmed"),
                                                                   ("North Kent", "unconfirmed")]
    assert proc.stderr.splitlines()[-1] == (
        "error: 2 of 4 messages failed (listed above); run the same command again to send only what was not sent; "
        "2 of 4 may have been sent (Kent, North Kent): ask a recipient; a rerun does not send them again, "
        "--resend does")


def test_one_workbook_whose_connection_drops_after_the_data_may_have_been_sent(books, tmp_path):
    """`email WORKBOOK`: not "nothing was sent" when it may have been."""
    workbook = tmp_path / file_name("Kent")
    workbook.write_bytes(books["Kent"])
    recorder = Dropping(at=1, stage="DATA")
    with dropping_server(recorder) as port:
        proc = email_each(workbook, "--config", settings(tmp_path, port))
    line = one_clear_error(proc, "was lost", "it may have been sent", "ask a recipient")
    assert "nothing was sent" not in line and "check port" not in line


# ----------------------------------------------------------------------------- units known by their file names

def template_with(units: list[str]):
    """The Kent template's name and root with these units (no other attribute is used by burst)."""
    return SimpleNamespace(name="kent_scs", units={unit: None for unit in ["Kent", *units]},
                           organisation_tree=SimpleNamespace(name="Kent"))


@pytest.mark.parametrize("case", ["East and East Data", "Kent (written by --each) and Kent Data"])
def test_a_unit_named_like_a_companion_is_sent(books, tmp_path, case):
    """'East Data''s workbook is scorecard-2016-08-east-data.xlsx, which a guess from the -data suffix takes
    for the companion of East's scorecard-2016-08-east.xlsx; so is 'Kent Data''s beside the county's workbook
    as `generate --each` names it. The template's names say which is which. (A template now refuses units
    whose files would clash, tests/test_template.py; burst still tells such files apart, so stand-ins.)"""
    from scorecard_xl.delivery.burst import burst
    from scorecard_xl.delivery.settings import load_settings

    if case.startswith("East"):
        template, first, second = template_with(["East", "East Data"]), "East", "East Data"
        names = {"East": f"scorecard-{MONTH}-east.xlsx", "East Data": f"scorecard-{MONTH}-east-data.xlsx"}
    else:
        template, first, second = template_with(["Kent Data"]), "Kent", "Kent Data"
        names = {"Kent": f"scorecard-{MONTH}-kent.xlsx", "Kent Data": f"scorecard-{MONTH}-kent-data.xlsx"}
    folder = tmp_path / "out"
    folder.mkdir()
    county = tmp_path / "county.xlsx"
    county.write_bytes(books["Kent"])
    for unit, name in names.items():
        altered(county, folder / name, Unit=unit)
    # The county's companion, and that of the second unit's workbook: skipped without a word.
    (folder / f"scorecard-{MONTH}-data.xlsx").write_bytes(books["companion"])
    (folder / names[second].replace(".xlsx", "-data.xlsx")).write_bytes(books["companion"])
    recipients = {first: (["first@example.org"], []), second: (["second@example.org"], [])}
    warned = []
    with smtp_server() as (recorder, port):
        config = settings(tmp_path, port, recipients_toml(recipients))
        report = burst(folder, load_settings(config, each=True, subject=UNIT_SUBJECT), None, template,
                       warn=warned.append)
    assert report.ok and report.sent == [first, second], report.summary()
    assert report.no_workbook == [] and report.skipped == [] and warned == []
    assert [e.rcpt_tos for e in recorder.envelopes] == [["first@example.org"], ["second@example.org"]]
    attached = [next(m.iter_attachments()).get_filename() for m in messages(recorder)]
    assert attached == [names[first], names[second]]


def test_eml_of_a_non_ascii_mailbox(books, tmp_path):
    """--dry-run writes it (UTF-8 headers) and says that the server must offer SMTPUTF8."""
    folder = folder_of(tmp_path, books)
    proc = email_each(*each_args(folder, settings(tmp_path, free_port(), with_east([UNICODE_LOCAL])), "--dry-run"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"note: East Kent: {UNICODE_LOCAL}: the part before the @ is not ASCII" in proc.stderr
    eml = folder / Path(file_name("East Kent")).with_suffix(".eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert str(msg["To"]) == UNICODE_LOCAL
    assert PASSWORD not in proc.stdout + proc.stderr
