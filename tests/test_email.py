"""`scorecard-xl email` and `generate --email`: a real SMTP server on this machine.

aiosmtpd runs in a thread on 127.0.0.1 and a free port: plain, with a login (AUTH
LOGIN/PLAIN), with STARTTLS and with implicit TLS (a certificate authority and a server
certificate made in the test, trusted through the `cafile` setting). The command runs in
a new process, as a user runs it, with no terminal on standard input. What the server
received is parsed and checked against the workbook itself, read here with openpyxl:
the attachment's bytes and type, the RAG counts, each Red indicator's result and target,
and the line saying where the figures came from. The password must never appear in what
the command prints, nor in an .eml.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
from contextlib import contextmanager
from html import escape
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workbook_fixtures import ROOT, generate_ok, load_workbook, mini_export  # noqa: E402

pytest.importorskip("aiosmtpd", reason="pip install aiosmtpd (in the test extra)")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

__all__ = ["mini_export"]  # a fixture, imported so pytest finds it

pytestmark = [
    pytest.mark.filterwarnings("ignore:Sparkline Group extension is not supported"),
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
USER = "analyst@example.org"
PASSWORD = "Pa55-w0rd-NEVER-shown-7d1f"
SENDER = "Performance Team <performance@example.org>"
TO = ["director@example.org", "Head of Service <head@example.org>"]
CC = ["finance@example.org"]
ENV_NAME = "SCORECARD_XL_SMTP_PASSWORD"


# ----------------------------------------------------------------------------- helpers

def run(*args, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The command line in a new process, with no terminal on stdin (so never a prompt)."""
    base = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", ENV_NAME)}
    base["COLUMNS"] = "200"
    base.update(env or {})
    return subprocess.run([sys.executable, "-m", "scorecard_xl.cli", *map(str, args)], cwd=cwd, env=base,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)


def one_clear_error(proc, *words: str) -> str:
    """Exit 1 with one 'error:' line holding `words`, no traceback, and never the password."""
    text = proc.stdout + proc.stderr
    assert proc.returncode == 1, text
    assert "Traceback" not in text and "internal error" not in text, text
    assert PASSWORD not in text
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    for word in words:
        assert word.lower() in errors[0].lower(), errors[0]
    return errors[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(folder: Path, port: int, security: str = "none", *, user: str | None = None,
                 cafile: Path | None = None, host: str = "127.0.0.1", extra_message: str = "") -> Path:
    smtp = [f'host = "{host}"', f"port = {port}", f'security = "{security}"', "timeout = 10"]
    if user:
        smtp.append(f'user = "{user}"')
    if cafile:
        smtp.append(f'cafile = "{cafile.name}"')  # relative to the config file's folder
    to = ", ".join(f'"{t}"' for t in TO)
    cc = ", ".join(f'"{c}"' for c in CC)
    text = ("[smtp]\n" + "\n".join(smtp) + "\n\n[message]\n"
            f'from = "{SENDER}"\nto = [{to}]\ncc = [{cc}]\nsubject = "Scorecard for {{month}}"\n{extra_message}')
    path = folder / "scorecard-xl.toml"
    path.write_text(text, encoding="utf-8")
    return path


class Recorder:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.envelopes = []
        self.tls = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        # STARTTLS sets session.ssl; with implicit TLS the transport itself is the TLS one.
        transport = getattr(server, "transport", None)
        implicit = transport is not None and transport.get_extra_info("ssl_object") is not None
        self.tls.append(session.ssl is not None or implicit)
        return "250 Message accepted for delivery"


class Authenticator:
    def __init__(self, accept: bool = True):
        self.accept = accept
        self.seen = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            self.seen.append((mechanism, auth_data.login.decode(), auth_data.password.decode()))
            ok = self.accept and auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD
            return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself
        return AuthResult(success=False, handled=False)


@contextmanager
def smtp_server(recorder: Recorder | None = None, **kwargs):
    """(recorder, port) of an aiosmtpd server on 127.0.0.1, stopped afterwards."""
    recorder = recorder or Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


def received(recorder: Recorder):
    assert len(recorder.envelopes) == 1, f"{len(recorder.envelopes)} messages received"
    envelope = recorder.envelopes[0]
    return envelope, email.message_from_bytes(envelope.original_content or envelope.content,
                                              policy=email.policy.default)


# ----------------------------------------------------------------------------- the workbook, read here

@pytest.fixture(scope="module")
def workbook(mini_export, tmp_path_factory) -> Path:
    """A scorecard from the mini export, generated with its raw data in a companion file."""
    out = tmp_path_factory.mktemp("email-workbook") / "scorecard-2016-08.xlsx"
    return generate_ok(mini_export, out, "--raw-data", "separate")


@pytest.fixture(scope="module")
def facts(workbook, mini_export) -> dict:
    """What the workbook says, read with openpyxl here (not with the package's reader)."""
    book = load_workbook(workbook, read_only=True)
    try:
        details = {r[0]: r[1] for r in book["Contents"].iter_rows(max_row=12, max_col=2, values_only=True)}
        rows = [list(r) for r in book["Scorecard - Kent"].iter_rows(values_only=True)]
        formats = [[getattr(c, "number_format", "General") for c in r] for r in book["Scorecard - Kent"].iter_rows()]
    finally:
        book.close()
    header = rows[3]
    col = {name: header.index(name) for name in ("ID", "Indicator", "Latest Result", "RAG")}
    col["Target"] = next(i for i, h in enumerate(header) if isinstance(h, str) and h.startswith("Target"))
    reds = [{"id": str(r[col["ID"]]), "title": r[col["Indicator"]], "result": r[col["Latest Result"]],
             "result_format": formats[i][col["Latest Result"]], "target": r[col["Target"]]}
            for i, r in enumerate(rows) if i > 3 and r[col["RAG"]] == "R"]
    variation = header.index("Variation")
    concerns = [f"- {r[col['ID']]}: {r[col['Indicator']]}: {r[variation]}" for r in rows[4:]
                if isinstance(r[variation], str) and r[variation].startswith("Special cause concern")]
    words = next(i for i, r in enumerate(rows) if "GREEN" in r)
    counts = {w[0]: rows[words + 1][rows[words].index(w)] for w in ("GREEN", "AMBER", "RED")}
    assert reds, "the mini export is built to have Red indicators (9, 7 and 38)"
    assert details["Input SHA-256"] == hashlib.sha256(mini_export.read_bytes()).hexdigest()
    return {"details": details, "reds": reds, "concerns": concerns, "counts": counts, "bytes": workbook.read_bytes()}


def bodies(msg) -> tuple[str, str]:
    # Line ends as sent over SMTP (CRLF) or as written to the .eml: the same text either way.
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = msg.get_body(("html",)).get_content().replace("\r\n", "\n")
    return text, html


def attachment(msg):
    parts = list(msg.iter_attachments())
    assert len(parts) == 1, [p.get_content_type() for p in parts]
    return parts[0]


def check_message(msg, facts: dict, workbook: Path) -> None:
    """The message carries the workbook and the workbook's own figures."""
    part = attachment(msg)
    assert part.get_content_type() == XLSX
    assert part.get_filename() == workbook.name
    assert part.get_content() == facts["bytes"], "the attachment's bytes differ from the workbook's"

    text, html = bodies(msg)
    g, a, r = (facts["counts"][k] for k in "GAR")
    assert f"{g} Green, {a} Amber, {r} Red" in text, text
    assert f"{g} Green, {a} Amber, {r} Red" in html
    assert "August 2016" in text and "August 2016" in msg["Subject"]
    details = facts["details"]
    for value in (details["Input file"], details["Input SHA-256"], details["Template"], details["Data source"]):
        assert value in text, f"{value!r} is not in the body"
        assert value in html
    source = next(ln for ln in text.splitlines() if details["Input SHA-256"] in ln)
    for value in (details["Input file"], details["Template"], details["Data source"]):
        assert value in source, "the input, its SHA-256, template and data source are on one line"

    for red in facts["reds"]:
        m = re.search(rf"^- {re.escape(red['id'])}: {re.escape(red['title'])}: ([\d.,]+)(%?) against a target "
                      rf"of ([\d.,]+)(%?)$", text, re.M)
        assert m, f"indicator {red['id']} is not listed as Red with its result and target:\n{text}"
        percent = "%" in red["result_format"]
        assert bool(m.group(2)) == percent
        decimals = len(m.group(1).partition(".")[2])
        scale = 100 if percent else 1
        shown, target = float(m.group(1).replace(",", "")), float(m.group(3).replace(",", ""))
        assert abs(shown - red["result"] * scale) <= 0.5 * 10 ** -decimals + 1e-9, (shown, red["result"])
        assert abs(target - red["target"] * scale) <= 0.5 * 10 ** -decimals + 1e-9, (target, red["target"])
        assert red["id"] in html and m.group(1) in html
    rated = {ln.split(":")[0][2:] for ln in listed(text, "Red indicators")}
    assert rated == {red["id"] for red in facts["reds"]}, "only the Red indicators are listed"
    # SPC: exactly the indicators whose Variation on the scorecard is special cause concern, with its words.
    assert listed(text, "Special cause concern") == facts["concerns"], text
    for line in facts["concerns"]:
        assert escape(line[2:].split(": ")[0]) in html and escape(line.rsplit(": ", 1)[1]) in html
    if not facts["concerns"]:
        assert "No indicator shows special cause concern (SPC) this month." in text


def listed(text: str, heading: str) -> list[str]:
    """The "- " lines of the block that starts with a line starting with `heading`."""
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.startswith(heading)), None)
    if start is None:
        return []
    block = lines[start + 1:]
    return block[:block.index("")] if "" in block else block


# ----------------------------------------------------------------------------- sending

def test_send_plain_server(workbook, facts, tmp_path):
    with smtp_server() as (recorder, port):
        config = write_config(tmp_path, port, "none")
        proc = run("email", workbook, "--config", config, cwd=tmp_path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        envelope, msg = received(recorder)
    assert envelope.mail_from == "performance@example.org"
    assert sorted(envelope.rcpt_tos) == sorted(["director@example.org", "head@example.org", "finance@example.org"])
    assert msg["From"] == SENDER and msg["Cc"] == CC[0]
    assert msg["Subject"] == "Scorecard for August 2016"
    check_message(msg, facts, workbook)
    assert "Sent scorecard-2016-08.xlsx" in proc.stdout


def test_send_with_login(workbook, facts, tmp_path):
    auth = Authenticator()
    with smtp_server(authenticator=auth, auth_required=True, auth_require_tls=False) as (recorder, port):
        config = write_config(tmp_path, port, "none", user=USER)
        proc = run("email", workbook, "--config", config, cwd=tmp_path, env={ENV_NAME: PASSWORD})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        _, msg = received(recorder)
    assert [(login, password) for _, login, password in auth.seen] == [(USER, PASSWORD)]
    assert PASSWORD not in proc.stdout + proc.stderr
    assert "unencrypted" in proc.stderr  # security = "none" with a password is said out loud
    check_message(msg, facts, workbook)


def test_password_from_a_named_variable(workbook, tmp_path):
    auth = Authenticator()
    with smtp_server(authenticator=auth, auth_required=True, auth_require_tls=False) as (recorder, port):
        config = write_config(tmp_path, port, "none", user=USER)
        config.write_text(config.read_text().replace("[smtp]\n", '[smtp]\npassword_env = "MY_MAIL_SECRET"\n'))
        proc = run("email", workbook, "--config", config, cwd=tmp_path, env={"MY_MAIL_SECRET": PASSWORD})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        received(recorder)


def test_rejected_login(workbook, tmp_path):
    auth = Authenticator(accept=False)
    with smtp_server(authenticator=auth, auth_required=True, auth_require_tls=False) as (recorder, port):
        config = write_config(tmp_path, port, "none", user=USER)
        proc = run("email", workbook, "--config", config, cwd=tmp_path, env={ENV_NAME: PASSWORD})
        assert not recorder.envelopes
    line = one_clear_error(proc, "rejected the login", USER, ENV_NAME)
    assert "535" in line


def test_refused_connection(workbook, tmp_path):
    port = free_port()  # nothing listens there
    config = write_config(tmp_path, port, "none")
    proc = run("email", workbook, "--config", config, cwd=tmp_path)
    one_clear_error(proc, "refused the connection", f"127.0.0.1:{port}")


def test_unknown_host(workbook, tmp_path):
    config = write_config(tmp_path, 2525, "none", host="no-such-host.invalid")
    proc = run("email", workbook, "--config", config, cwd=tmp_path)
    one_clear_error(proc, "unknown mail server host", "no-such-host.invalid")


def test_no_password_without_a_terminal(workbook, tmp_path):
    """A user but no password variable, and no terminal to ask in: a clear error before connecting."""
    config = write_config(tmp_path, free_port(), "none", user=USER)
    proc = run("email", workbook, "--config", config, cwd=tmp_path)
    one_clear_error(proc, "no password", ENV_NAME)


def test_password_is_asked_for_in_a_terminal():
    from scorecard_xl.delivery.settings import (
        MailError,
        MailSettings,
        MessageSettings,
        SmtpSettings,
        password,
    )

    settings = MailSettings(SmtpSettings(host="mail.example.org", user=USER), MessageSettings(), "")
    prompts = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return PASSWORD

    assert password(settings, environ={}, isatty=lambda: True, ask=ask) == PASSWORD
    assert prompts and USER in prompts[0] and PASSWORD not in prompts[0]
    # The variable wins over the prompt; no user, no password at all.
    assert password(settings, environ={ENV_NAME: "from-env"}, isatty=lambda: True, ask=ask) == "from-env"
    assert len(prompts) == 1
    no_user = MailSettings(SmtpSettings(host="mail.example.org"), MessageSettings(), "")
    assert password(no_user, environ={}, isatty=lambda: False) is None
    with pytest.raises(MailError, match=ENV_NAME):
        password(settings, environ={}, isatty=lambda: False)


# ----------------------------------------------------------------------------- TLS

@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> dict[str, Path]:
    """A test certificate authority and a server certificate for 127.0.0.1 and localhost."""
    folder = tmp_path_factory.mktemp("tls")
    try:
        return _certificates_with_cryptography(folder)
    except ImportError:
        pass
    if shutil.which("openssl") is None:
        pytest.skip("neither the cryptography package nor openssl is available to make a certificate")
    return _certificates_with_openssl(folder)


def _certificates_with_cryptography(folder: Path) -> dict[str, Path]:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "scorecard-xl test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
          .not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "server.pem").write_bytes(cert.public_bytes(pem))
    (folder / "server.key").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    return {"ca": folder / "ca.pem", "cert": folder / "server.pem", "key": folder / "server.key"}


def _certificates_with_openssl(folder: Path) -> dict[str, Path]:
    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True, timeout=60)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=scorecard-xl test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=localhost")
    (folder / "server.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                                       "extendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "server.ext")
    return {"ca": folder / "ca.pem", "cert": folder / "server.pem", "key": folder / "server.key"}


def server_context(certificates) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates["cert"], certificates["key"])
    return context


def test_starttls_with_login(workbook, facts, tmp_path, certificates):
    shutil.copy(certificates["ca"], tmp_path / "test-ca.pem")
    auth = Authenticator()
    with smtp_server(tls_context=server_context(certificates), require_starttls=True, authenticator=auth,
                     auth_required=True, auth_require_tls=True) as (recorder, port):
        config = write_config(tmp_path, port, "starttls", user=USER, cafile=tmp_path / "test-ca.pem")
        proc = run("email", workbook, "--config", config, cwd=tmp_path, env={ENV_NAME: PASSWORD})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        _, msg = received(recorder)
    assert recorder.tls == [True], "the message was not sent over TLS"
    assert [login for _, login, _ in auth.seen] == [USER]
    assert PASSWORD not in proc.stdout + proc.stderr
    check_message(msg, facts, workbook)


def test_implicit_tls(workbook, tmp_path, certificates):
    shutil.copy(certificates["ca"], tmp_path / "test-ca.pem")
    with smtp_server(ssl_context=server_context(certificates)) as (recorder, port):
        config = write_config(tmp_path, port, "tls", cafile=tmp_path / "test-ca.pem")
        proc = run("email", workbook, "--config", config, cwd=tmp_path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        received(recorder)
    assert recorder.tls == [True]


def test_untrusted_certificate(workbook, tmp_path, certificates):
    """Without the test CA in cafile, the server's certificate is not trusted: a clear error."""
    auth = Authenticator()
    with smtp_server(tls_context=server_context(certificates), require_starttls=True, authenticator=auth,
                     auth_required=True) as (recorder, port):
        config = write_config(tmp_path, port, "starttls", user=USER)
        proc = run("email", workbook, "--config", config, cwd=tmp_path, env={ENV_NAME: PASSWORD})
        assert not recorder.envelopes and not auth.seen
    one_clear_error(proc, "TLS", "not trusted", "cafile")


def test_tls_against_a_plain_server(workbook, tmp_path):
    with smtp_server() as (recorder, port):
        config = write_config(tmp_path, port, "tls")
        proc = run("email", workbook, "--config", config, cwd=tmp_path)
        assert not recorder.envelopes
    one_clear_error(proc, "TLS", "security")


def test_starttls_not_offered(workbook, tmp_path):
    with smtp_server() as (recorder, port):
        config = write_config(tmp_path, port, "starttls")
        proc = run("email", workbook, "--config", config, cwd=tmp_path)
        assert not recorder.envelopes
    one_clear_error(proc, "does not offer STARTTLS")


# ----------------------------------------------------------------------------- settings and refusals

def test_missing_recipients(workbook, tmp_path):
    """No settings file in the folder and no --to."""
    proc = run("email", workbook, "--from", SENDER, cwd=tmp_path)
    one_clear_error(proc, "no recipients", "--to")


def test_missing_sender(workbook, tmp_path):
    proc = run("email", workbook, "--to", TO[0], "--dry-run", cwd=tmp_path)
    one_clear_error(proc, "no sender", "--from")


def test_not_an_address(workbook, tmp_path):
    proc = run("email", workbook, "--to", "director at example", "--from", SENDER, "--dry-run", cwd=tmp_path)
    one_clear_error(proc, "not an email address", "director at example")


def test_missing_host(workbook, tmp_path):
    proc = run("email", workbook, "--to", TO[0], "--from", SENDER, cwd=tmp_path)
    one_clear_error(proc, "no mail server", "host", "--dry-run")


@pytest.mark.parametrize("text, words", [
    ('[smtp]\nhots = "mail.example.org"\n', ["[smtp] hots", "unknown key"]),
    (f'[smtp]\npassword = "{PASSWORD}"\n', ["[smtp] password", "environment variable"]),
    ('[smtp]\nsecurity = "ssl"\n', ["security", "starttls"]),
    ('[smtp]\nport = "587"\n', ["port", "whole number"]),
    ("[message]\nto = director@example.org\n", ["not valid TOML"]),
    ('[mail]\nto = ["a@example.org"]\n', ["unknown table [mail]"]),
    ('[recipients]\nunit = "East Kent"\nto = ["a@example.org"]\n', ["[[recipients]]", "two pairs of brackets"]),
    ('[[recipients]]\nunit = "East Kent"\n', ["[[recipients]] 1 (East Kent) to", "missing"]),
    ('[[recipients]]\nunit = "East Kent"\nto = ["a@example.org"]\nbcc = ["b@example.org"]\n',
     ["[[recipients]] 1 (East Kent) bcc", "unknown key", "unit, to, cc"]),
    ('[[recipients]]\nunit = "East Kent"\nto = ["a at example"]\n',
     ["[[recipients]] 1 (East Kent) to", "'a at example' is not an email address"]),
    ('[[recipients]]\nunit = "East Kent"\nto = ["a@example.org"]\n'
     '[[recipients]]\nunit = "east kent"\nto = ["b@example.org"]\n', ["blocks 1 and 2", "'East Kent'", "one block"]),
])
def test_bad_settings_file(workbook, tmp_path, text, words):
    (tmp_path / "scorecard-xl.toml").write_text(text, encoding="utf-8")
    proc = run("email", workbook, "--to", TO[0], "--from", SENDER, "--dry-run", cwd=tmp_path)
    one_clear_error(proc, "scorecard-xl.toml", *words)
    assert not list(tmp_path.glob("*.eml")) and not list(workbook.parent.glob("*.eml"))


def test_missing_config_file_is_a_usage_error(workbook, tmp_path):
    proc = run("email", workbook, "--config", tmp_path / "nowhere.toml", "--dry-run", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "nowhere.toml" in proc.stderr and "Traceback" not in proc.stderr


def test_attachment_over_the_limit(workbook, tmp_path):
    config = write_config(tmp_path, free_port(), "none", extra_message="max_attachment_mb = 0.01\n")
    proc = run("email", workbook, "--config", config, "--eml", tmp_path / "out.eml", cwd=tmp_path)
    one_clear_error(proc, "MB", "max_attachment_mb", "--raw-data separate")
    assert not (tmp_path / "out.eml").exists()


def test_not_a_scorecard_workbook(mini_export, tmp_path):
    proc = run("email", mini_export, "--to", TO[0], "--from", SENDER, "--dry-run", cwd=tmp_path)
    one_clear_error(proc, "not a scorecard workbook")


def test_mail_options_need_email(mini_export, tmp_path):
    proc = run("generate", mini_export, "-o", tmp_path / "out.xlsx", "--to", TO[0], cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "--email" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out.xlsx").exists()


# ----------------------------------------------------------------------------- --dry-run and .eml

def test_dry_run_writes_eml_beside_the_workbook(workbook, facts, tmp_path):
    """The settings file in the current folder is read; --to and --cc replace its lists."""
    copy = tmp_path / "books" / workbook.name
    copy.parent.mkdir()
    shutil.copyfile(workbook, copy)
    write_config(tmp_path, free_port(), "starttls", user=USER)
    proc = run("email", copy, "--to", "a@example.org, b@example.org", "--cc", "c@example.org", "--dry-run",
               cwd=tmp_path, env={ENV_NAME: PASSWORD})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    eml = copy.with_suffix(".eml")
    assert eml.exists(), list(copy.parent.iterdir())
    raw = eml.read_bytes()
    assert PASSWORD.encode() not in raw and PASSWORD not in proc.stdout + proc.stderr
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["To"] == "a@example.org, b@example.org" and msg["Cc"] == "c@example.org"
    assert msg["Subject"] == "Scorecard for August 2016"
    check_message(msg, facts, workbook)
    assert "not sent" in proc.stdout


def test_eml_never_replaces_the_workbook(workbook, tmp_path):
    copy = tmp_path / workbook.name
    shutil.copyfile(workbook, copy)
    proc = run("email", copy, "--to", TO[0], "--from", SENDER, "--eml", copy, cwd=tmp_path)
    one_clear_error(proc, "would replace the workbook")
    assert copy.read_bytes() == workbook.read_bytes()


def test_generate_email_gives_the_same_message_as_email(mini_export, tmp_path):
    """`generate --email` (sent to the server) and `email` on the workbook (--eml): same bodies."""
    with smtp_server() as (recorder, port):
        config = write_config(tmp_path, port, "none")
        out = tmp_path / "scorecard-2016-08.xlsx"
        proc = run("generate", mini_export, "-o", out, "--produced", "2016-09-15", "--email", "--config", config,
                   cwd=tmp_path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        _, sent = received(recorder)
    proc = run("email", out, "--config", config, "--eml", tmp_path / "again.eml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    again = email.message_from_bytes((tmp_path / "again.eml").read_bytes(), policy=email.policy.default)
    assert bodies(sent) == bodies(again)
    assert attachment(sent).get_content() == attachment(again).get_content() == out.read_bytes()
    assert sent["Subject"] == again["Subject"]


def test_generate_email_checks_settings_before_working(mini_export, tmp_path):
    """No recipients: refused before the export is read, so no workbook is written."""
    out = tmp_path / "scorecard.xlsx"
    proc = run("generate", mini_export, "-o", out, "--email", "--from", SENDER, cwd=tmp_path)
    one_clear_error(proc, "no recipients")
    assert not out.exists()


# ----------------------------------------------------------------------------- the documented settings

def test_example_settings_file_is_complete_and_valid():
    from workbook_fixtures import kent_template

    from scorecard_xl.delivery.burst import recipients_by_unit
    from scorecard_xl.delivery.settings import MESSAGE_KEYS, RECIPIENT_KEYS, SMTP_KEYS, load_settings

    example = ROOT / "scorecard-xl.example.toml"
    data = tomllib.loads(example.read_text(encoding="utf-8"))
    assert set(data["smtp"]) == set(SMTP_KEYS), "the example sets every [smtp] key"
    assert set(data["message"]) == set(MESSAGE_KEYS), "the example sets every [message] key"
    assert {key for block in data["recipients"] for key in block} == set(RECIPIENT_KEYS), \
        "the example's [[recipients]] blocks use every key"
    settings = load_settings(example)
    assert settings.smtp.security in ("starttls", "tls", "none") and settings.message.to
    assert recipients_by_unit(load_settings(example, each=True), kent_template()), "the example's units are Kent's"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Delivering it")
    section = readme[start:readme.index("\n## ", start + 1)]
    for key in [*SMTP_KEYS, *MESSAGE_KEYS, *RECIPIENT_KEYS, "[[recipients]]", "{unit}", "--each", "--resend"]:
        assert f"`{key}`" in section or f"`{key} " in section, f"README's Delivering it section does not document {key}"


def test_help_lists_the_options_and_no_password_option():
    from typer.testing import CliRunner

    from scorecard_xl.cli import app

    for command in (["email", "--help"], ["generate", "--help"]):
        result = CliRunner().invoke(app, command, terminal_width=200, env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        for option in ("--to", "--cc", "--subject", "--from", "--config", "--dry-run", "--eml"):
            assert option in result.output, f"{command[0]} --help does not mention {option}"
        assert "--password" not in result.output
    result = CliRunner().invoke(app, ["--help"], terminal_width=200, env={"COLUMNS": "200"})
    assert "email" in result.output and "template" in result.output
