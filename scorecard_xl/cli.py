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


class _Command(typer.core.TyperCommand):
    """Help that names values as users type them, whatever typer's release: the usage line says
    `generate [OPTIONS] INPUT` (typer 0.29 writes {INPUT}), and an argument with a metavar shows that
    name alone, not a Python type beside it (<file>, <list[Path]>)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, typer.core.TyperArgument) and param.metavar:
                param.display_type_rich = lambda ctx: None  # typer 0.29's type column for arguments

    def collect_usage_pieces(self, ctx) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, typer.core.TyperArgument):
                name = param.metavar or param.name.upper()
                name = name if param.required else f"[{name}]"
                pieces.append(name + ("..." if param.nargs != 1 else ""))
        return pieces


class _Typer(typer.Typer):
    def command(self, *args, **kwargs):
        kwargs.setdefault("cls", _Command)
        return super().command(*args, **kwargs)


app = _Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: importing rich costs more than the rest of start-up
    no_args_is_help=True,
    help="Turn a month's case-management export into the performance scorecard workbook.",
)

InputPath = Annotated[Path, typer.Argument(
    metavar="INPUT", exists=True, dir_okay=False, readable=True, help="The month's export (.xlsx, .xlsm or .ods).")]
TemplateOption = Annotated[str, typer.Option(
    "--template", "-t", metavar="NAME|PATH", help="A bundled template's name or the path to a template YAML file.")]


def _month_option(value: Optional[str]) -> Optional[str]:
    from .months import reporting_month_text

    try:
        return None if value is None else reporting_month_text(value)
    except ValueError:
        raise typer.BadParameter("expected YYYY-MM, for example 2016-08") from None


MonthOption = Annotated[Optional[str], typer.Option(
    "--month", metavar="YYYY-MM", callback=_month_option,
    help="Reporting month as YYYY-MM (default: the latest in the export).")]


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
    help="A copy recipient; repeat it, or separate addresses with commas or semicolons. Replaces the settings "
    "file's cc.")]
SubjectOption = Annotated[Optional[str], typer.Option(
    "--subject", metavar="TEXT",
    help="The subject; {month} becomes e.g. August 2016, {title} the workbook's title and {unit} its unit.")]
FromOption = Annotated[Optional[str], typer.Option(
    "--from", metavar="ADDRESS", help="The sender. Replaces the settings file's from.")]
DryRunOption = Annotated[bool, typer.Option(
    "--dry-run", help="Write the message to an .eml file beside the workbook instead of sending it.")]
EmlOption = Annotated[Optional[Path], typer.Option(
    "--eml", metavar="PATH", dir_okay=False,
    help="Write the message to this .eml file instead of sending it (implies --dry-run).")]
ResendOption = Annotated[bool, typer.Option(
    "--resend", help="With --each: send every unit's workbook again, including those the send log says were "
    "sent or may have been sent.")]


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _template(template_name: str):
    """The template, or exit 1 saying what is wrong with it."""
    from .engine.template import TemplateError, load_template

    try:
        return load_template(template_name)
    except TemplateError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1) from None


def _report(exc, read: Path | str, consequence: str = "") -> None:
    """Print every problem of an InputError, then exit 1. read: the file read (or what, in words)."""
    for problem in exc.problems:
        _err(str(problem))
    _err(f"{read.name if isinstance(read, Path) else read}: {exc.error_count:,} error(s){consequence}.")
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


def _mail_setup(config: Optional[Path], to, cc, subject, sender, sending: bool, each_template=None):
    """Mail settings and (when sending) the password, checked before any work; exit 1 if unusable.

    each_template: for sending each unit's workbook to its [[recipients]] (--each), whose
    units are checked against this template's.
    """
    from .delivery.burst import recipients_by_unit
    from .delivery.settings import MailError, check_server, load_settings, password

    try:
        settings = load_settings(config, to=to, cc=cc, subject=subject, sender=sender,
                                 each=each_template is not None)
        if each_template is not None:
            recipients_by_unit(settings, each_template)
        secret = None
        if sending:
            check_server(settings)
            secret = password(settings)
    except MailError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1) from None
    return settings, secret


def _deliver(workbook: Path, settings, secret: Optional[str], eml: Optional[Path]) -> None:
    from .delivery.mailer import MailError, deliver

    try:
        typer.echo(deliver(workbook, settings, secret, eml, warn=_err))
    except MailError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1) from None


def _deliver_each(workbooks, settings, secret: Optional[str], template, dry_run: bool, resend: bool) -> None:
    """Each unit's workbook to its [[recipients]] (a folder, or the workbooks just written): each
    message as it goes, then the summary; exit 1 if any was not sent."""
    from .delivery.burst import burst
    from .delivery.settings import MailError

    try:
        report = burst(workbooks, settings, secret, template, dry_run=dry_run, resend=resend, warn=_err,
                       say=typer.echo)
    except MailError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1) from None
    typer.echo(report.summary())
    if not report.ok:
        _err(f"error: {report.problem()}")
        raise typer.Exit(1) from None


def _xlsx_name(value: Optional[Path]) -> Optional[Path]:
    if value is not None and value.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"the file name must end in .xlsx (got {value.name})")
    return value


@app.command()
def generate(
    input_path: InputPath,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", dir_okay=False, metavar="OUT.xlsx",
        help="The workbook to write (default: scorecard-YYYY-MM.xlsx).")] = None,
    month: MonthOption = None,
    template: TemplateOption = "kent_scs",
    raw_data: Annotated[RawData, typer.Option(
        "--raw-data", metavar="include|separate", help="include: raw tables in the workbook; separate: Results, "
        "SPC, Activity Data and Indicator Data in a companion OUT-data.xlsx, keeping the emailed workbook small.")
    ] = RawData.include,
    produced: Annotated[Optional[datetime], typer.Option(
        "--produced", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
        help="The date produced shown on Contents (default: SOURCE_DATE_EPOCH if set, else today).")] = None,
    pdf: Annotated[bool, typer.Option(
        "--pdf", help="Also print the presentation sheets to OUT.pdf beside the workbook (needs LibreOffice).")
    ] = False,
    unit: Annotated[Optional[str], typer.Option(
        "--unit", metavar="UNIT", help='Write that unit\'s own workbook (any unit of the template, e.g. "East Kent"): '
        "its scorecard, activity, exception reports and the raw data of its teams only.")] = None,
    each: Annotated[Optional[list[str]], typer.Option(
        "--each", metavar="LEVEL", help="Write one workbook per unit of this level of the organisation tree (e.g. "
        "Area or Team; repeat it for several; all for every unit), named scorecard-YYYY-MM-UNIT.xlsx.")] = None,
    out_dir: Annotated[Optional[Path], typer.Option(
        "--out-dir", metavar="DIR", file_okay=False,
        help="The folder for the workbooks of --each (default: the current folder).")] = None,
    email: Annotated[bool, typer.Option(
        "--email", help="Then email the workbook as `scorecard-xl email` does (settings from scorecard-xl.toml); "
        "with --each, each unit's workbook to its [[recipients]].")
    ] = False,
    config: ConfigOption = None,
    to: ToOption = None,
    cc: CcOption = None,
    subject: SubjectOption = None,
    sender: FromOption = None,
    dry_run: DryRunOption = False,
    eml: EmlOption = None,
    resend: ResendOption = False,
) -> None:
    """Calculate every figure and write the scorecard workbook (and its PDF, and email it)."""
    mail_options = {"--config": config, "--to": to, "--cc": cc, "--subject": subject, "--from": sender,
                    "--dry-run": dry_run or None, "--eml": eml, "--resend": resend or None}
    given = [name for name, value in mail_options.items() if value is not None]
    if given and not email:
        raise typer.BadParameter(f"{', '.join(given)} only apply with --email", param_hint="--email")
    per_unit = {"--to": to, "--cc": cc, "--eml": eml}
    if email and each and any(v is not None for v in per_unit.values()):
        wrong = ", ".join(k for k, v in per_unit.items() if v is not None)
        raise typer.BadParameter(f"with --each, each unit's workbook goes to its [[recipients]] in the settings "
                                 f"file: {wrong} do not apply", param_hint="--each")
    if resend and not each:
        raise typer.BadParameter("--resend is for --each (the send log)", param_hint="--resend")
    from .model import OptionError
    from .pipeline import plan_run

    try:  # every option of the run, checked by the Python API, once
        plan = plan_run(_template(template), output, month=month, raw_data=raw_data.value, pdf=pdf, unit=unit,
                        each=each, out_dir=out_dir)
    except OptionError as exc:
        raise typer.BadParameter(str(exc), param_hint=exc.option) from None
    tmpl = plan.template
    if email:  # settings and password first: a mistake there should not cost a whole run
        settings, secret = _mail_setup(config, to, cc, subject, sender, sending=not (dry_run or eml),
                                       each_template=tmpl if each else None)

    from .delivery.pdf import PdfError
    from .files import WriteError
    from .model import InputError
    from .pipeline import run
    from .progress import Stages

    try:
        with Stages() as stages:
            result = run(plan, input_path, produced=produced.date() if produced else None, stages=stages)
    except InputError as exc:
        _report(exc, input_path, "; nothing was written")
    except WriteError as exc:
        _err(f"error: {exc.strerror}")
        raise typer.Exit(1) from None
    except PdfError as exc:
        _err(f"error: {exc}. Nothing was written.")
        raise typer.Exit(1) from None
    for problem in result.warnings:
        _err(str(problem))
    for note in result.notes:
        _err(f"note: {note}")
    for book in result.books:
        counts = book.rag_counts
        whose = "" if book.unit == tmpl.organisation_tree.name and not (unit or each) else f" {book.unit},"
        typer.echo(f"Wrote {book.workbook} for{whose} {result.month:%b %Y}: "
                   f"{counts['G']} Green, {counts['A']} Amber, {counts['R']} Red.")
        if book.companion:
            typer.echo(f"Wrote {book.companion}: the raw data tables.")
        if book.pdf:
            typer.echo(f"Wrote {book.pdf}: the presentation sheets, for printing.")
    if len(result.books) > 1:
        typer.echo(f"{len(result.books)} workbooks ({len(result.paths)} files), written together.")
    if email and each:
        _deliver_each([book.workbook for book in result.books], settings, secret, tmpl, dry_run, resend)
    elif email:
        out = result.workbook
        _deliver(out, settings, secret, eml or (out.with_suffix(".eml") if dry_run else None))


def _annex_a_files(given: list[Path]) -> list[Path]:
    """The files named: a folder gives its workbooks (.xlsx, .xlsm, .ods), a pattern (* or ?) its
    matches, in name order. Excel's lock files (~$name.xlsx, there while a workbook is open) are left out."""
    import glob

    found: list[Path] = []
    for item in given:
        if item.is_dir():
            matches = sorted(p for p in item.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm", ".ods"))
        elif not item.exists() and any(ch in str(item) for ch in "*?["):
            matches = sorted(Path(m) for m in glob.glob(str(item)))
        else:
            matches = [item]
        matches = [m for m in matches if not m.name.startswith("~$")]
        if not matches:
            raise typer.BadParameter(f"no workbook (.xlsx, .xlsm, .ods) in {item}" if item.is_dir()
                                     else f"no file matches {item}",
                                     param_hint="FILE")
        for path in matches:
            if not path.is_file():
                raise typer.BadParameter(f"file {str(path)!r} does not exist", param_hint="FILE")
        found += [m for m in matches if m not in found]
    return found


@app.command("annex-a", help=(
    "Compute the monthly export from Ofsted Annex A workbooks (Lists 3, 4, 6, 7 and 8; 9 and 10 if present): "
    "the Activity measures and the indicators the template maps to an Annex A rule, per team, month and UASC "
    "status, for every month the files cover.\n\n"
    "Each file's report date comes from its name (annex-a-2016-08-31.xlsx) or from --report-date, one per file in "
    "order. With --into, the months and rows computed replace those of an existing export and everything else "
    "(other indicators, PF Cases, older months, commentary) is kept; with -o, a new export is written. Then run "
    "`scorecard-xl generate` on it."))
def annex_a(
    files: Annotated[list[Path], typer.Argument(
        metavar="FILE", help="Annex A workbooks (.xlsx, .xlsm or .ods), one per report date; a folder (its workbooks) "
        "or a "
        "pattern such as annex-a/annex-a-*.xlsx (expanded here too, for Windows shells that do not).")],
    into: Annotated[Optional[Path], typer.Option(
        "--into", metavar="EXPORT.xlsx", exists=True, dir_okay=False, readable=True,
        help="An existing export to add the computed months and rows to (rewritten in place).")] = None,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", dir_okay=False, callback=_xlsx_name, metavar="OUT.xlsx",
        help="Write a new export here instead.")] = None,
    report_date: Annotated[Optional[list[datetime]], typer.Option(
        "--report-date", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
        help="A file's report date, once per file in the files' order (default: the date in each file's name).")
    ] = None,
    teams: Annotated[Optional[Path], typer.Option(
        "--teams", metavar="TEAMS.csv", exists=True, dir_okay=False, readable=True,
        help="Extra Allocated Team mappings: a CSV with the columns Allocated Team and Unit.")] = None,
    template: TemplateOption = "kent_scs",
) -> None:
    if (into is None) == (output is None):
        raise typer.BadParameter("give either --into EXPORT.xlsx (add to an existing export) or -o OUT.xlsx "
                                 "(write a new one)", param_hint="--into")
    files = _annex_a_files(files)
    tmpl = _template(template)

    from .annex_a.convert import convert
    from .files import WriteError
    from .model import InputError, problem_count
    from .progress import Stages

    target = into or output
    try:
        with Stages() as stages:
            result = convert(files, tmpl, target, into=into is not None, teams_csv=teams, stages=stages,
                             dates=[d.date() for d in report_date] if report_date else None)
    except InputError as exc:
        _report(exc, f"{len(files)} Annex A file(s)" + (f" and {into.name}" if into else ""), "; nothing was written")
    except WriteError as exc:
        _err(f"error: {exc.strerror}")
        raise typer.Exit(1) from None
    for problem in result.warnings:
        _err(str(problem))
    for line in result.summary:
        typer.echo(line)
    typer.echo(f"Wrote {target} from {len(files)} Annex A file(s), {problem_count(result.warnings):,} note(s) "
               "(in its Notes sheet).")


@app.command("email", help=(
    "Email a scorecard workbook as an attachment, with the month's RAG counts and Red indicators; or, with "
    "--each DIR, each unit's workbook in DIR to that unit's [[recipients]] in the settings file, one message per "
    "unit, recorded in DIR/scorecard-xl-sent.json so that running it again sends only what was not sent.\n\n"
    "SMTP settings come from scorecard-xl.toml (or --config). The password comes from the environment variable "
    "the settings name (default SCORECARD_XL_SMTP_PASSWORD), or from a hidden prompt when run in a terminal; "
    "it is never an option."))
def email_workbook(
    workbook: Annotated[Optional[Path], typer.Argument(
        metavar="WORKBOOK", exists=True, dir_okay=False, readable=True,
        help="A scorecard workbook written by generate (or give --each DIR).")] = None,
    each: Annotated[Optional[Path], typer.Option(
        "--each", metavar="DIR", exists=True, file_okay=False,
        help="Send each unit's workbook in DIR to the unit's [[recipients]] (units' workbooks from generate --each).")
    ] = None,
    template: Annotated[Optional[str], typer.Option(
        "--template", "-t", metavar="NAME|PATH", help="With --each: the template the workbooks were made with, whose "
        "units the "
        "[[recipients]] name (a bundled template's name or a YAML file; default kent_scs).")] = None,
    resend: ResendOption = False,
    to: ToOption = None,
    cc: CcOption = None,
    subject: SubjectOption = None,
    sender: FromOption = None,
    config: ConfigOption = None,
    dry_run: DryRunOption = False,
    eml: EmlOption = None,
) -> None:
    """Email a scorecard workbook (the help text is above, in one paragraph per line)."""
    if (workbook is None) == (each is None):
        raise typer.BadParameter("give a WORKBOOK, or --each DIR for every unit's workbook in DIR",
                                 param_hint="WORKBOOK")
    if each is None:
        given = [name for name, value in (("--template", template), ("--resend", resend or None)) if value is not None]
        if given:
            raise typer.BadParameter(f"{', '.join(given)} only apply with --each", param_hint="--each")
        settings, secret = _mail_setup(config, to, cc, subject, sender, sending=not (dry_run or eml))
        _deliver(workbook, settings, secret, eml or (workbook.with_suffix(".eml") if dry_run else None))
        return
    given = [name for name, value in (("--to", to), ("--cc", cc), ("--eml", eml)) if value is not None]
    if given:
        raise typer.BadParameter(
            f"{', '.join(given)} do not apply with --each: each unit's recipients are its [[recipients]] block in "
            "the settings file, and --dry-run writes one .eml beside each workbook", param_hint="--each")
    tmpl = _template(template or "kent_scs")
    settings, secret = _mail_setup(config, None, None, subject, sender, sending=not dry_run, each_template=tmpl)
    _deliver_each(each, settings, secret, tmpl, dry_run, resend)


@app.command("template")
def blank_template(
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", dir_okay=False, callback=_xlsx_name, metavar="OUT.xlsx",
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
        raise typer.Exit(1) from None
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


class Interrupted(Stopped):
    """Ctrl+C in the command's own process. Raised instead of KeyboardInterrupt because typer and
    click catch that one, and what they make of it differs between their releases (click prints
    "Aborted!" and exits 1; typer 0.29 exits 130 without a word)."""


INTERRUPTED = "interrupted: files not reported as written above are as they were."


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
        if _from_ctrl_c(exc):  # Ctrl+C in a process that is not the command's own (a notebook)
            _err(INTERRUPTED)
            code = 130
    except KeyboardInterrupt:
        _err(INTERRUPTED)
        code = 130
    except Interrupted:
        _err(INTERRUPTED)
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


def _from_ctrl_c(exc: BaseException) -> bool:
    """Whether a SystemExit is typer's or click's answer to a KeyboardInterrupt."""
    seen = exc.__cause__ or exc.__context__
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


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
        raise Interrupted(signum) if signum == signal.SIGINT else Stopped(signum)

    signals = [getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK") if hasattr(signal, name)]
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
