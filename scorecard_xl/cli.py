"""The command line: validate paths and options, then delegate to plain functions.

Heavy libraries (pandas, XlsxWriter) are imported inside the commands so that
`scorecard-xl --help` answers at once.
"""

from __future__ import annotations

import sys
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: importing rich costs more than the rest of start-up
    no_args_is_help=True,
    help="Turn a month's case-management export into the performance scorecard workbook.",
)

InputPath = Annotated[Path, typer.Argument(
    metavar="INPUT", exists=True, dir_okay=False, readable=True, help="The month's export (.xlsx, .xlsm or .ods).")]
TemplateOption = Annotated[str, typer.Option(
    "--template", "-t", help="A bundled template's name or the path to a template YAML file.")]


def _month_option(value: Optional[str]) -> Optional[str]:
    from .months import reporting_month_text

    try:
        return None if value is None else reporting_month_text(value)
    except ValueError:
        raise typer.BadParameter("expected YYYY-MM, for example 2016-08") from None


MonthOption = Annotated[Optional[str], typer.Option(
    "--month", callback=_month_option, help="Reporting month as YYYY-MM (default: the latest in the export).")]


def _show_version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"scorecard-xl {__version__}")
        raise typer.Exit()


@app.callback()
def _options(version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True, help="Show the version and exit.")] = False) -> None:
    """Turn a month's case-management export into the performance scorecard workbook."""


class RawData(str, Enum):
    include = "include"
    separate = "separate"


# Delivery options, shared by `email` and `generate --email`. There is deliberately no
# password option: the password comes from an environment variable or a hidden prompt.
ConfigOption = Annotated[Optional[Path], typer.Option(
    "--config", metavar="PATH", exists=True, dir_okay=False, readable=True,
    help="The settings file (default: scorecard-xl.toml in the current folder, if there is one).")]
ToOption = Annotated[Optional[list[str]], typer.Option(
    "--to", metavar="ADDRESS",
    help="A recipient; repeat it, or separate addresses with commas or semicolons. Replaces the settings file's to.")]
CcOption = Annotated[Optional[list[str]], typer.Option(
    "--cc", metavar="ADDRESS",
    help="A copy recipient; repeat it, or separate addresses with commas or semicolons. Replaces the settings file's cc.")]
SubjectOption = Annotated[Optional[str], typer.Option(
    "--subject", metavar="TEXT",
    help="The subject; {month} becomes e.g. August 2016 and {title} the workbook's title.")]
FromOption = Annotated[Optional[str], typer.Option(
    "--from", metavar="ADDRESS", help="The sender. Replaces the settings file's from.")]
DryRunOption = Annotated[bool, typer.Option(
    "--dry-run", help="Write the message to an .eml file beside the workbook instead of sending it.")]
EmlOption = Annotated[Optional[Path], typer.Option(
    "--eml", metavar="PATH", dir_okay=False,
    help="Write the message to this .eml file instead of sending it (implies --dry-run).")]


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _template(template_name: str):
    """The template, or exit 1 saying what is wrong with it."""
    from .engine.template import TemplateError, load_template

    try:
        return load_template(template_name)
    except TemplateError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1)


def _report(exc, input_path: Path, consequence: str = "") -> None:
    """Print every problem of an InputError, then exit 1."""
    for problem in exc.problems:
        _err(str(problem))
    _err(f"{input_path.name}: {exc.error_count:,} error(s){consequence}.")
    raise typer.Exit(1)


@app.command()
def validate(input_path: InputPath, month: MonthOption = None, template: TemplateOption = "kent_scs") -> None:
    """Read and check an export, and calculate it without writing: every problem with its sheet, row and
    column, and the same warnings generate gives."""
    from .model import InputError, problem_count
    from .pipeline import validate as validate_export
    from .progress import Stages

    tmpl = _template(template)
    try:
        with Stages() as stages:
            checked = validate_export(input_path, template=tmpl, month=month, stages=stages)
    except InputError as exc:
        _report(exc, input_path)
    for problem in checked.warnings:
        _err(str(problem))
    counts = ", ".join(f"{sheet} {n:,} rows" for sheet, n in checked.rows_read.items())
    typer.echo(f"{input_path.name}: no errors, {problem_count(checked.warnings):,} warning(s) for "
               f"{checked.month:%b %Y}; read {counts}.")


def _mail_setup(config: Optional[Path], to, cc, subject, sender, sending: bool):
    """Mail settings and (when sending) the password, checked before any work; exit 1 if unusable."""
    from .delivery.mailer import MailError, check_server, load_settings, password

    try:
        settings = load_settings(config, to=to, cc=cc, subject=subject, sender=sender)
        secret = None
        if sending:
            check_server(settings)
            secret = password(settings)
    except MailError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1)
    return settings, secret


def _deliver(workbook: Path, settings, secret: Optional[str], eml: Optional[Path]) -> None:
    from .delivery.mailer import MailError, deliver

    try:
        typer.echo(deliver(workbook, settings, secret, eml, warn=_err))
    except MailError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1)


def _xlsx_name(value: Optional[Path]) -> Optional[Path]:
    if value is not None and value.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"the file name must end in .xlsx (got {value.name})")
    return value


@app.command()
def generate(
    input_path: InputPath,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", dir_okay=False, callback=_xlsx_name, metavar="OUT.xlsx",
        help="The workbook to write (default: scorecard-YYYY-MM.xlsx).")] = None,
    month: MonthOption = None,
    template: TemplateOption = "kent_scs",
    raw_data: Annotated[RawData, typer.Option(
        "--raw-data", help="include: raw tables in the workbook; separate: Results, Activity Data and "
        "Indicator Data in a companion OUT-data.xlsx, keeping the emailed workbook small.")] = RawData.include,
    produced: Annotated[Optional[datetime], typer.Option(
        "--produced", formats=["%Y-%m-%d"],
        help="The date produced shown on Contents (default: SOURCE_DATE_EPOCH if set, else today).")] = None,
    pdf: Annotated[bool, typer.Option(
        "--pdf", help="Also print the presentation sheets to OUT.pdf beside the workbook (needs LibreOffice).")
    ] = False,
    email: Annotated[bool, typer.Option(
        "--email", help="Then email the workbook as `scorecard-xl email` does (settings from scorecard-xl.toml).")
    ] = False,
    config: ConfigOption = None,
    to: ToOption = None,
    cc: CcOption = None,
    subject: SubjectOption = None,
    sender: FromOption = None,
    dry_run: DryRunOption = False,
    eml: EmlOption = None,
) -> None:
    """Calculate every figure and write the scorecard workbook (and its PDF, and email it)."""
    mail_options = {"--config": config, "--to": to, "--cc": cc, "--subject": subject, "--from": sender,
                    "--dry-run": dry_run or None, "--eml": eml}
    given = [name for name, value in mail_options.items() if value is not None]
    if given and not email:
        raise typer.BadParameter(f"{', '.join(given)} only apply with --email", param_hint="--email")
    if email:  # settings and password first: a mistake there should not cost a whole run
        settings, secret = _mail_setup(config, to, cc, subject, sender, sending=not (dry_run or eml))

    from .delivery.pdf import PdfError
    from .files import WriteError
    from .model import InputError
    from .pipeline import generate as generate_workbook
    from .progress import Stages

    tmpl = _template(template)
    try:
        with Stages() as stages:
            result = generate_workbook(input_path, output, template=tmpl, month=month, raw_data=raw_data.value,
                                       produced=produced.date() if produced else None, pdf=pdf, stages=stages)
    except InputError as exc:
        _report(exc, input_path, "; nothing was written")
    except WriteError as exc:
        _err(f"error: {exc.strerror}")
        raise typer.Exit(1)
    except PdfError as exc:
        _err(f"error: {exc}. Nothing was written.")
        raise typer.Exit(1)
    for problem in result.warnings:
        _err(str(problem))
    for note in result.notes:
        _err(f"note: {note}")
    counts = result.rag_counts
    typer.echo(f"Wrote {result.workbook} for {result.month:%b %Y}: "
               f"{counts['G']} Green, {counts['A']} Amber, {counts['R']} Red.")
    if result.companion:
        typer.echo(f"Wrote {result.companion}: the raw data tables.")
    if result.pdf:
        typer.echo(f"Wrote {result.pdf}: the presentation sheets, for printing.")
    if email:
        out = result.workbook
        _deliver(out, settings, secret, eml or (out.with_suffix(".eml") if dry_run else None))


@app.command("email", help=(
    "Email a scorecard workbook as an attachment, with the month's RAG counts and Red indicators.\n\n"
    "SMTP settings come from scorecard-xl.toml (or --config). The password comes from the environment variable "
    "the settings name (default SCORECARD_XL_SMTP_PASSWORD), or from a hidden prompt when run in a terminal; "
    "it is never an option."))
def email_workbook(
    workbook: Annotated[Path, typer.Argument(
        metavar="WORKBOOK", exists=True, dir_okay=False, readable=True,
        help="A scorecard workbook written by generate.")],
    to: ToOption = None,
    cc: CcOption = None,
    subject: SubjectOption = None,
    sender: FromOption = None,
    config: ConfigOption = None,
    dry_run: DryRunOption = False,
    eml: EmlOption = None,
) -> None:
    """Email a scorecard workbook (the help text is above, in one paragraph per line)."""
    settings, secret = _mail_setup(config, to, cc, subject, sender, sending=not (dry_run or eml))
    _deliver(workbook, settings, secret, eml or (workbook.with_suffix(".eml") if dry_run else None))


@app.command("template")
def blank_template(
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", dir_okay=False, callback=_xlsx_name,
        help="The workbook to write (default: TEMPLATE-input.xlsx, e.g. kent_scs-input.xlsx).")] = None,
    template: TemplateOption = "kent_scs",
    force: Annotated[bool, typer.Option("--force", help="Replace the output file if it exists.")] = False,
) -> None:
    """Write an empty input workbook for a template: headers, drop-down lists, checks and instructions."""
    from .files import WriteError
    from .workbook.blank import write_blank

    tmpl = _template(template)
    out = output or Path(f"{tmpl.name}-input.xlsx")
    if out.exists() and not force:
        _err(f"error: {out} already exists; it may hold an analyst's work. Choose another name, or add --force "
             "to replace it.")
        raise typer.Exit(1)
    try:
        write_blank(tmpl, out, template)
    except WriteError as exc:
        _err(f"error: {exc.strerror}")
        raise typer.Exit(1)
    typer.echo(f"Wrote {out}: an empty input workbook for the template {tmpl.name} "
               f"({len(tmpl.indicators)} indicators, {len(tmpl.units)} units). Fill it in, then run "
               f"`scorecard-xl validate {out.name}`" + (f" --template {template}" if template != "kent_scs" else "")
               + ".")


@app.command("templates")
def list_templates() -> None:
    """List the bundled templates."""
    from .engine.template import available_templates

    for name in available_templates():
        typer.echo(name)


class Stopped(BaseException):
    """A stop signal (SIGTERM, SIGHUP, Ctrl+Break), raised where the program is so that
    temporary files are removed on the way out, as for Ctrl+C."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def main(args: list[str] | None = None) -> int:
    """Run the command line in this process and return its exit code.

    Unexpected failures are reported in one line, not a traceback. Safe to call from
    Python (a test, a notebook): it never ends the process.
    """
    import os

    try:
        app(args=args, prog_name="scorecard-xl")
        code = 0
    except SystemExit as exc:  # how click ends every run, successful or not
        code = exc.code
    except KeyboardInterrupt:
        _err("interrupted: files not reported as written above are as they were.")
        code = 130
    except Stopped as exc:
        _err(f"stopped by signal {exc.signum}: files not reported as written above are as they were.")
        code = 128 + exc.signum
    except Exception as exc:  # a bug, not bad input: say so plainly
        if os.environ.get("SCORECARD_XL_DEBUG"):
            raise
        _err(f"internal error: {type(exc).__name__}: {exc}. Nothing was written. "
             "Set SCORECARD_XL_DEBUG=1 to see the details, and please report it.")
        code = 1
    if code is None:
        return 0
    if not isinstance(code, int):  # sys.exit("message"): print it, exit 1, as Python would
        _err(str(code))
        return 1
    return code


def console_main() -> None:  # pragma: no cover - the console script's own process
    """The scorecard-xl command and `python -m scorecard_xl`: this process is the command's own."""
    _tolerant_output()
    _stop_on_signals()
    _exit_now(main())


def _tolerant_output() -> None:
    """Never fail on a character the console cannot show (a Windows console or a redirected
    file in a legacy code page, a team name with an accent): show a replacement instead."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError):
            pass


def _stop_on_signals() -> None:
    """Turn the stop signals into an exception, so a stopped run cleans up after itself."""
    import signal

    def stop(signum, frame) -> None:
        for sig in signals:  # a second signal must not interrupt the clean-up
            signal.signal(sig, signal.SIG_IGN)
        raise Stopped(signum)

    signals = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGBREAK") if hasattr(signal, name)]
    for sig in signals:
        try:
            signal.signal(sig, stop)
        except (OSError, ValueError):  # not allowed here (e.g. not the main thread)
            pass


def _exit_now(code: int) -> None:  # pragma: no cover - ends the process
    """Exit without tearing the interpreter down.

    Only for the command's own process (console_main). By now every file is written,
    closed and renamed into place, and the progress display is stopped. What Python's
    normal exit would still do is free pandas', numpy's and pydantic's objects one by
    one: about 0.2 s of a run, spent after the work is done. So flush the two streams
    and leave, as mypy does (util.hard_exit).
    """
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can reach it
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    console_main()
