"""`scorecard-xl email --each DIR`: each unit's workbook to its [[recipients]], against a real SMTP server.

The unit workbooks are the county workbook generated once from the sample, with the
`Unit` row of its Contents sheet changed (as `generate --each` writes it), in a folder
with the county's raw-data companion and a file that is not a scorecard workbook. The
server (aiosmtpd, from test_email's helpers) records every message; one variant refuses
chosen recipients as a server refuses an unknown mailbox. What it received is checked
against the files: one message per unit, to that unit's recipients, with that unit's
workbook's bytes attached and the unit named; then the send log, and that a rerun sends
only what was not sent.

The scenario that sends and reruns runs the command in a new process, as a user does; the
others call the command line in this process (cli.main), which is much faster.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_email import (  # noqa: E402
    ENV_NAME,
    PASSWORD,
    SENDER,
    USER,
    XLSX,
    Authenticator,
    Recorder,
    free_port,
    one_clear_error,
    run,
    smtp_server,
    write_config,
)
from workbook_fixtures import SAMPLE  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore:Sparkline Group extension is not supported"),
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]

MONTH = "2016-08"
LOG = "scorecard-xl-sent.json"
# Kent's units with recipients; South Kent has a workbook but no block; Canterbury CSWT a block but no workbook.
RECIPIENTS = {
    "Kent": (["director@example.org"], ["performance@example.org"]),
    "East Kent": (["Head East <head.east@example.org>", "deputy.east@example.org"], []),
    "North Kent": (["head.north@example.org"], []),
    "West Kent": (["head.west@example.org"], []),
    "Canterbury CSWT": (["canterbury@example.org"], []),
}
WITH_WORKBOOKS = ["Kent", "North Kent", "East Kent", "South Kent", "West Kent"]  # the template's tree order
SENT = ["Kent", "North Kent", "East Kent", "West Kent"]
UNIT_SUBJECT = "{unit}: scorecard for {month}"
# The export as corrected after the first send: other figures for the same month.
CORRECTED_INPUT = "kent_liberi_export_2016-08_corrected.xlsx"
CORRECTED_SHA256 = hashlib.sha256(b"the corrected export").hexdigest()


def slug(unit: str) -> str:
    return "-".join(unit.lower().split())


def file_name(unit: str) -> str:
    return f"scorecard-{MONTH}.xlsx" if unit == "Kent" else f"scorecard-{MONTH}-{slug(unit)}.xlsx"


# ----------------------------------------------------------------------------- the workbooks

@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, bytes]:
    """Each unit's workbook (and a few altered ones) as bytes, from one county workbook."""
    from scorecard_xl import generate

    folder = tmp_path_factory.mktemp("burst-books")
    county = folder / file_name("Kent")
    generate(SAMPLE, county, raw_data="separate", produced=dt.date(2016, 9, 15))
    books = {"Kent": county.read_bytes(), "companion": (folder / f"scorecard-{MONTH}-data.xlsx").read_bytes()}
    for unit in WITH_WORKBOOKS[1:]:
        books[unit] = altered(county, folder / "unit.xlsx", Unit=unit)
    books["East Kent revised"] = altered(county, folder / "revised.xlsx", Unit="East Kent",
                                         title="Scorecard: East Kent (revised)")
    books["East Kent corrected"] = altered(county, folder / "corrected.xlsx", Unit="East Kent",
                                           **{"Input file": CORRECTED_INPUT, "Input SHA-256": CORRECTED_SHA256})
    books["East Kent July"] = altered(county, folder / "july.xlsx", Unit="East Kent",
                                      **{"Reporting month": dt.datetime(2016, 7, 1)})
    books["Medway"] = altered(county, folder / "medway.xlsx", Unit="East Kent", Template="medway_scs")
    return books


def altered(county: Path, out: Path, title: str | None = None, **details) -> bytes:
    """The county workbook with Contents' labelled rows (and title) changed, as bytes."""
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(county)
    contents = book["Contents"]
    if title:
        contents["A1"] = title
    for label, value in details.items():
        cell = next(row[1] for row in contents.iter_rows(max_col=2) if row[0].value == label)
        cell.value = value
    book.save(out)
    return out.read_bytes()


def folder_of(tmp_path: Path, books: dict[str, bytes], units=WITH_WORKBOOKS, **extra: str) -> Path:
    """A folder as generate --each leaves it: the units' workbooks, the county's companion, and
    a workbook that is not a scorecard (the sample export). extra: file name -> a book's key."""
    folder = tmp_path / "out"
    folder.mkdir()
    for unit in units:
        (folder / file_name(unit)).write_bytes(books[unit])
    (folder / f"scorecard-{MONTH}-data.xlsx").write_bytes(books["companion"])
    shutil.copyfile(SAMPLE, folder / "export-copy.xlsx")
    for name, key in extra.items():
        (folder / name).write_bytes(books[key])
    return folder


def recipients_toml(recipients: dict[str, tuple[list[str], list[str]]] = RECIPIENTS) -> str:
    def quoted(addresses):
        return ", ".join(f'"{a}"' for a in addresses)

    return "".join(f'\n[[recipients]]\nunit = "{unit}"\nto = [{quoted(to)}]\ncc = [{quoted(cc)}]\n'
                   for unit, (to, cc) in recipients.items())


def settings(tmp_path: Path, port: int, recipients: str | None = None, **kwargs) -> Path:
    return write_config(tmp_path, port, "none", extra_message=recipients_toml() if recipients is None else recipients,
                        **kwargs)


def email_each(*args, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The command line in this process (as test_email's `run` gives it, for its checks)."""
    import contextlib
    import io
    import os

    from scorecard_xl.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["email", *map(str, args)])
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


# ----------------------------------------------------------------------------- what the server received

def messages(recorder: Recorder) -> list:
    return [email.message_from_bytes(e.original_content or e.content, policy=email.policy.default)
            for e in recorder.envelopes]


def unit_of(msg) -> str:
    return subject_of(msg).split(":")[0]


def subject_of(msg) -> str:
    # Python folds a subject of 70 to 77 characters onto a line of its own, and the parser keeps
    # the space that starts it (mail programs do not show it).
    return str(msg["Subject"]).strip()


def check_unit_message(msg, envelope, unit: str, workbook: bytes, to: list[str], cc: list[str],
                       replaces: str | None = None) -> None:
    """The unit's workbook attached, the unit named, sent to `to` and `cc`; replaces: the day of the
    earlier message it says it replaces (figures from another input), e.g. "15 Sep 2016"."""
    from email.utils import getaddresses

    parts = list(msg.iter_attachments())
    assert len(parts) == 1 and parts[0].get_content_type() == XLSX
    assert parts[0].get_filename() == file_name(unit)
    assert parts[0].get_content() == workbook, f"{unit}: not its workbook's bytes"
    text = msg.get_body(("plain",)).get_content()
    if replaces:
        assert subject_of(msg) == f"{unit}: scorecard for August 2016 (replaces the message of {replaces})"
        assert text.startswith(f"This message replaces the one sent on {replaces} with the scorecard for {unit}, "
                               "August 2016: its figures have been calculated again, from "), text
        assert "Please use the workbook attached to this message, not the earlier one." in text.split("\n\n")[0]
        assert "This message replaces the one sent on" in msg.get_body(("html",)).get_content()
    else:
        assert subject_of(msg) == f"{unit}: scorecard for August 2016"
        assert "replaces" not in text
    assert f"scorecard for {unit}, August 2016 is attached" in text, text
    assert f"Latest performance RAG rating ({unit})" in text
    assert sorted(envelope.rcpt_tos) == sorted(a for _, a in getaddresses([*to, *cc]))
    assert (msg["To"] or "") == ", ".join(to) and (msg["Cc"] or "") == ", ".join(cc)


def log_of(folder: Path) -> list[dict]:
    return json.loads((folder / LOG).read_text(encoding="utf-8"))["sent"]


# ----------------------------------------------------------------------------- sending

def test_each_unit_is_sent_its_workbook_once(books, tmp_path):
    folder = folder_of(tmp_path, books)
    auth = Authenticator()
    with smtp_server(authenticator=auth, auth_required=True, auth_require_tls=False) as (recorder, port):
        config = settings(tmp_path, port, user=USER)
        proc = run("email", "--each", folder, "--config", config, "--subject", UNIT_SUBJECT, cwd=tmp_path,
                   env={ENV_NAME: PASSWORD})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        first = list(recorder.envelopes)

        # The same folder again: everything was sent, so nothing is.
        again = run("email", "--each", folder, "--config", config, "--subject", UNIT_SUBJECT, cwd=tmp_path,
                    env={ENV_NAME: PASSWORD})
        assert again.returncode == 0, again.stdout + again.stderr
        assert len(recorder.envelopes) == len(first)

        # Generated again from the same input (other bytes: a new "Date produced", here a new title): the same
        # scorecard, so it is not sent again.
        (folder / file_name("East Kent")).write_bytes(books["East Kent revised"])
        regenerated = run("email", "--each", folder, "--config", config, "--subject", UNIT_SUBJECT, cwd=tmp_path,
                          env={ENV_NAME: PASSWORD})
        assert regenerated.returncode == 0, regenerated.stdout + regenerated.stderr
        assert len(recorder.envelopes) == len(first), "a workbook generated again from the same input was sent again"

        # Corrected figures (another input) go to all its recipients again, saying they replace the first; only it.
        (folder / file_name("East Kent")).write_bytes(books["East Kent corrected"])
        revised = run("email", "--each", folder, "--config", config, "--subject", UNIT_SUBJECT, cwd=tmp_path,
                      env={ENV_NAME: PASSWORD})
        assert revised.returncode == 0, revised.stdout + revised.stderr
        latest = recorder.envelopes[len(first):]

    sent = messages(recorder)
    assert [unit_of(m) for m in sent[:len(first)]] == SENT, "one message per unit with recipients, in tree order"
    for msg, envelope in zip(sent, first, strict=False):
        check_unit_message(msg, envelope, unit_of(msg), books[unit_of(msg)], *RECIPIENTS[unit_of(msg)])
    assert len(auth.seen) == 2, "one login per run that sends (not one per message), none when nothing is to send"
    assert "Sent 4 of 4" in proc.stdout and "no recipients: South Kent" in proc.stdout
    assert "recipients but no workbook here: Canterbury CSWT" in proc.stdout
    assert "export-copy.xlsx" in proc.stderr and "not a scorecard workbook" in proc.stderr
    assert "-data.xlsx" not in proc.stdout + proc.stderr, "the raw-data companion is skipped without a word"
    assert "Nothing to send" in again.stdout and "already sent before, so not again: 4" in again.stdout
    assert "Nothing to send" in regenerated.stdout and "already sent before, so not again: 4" in regenerated.stdout
    assert [unit_of(m) for m in sent[len(first):]] == ["East Kent"]
    log = log_of(folder)
    first_day = dt.datetime.fromisoformat(log[2]["sent_at"])
    check_unit_message(sent[-1], latest[0], "East Kent", books["East Kent corrected"], *RECIPIENTS["East Kent"],
                       replaces=f"{first_day.day} {first_day:%b %Y}")
    assert CORRECTED_INPUT in sent[-1].get_body(("plain",)).get_content().split("\n\n")[0]
    assert sent[-1]["References"] == log[2]["message_id"], "threaded with the message it replaces"
    assert "replacing the message of" in revised.stdout
    for p in (proc, again, regenerated, revised):
        assert PASSWORD not in p.stdout + p.stderr

    assert PASSWORD not in (folder / LOG).read_text(encoding="utf-8")
    assert json.loads((folder / LOG).read_text(encoding="utf-8"))["version"] == 2
    assert [e["unit"] for e in log] == [*SENT, "East Kent"]
    ids = [str(m["Message-ID"]) for m in sent]
    input_sha256 = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    for entry, message_id in zip(log, ids, strict=False):
        unit = entry["unit"]
        assert entry["workbook"] == file_name(unit)
        assert (entry["to"], entry["cc"]) == tuple(RECIPIENTS[unit])
        assert entry["message_id"] == message_id
        assert dt.datetime.fromisoformat(entry["sent_at"]).tzinfo is not None
        assert (entry["month"], entry["template"], entry["outcome"]) == (MONTH, "kent_scs", "sent")
    assert [(e["input_file"], e["input_sha256"], e["replaces"]) for e in log[:4]] == \
        [(SAMPLE.name, input_sha256, None)] * 4
    assert (log[-1]["input_file"], log[-1]["input_sha256"]) == (CORRECTED_INPUT, CORRECTED_SHA256)
    assert log[-1]["replaces"] == log[2]["message_id"]
    digests = {unit: hashlib.sha256(books[unit]).hexdigest() for unit in SENT}
    assert [e["workbook_sha256"] for e in log[:4]] == [digests[u] for u in SENT]
    assert log[-1]["workbook_sha256"] == hashlib.sha256(books["East Kent corrected"]).hexdigest()


class Refusing(Recorder):
    """Refuses the addresses in `refuse` at RCPT TO (550), as a server does an unknown mailbox."""

    def __init__(self, refuse: set[str]):
        super().__init__()
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_recipient_does_not_stop_the_others_and_a_rerun_sends_only_the_rest(books, tmp_path):
    folder = folder_of(tmp_path, books)
    recorder = Refusing({"head.west@example.org", "deputy.east@example.org"})
    with smtp_server(recorder) as (_, port):
        config = settings(tmp_path, port)
        each = ("--each", folder, "--config", config, "--subject", UNIT_SUBJECT)
        proc = email_each(*each)
        first, logged = len(recorder.envelopes), log_of(folder)
        recorder.refuse.clear()  # the mailboxes are fixed
        rerun = email_each(*each)
        second = len(recorder.envelopes)
        resend = email_each(*each, "--resend")

    assert proc.returncode == 1, proc.stdout + proc.stderr
    sent = messages(recorder)
    # West Kent's only To was refused, so nothing went; East Kent's head had it, its deputy did not.
    assert [unit_of(m) for m in sent[:first]] == ["Kent", "North Kent", "East Kent"]
    assert recorder.envelopes[2].rcpt_tos == ["head.east@example.org"]
    assert "Sent 2 of 4" in proc.stdout
    assert "failed 2: East Kent (the mail server refused deputy.east@example.org (550 5.1.1" in proc.stdout
    assert "West Kent (the mail server refused every recipient: head.west@example.org (550 5.1.1" in proc.stdout
    assert "failed: West Kent" in proc.stderr
    assert proc.stderr.splitlines()[-1].startswith("error: 2 of 4 messages failed")
    assert [(e["unit"], e["to"], e["cc"]) for e in logged] == [
        ("Kent", *RECIPIENTS["Kent"]), ("North Kent", *RECIPIENTS["North Kent"]),
        ("East Kent", ["Head East <head.east@example.org>"], [])]

    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert [unit_of(m) for m in sent[first:second]] == ["East Kent", "West Kent"], "only what was not sent"
    check_unit_message(sent[first], recorder.envelopes[first], "East Kent", books["East Kent"],
                       ["deputy.east@example.org"], [])
    check_unit_message(sent[first + 1], recorder.envelopes[first + 1], "West Kent", books["West Kent"],
                       *RECIPIENTS["West Kent"])
    assert "Sent 2 of 2" in rerun.stdout and "already sent before, so not again: 2" in rerun.stdout

    assert resend.returncode == 0, resend.stdout + resend.stderr
    assert [unit_of(m) for m in sent[second:]] == SENT
    for msg, envelope in zip(sent[second:], recorder.envelopes[second:], strict=False):
        check_unit_message(msg, envelope, unit_of(msg), books[unit_of(msg)], *RECIPIENTS[unit_of(msg)])
    assert len(log_of(folder)) == 3 + 2 + 4


def test_a_server_that_cannot_be_reached_is_tried_once(books, tmp_path):
    folder = folder_of(tmp_path, books)
    port = free_port()  # nothing listens there
    proc = email_each("--each", folder, "--config", settings(tmp_path, port))
    assert proc.returncode == 1
    assert f"stopped, as the mail server 127.0.0.1:{port} refused the connection" in proc.stdout
    assert "not sent 4: Kent, North Kent, East Kent, West Kent" in proc.stdout
    assert (proc.stdout + proc.stderr).count("refused the connection") == 1, "one attempt, not one per unit"
    assert log_of(folder) == []


def test_dry_run_writes_one_eml_per_unit(books, tmp_path):
    """No server and no password needed; nothing is logged; the same subject for all is warned about."""
    folder = folder_of(tmp_path, books)
    proc = email_each("--each", folder, "--config", settings(tmp_path, free_port(), user=USER), "--dry-run")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    emls = sorted(folder.glob("*.eml"))
    assert [p.name for p in emls] == sorted(Path(file_name(u)).with_suffix(".eml").name for u in SENT)
    for unit in SENT:
        msg = email.message_from_bytes(Path(folder / file_name(unit)).with_suffix(".eml").read_bytes(),
                                       policy=email.policy.default)
        [part] = msg.iter_attachments()
        assert part.get_content() == books[unit]
        assert f"scorecard for {unit}, August 2016" in msg.get_body(("plain",)).get_content()
    assert "Wrote 4 of 4 messages to .eml files" in proc.stdout and "no recipients: South Kent" in proc.stdout
    assert "share the subject 'Scorecard for August 2016'" in proc.stderr and "{unit}" in proc.stderr
    assert not (folder / LOG).exists()


# ----------------------------------------------------------------------------- refused before anything is sent

@pytest.mark.parametrize("case, words", [
    ("unknown unit", ["'East Kentt' (closest: 'East Kent'", "kent_scs"]),
    ("two for one unit", ["more than one workbook", "East Kent", "scorecard-2016-08-east-kent-copy.xlsx"]),
    ("two months", ["more than one month", "July 2016", "scorecard-2016-07-east-kent.xlsx"]),
    ("another template", ["medway_scs", "--template"]),
    ("unreadable log", ["cannot read the send log", LOG, "delete it"]),
])
def test_checked_before_anything_is_sent(books, tmp_path, case, words):
    recipients = dict(RECIPIENTS)
    extra = {}
    if case == "unknown unit":
        recipients["East Kentt"] = (["someone@example.org"], [])
    elif case == "two for one unit":
        extra = {"scorecard-2016-08-east-kent-copy.xlsx": "East Kent"}
    elif case == "two months":
        extra = {"scorecard-2016-07-east-kent.xlsx": "East Kent July"}
    elif case == "another template":
        extra = {"scorecard-2016-08-medway.xlsx": "Medway"}
    folder = folder_of(tmp_path, books, **extra)
    if case == "unreadable log":
        (folder / LOG).write_text('{"sent": [', encoding="utf-8")
    with smtp_server() as (recorder, port):
        proc = email_each("--each", folder, "--config", settings(tmp_path, port, recipients_toml(recipients)))
        assert not recorder.envelopes
    one_clear_error(proc, *words, "nothing was sent")
    assert case == "unreadable log" or not (folder / LOG).exists()


@pytest.mark.parametrize("args, words", [
    (["--to", "a@example.org"], ["--to", "do not apply with --each"]),
    (["--eml", "x.eml"], ["--eml", "do not apply with --each"]),
])
def test_options_that_do_not_apply_with_each(books, tmp_path, args, words):
    folder = folder_of(tmp_path, books)
    proc = email_each("--each", folder, "--config", settings(tmp_path, free_port()), *args)
    assert proc.returncode == 2
    for word in words:
        assert word in proc.stderr


def test_a_workbook_or_each_is_needed(books, tmp_path):
    folder = folder_of(tmp_path, books)
    neither = email_each("--config", settings(tmp_path, free_port()))
    both = email_each(folder / file_name("Kent"), "--each", folder, "--config", settings(tmp_path, free_port()))
    resend = email_each(folder / file_name("Kent"), "--resend", "--to", "a@example.org", "--from", SENDER)
    assert neither.returncode == both.returncode == resend.returncode == 2
    assert "--each DIR" in neither.stderr and "--resend only apply with --each" in resend.stderr


def test_one_workbook_with_only_recipient_blocks_points_to_each(books, tmp_path):
    (tmp_path / "scorecard-xl.toml").write_text(f'[message]\nfrom = "{SENDER}"\n' + recipients_toml(),
                                                encoding="utf-8")
    workbook = tmp_path / file_name("Kent")
    workbook.write_bytes(books["Kent"])
    proc = email_each(workbook, "--config", tmp_path / "scorecard-xl.toml", "--dry-run")
    one_clear_error(proc, "no recipients", "--to", "--each")


# ----------------------------------------------------------------------------- from Python (generate --each --email)

def test_burst_takes_the_workbooks_generate_wrote(books, tmp_path):
    """A list of files (a companion among them) instead of a folder; the report tells everything."""
    from workbook_fixtures import kent_template

    from scorecard_xl.delivery.burst import burst
    from scorecard_xl.delivery.settings import load_settings

    folder = folder_of(tmp_path, books)
    written = [folder / file_name("Kent"), folder / f"scorecard-{MONTH}-data.xlsx", folder / file_name("East Kent")]
    config = settings(tmp_path, free_port())
    said, warned = [], []
    report = burst(written, load_settings(config, each=True), None, kent_template(), dry_run=True,
                   warn=warned.append, say=said.append)
    assert report.ok and report.sent == ["Kent", "East Kent"]
    assert report.no_recipients == [] and report.no_workbook == ["North Kent", "Canterbury CSWT", "West Kent"]
    assert len(said) == 2 and all(line.startswith("Wrote ") for line in said)
    assert report.summary().startswith("Wrote 2 of 2 messages")
    assert sorted(p.name for p in folder.glob("*.eml")) == ["scorecard-2016-08-east-kent.eml", "scorecard-2016-08.eml"]


# ----------------------------------------------------------------------------- generate --each --email

def test_generate_each_then_email_sends_every_area_its_own_workbook(tmp_path):
    """One command from the export to every area manager's inbox: real unit workbooks (not altered
    copies), each message carrying its own area's file, and the send log beside them."""
    recipients = {area: ([f"head.{slug(area)}@example.org"], []) for area in
                  ("North Kent", "East Kent", "South Kent", "West Kent")}
    out = tmp_path / "out"
    out.mkdir()
    with smtp_server() as (recorder, port):
        config = settings(tmp_path, port, recipients=recipients_toml(recipients))
        proc = run("generate", SAMPLE, "--each", "Area", "--out-dir", out, "--email", "--config", config,
                   "--subject", UNIT_SUBJECT, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 workbooks (4 files), written together." in proc.stdout and "Sent 4 of 4" in proc.stdout
    sent = messages(recorder)
    assert sorted(unit_of(m) for m in sent) == sorted(recipients)
    for msg, envelope in zip(sent, recorder.envelopes, strict=False):
        unit = unit_of(msg)
        workbook = out / f"scorecard-{MONTH}-{slug(unit)}.xlsx"
        (part,) = list(msg.iter_attachments())
        assert part.get_filename() == workbook.name and part.get_content() == workbook.read_bytes(), unit
        assert envelope.rcpt_tos == [f"head.{slug(unit)}@example.org"]
    assert sorted(e["unit"] for e in log_of(out)) == sorted(recipients)


def test_generate_each_email_refuses_a_to_address(tmp_path):
    proc = run("generate", SAMPLE, "--each", "Area", "--email", "--to", "a@example.org", cwd=tmp_path)
    assert proc.returncode == 2 and "[[recipients]]" in proc.stderr, proc.stderr
    assert list(tmp_path.iterdir()) == []
