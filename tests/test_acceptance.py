"""Acceptance test: the sample export reproduces the published August 2016 scorecard.

The sample (samples/kent_liberi_export_2016-08.xlsx) is run once through the
engine (read_export -> calculate) and every figure the published Kent SCS
scorecard shows is compared with the computed one: the activity table cell by
cell, every column of the 45 county indicator rows, the RAG counts, every row of
the "Impact of UASC" sheet and the three exception reports.

Each area collects ALL its differences before failing, so one run lists every
mismatch (they are printed, and repeated in the assertion message).

Published values are compared as a spreadsheet displays a computed value at the
published precision (see reference_scorecard.matches): "22.3%" accepts anything
that shows as 22.3%, "12.97%" is checked to two decimals.

Two contradictions inside the published document are handled explicitly, each
asserted precisely (not skipped); see `PLACEMENTS_INDICATOR` and `EAST_KENT_TEAMS`.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from reference_scorecard import (
    EAST_KENT_TEAMS,
    RAG_WORDS,
    Reference,
    display_like,
    exact_value,
    is_missing,
    load_reference,
    matches,
)

from scorecard_xl.engine.calculator import calculate
from scorecard_xl.engine.template import load_template
from scorecard_xl.reading.reader import read_export

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE = REPO_ROOT / "samples" / "kent_liberi_export_2016-08.xlsx"
TEMPLATE = "kent_scs"
COUNTY = "Kent"
ALL, EXCL = "All", "Excluding UASC"

# Known contradiction (a). The 3+ placements exception report's trend shows
# "13.0%" as the Target for every month, while the scorecard row (indicator 17)
# says the 16/17 target is 10.0% and the report's own data notes say "Target: 10%
# (RAG Bandings: 13% and above = Red, ...)": the trend's "Target" row evidently
# shows the Red threshold. The template keeps 10% as the target and 13% as the
# red threshold, so for this one trend the computed Target must equal the
# scorecard's target and the published 13.0% must equal the template's red
# threshold for that month.
PLACEMENTS_INDICATOR = "17"

# Known contradiction (b). The activity table's "East Kent" PF Cases row reads
# 3, 3, 0, but its teams show 7 (Canterbury 1, Swale 2, Thanet Margate 0, Thanet
# Ramsgate 4) this month and 8 last month. Every other measure places these teams
# in East Kent, and the published Kent total (25 / 24) equals the sum of all
# teams' PF cases, which needs East Kent = 7 / 8. The sample follows the
# organisation tree, so the engine's East Kent PF cells must be the sum of these
# team rows as published (computed from the parsed rows, not typed here); every
# other cell must be exactly as published.
EAST_KENT = "East Kent"
PF_PREFIX = "PF Cases - "


# --------------------------------------------------------------------------- #
# Fixtures: the engine runs once for the module
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def ref() -> Reference:
    return load_reference()


@pytest.fixture(scope="module")
def template():
    return load_template(TEMPLATE)


@pytest.fixture(scope="module")
def scorecard(template):
    if not SAMPLE.is_file():
        pytest.fail(f"sample export not found: {SAMPLE}", pytrace=False)
    export = read_export(SAMPLE, template)
    return calculate(export, template)


@pytest.fixture(scope="module")
def month(ref) -> pd.Timestamp:
    """The published reporting month, as the engine's first-of-month Timestamp."""
    return pd.Timestamp(dt.datetime.strptime(ref.scorecard.month, "%b %Y"))


# --------------------------------------------------------------------------- #
# Collecting differences
# --------------------------------------------------------------------------- #


def _show(value: object) -> str:
    if is_missing(value):
        return "<missing>"
    return repr(value.item() if hasattr(value, "item") else value)  # np.float64(0.5) -> 0.5


class Differences(list):
    """Mismatch messages for one area of the scorecard."""

    def figure(self, where: str, computed: object, published: str | None, signed: bool = False) -> None:
        """A number shown as `published`; "-", "" or None means no figure (computed must be missing)."""
        if published in (None, "", "-"):
            if not is_missing(computed):
                self.append(f"{where}: published no figure, computed {_show(computed)}")
        elif not matches(computed, published, signed=signed):
            shown = display_like(computed, published, signed=signed)
            self.append(f"{where}: published {published!r}, computed {shown!r} ({_show(computed)})")

    def same(self, where: str, computed: object, published: object, source: str = "published") -> None:
        """Text/letter/int equality; published None means the computed value must be missing."""
        if published is None:
            if not is_missing(computed):
                self.append(f"{where}: {source} nothing, computed {_show(computed)}")
        elif is_missing(computed) or computed != published:
            self.append(f"{where}: {source} {published!r}, computed {_show(computed)}")

    def numerator(self, where: str, row: pd.Series, published: str) -> None:
        """The Num column. A count indicator shows "-" there; the engine's Results
        table documents only its Denominator as NaN for counts, and may carry the
        count itself as the numerator (a count is n / 1). So for "-" the computed
        Numerator must be missing or exactly the computed Result -- never another
        number."""
        computed = row["Numerator"]
        if published == "-" and not is_missing(computed):
            if is_missing(row["Result"]) or computed != row["Result"]:
                self.append(
                    f"{where}: published no figure, computed {_show(computed)} "
                    f"(neither missing nor the count itself, {_show(row['Result'])})"
                )
            return
        self.figure(where, computed, published)

    def check(self, area: str) -> None:
        for line in self:
            print(line)
        assert not self, f"{len(self)} difference(s) in {area}:\n" + "\n".join(self)


def _one_row(frame: pd.DataFrame, diffs: Differences, where: str) -> pd.Series | None:
    if len(frame) != 1:
        diffs.append(f"{where}: expected exactly one computed row, found {len(frame)}")
        return None
    return frame.iloc[0]


def _results_row(scorecard, month, indicator: str, unit: str, cohort: str, diffs: Differences, where: str):
    r = scorecard.results
    rows = r[(r["Month"] == month) & (r["Indicator"] == indicator) & (r["Unit"] == unit) & (r["Cohort"] == cohort)]
    return _one_row(rows, diffs, where)


def _blank_to_none(text: str) -> str | None:
    return text or None


def _normalise_space(text: object) -> str | None:
    return None if is_missing(text) else " ".join(str(text).split())


# --------------------------------------------------------------------------- #
# The reporting month
# --------------------------------------------------------------------------- #


def test_reporting_month(scorecard, month):
    diffs = Differences()
    diffs.same("reporting month", pd.Timestamp(scorecard.month), month)
    diffs.check("the reporting month")


# --------------------------------------------------------------------------- #
# SCS Activity
# --------------------------------------------------------------------------- #


def test_activity_table(ref, scorecard):
    published = ref.activity
    computed = scorecard.activity
    diffs = Differences()

    expected_columns = ["Unit"] + published.headers
    if list(computed.columns) != expected_columns:
        diffs.append(f"activity columns: published {expected_columns}, computed {list(computed.columns)}")
    if list(computed["Unit"]) != list(published.rows):
        diffs.append(f"activity units/order: published {list(published.rows)}, computed {list(computed['Unit'])}")

    by_unit = computed.set_index("Unit")
    for unit, values in published.rows.items():
        if unit not in by_unit.index:
            diffs.append(f"activity {unit!r}: no computed row")
            continue
        for header, value in zip(published.headers, values, strict=False):
            where = f"activity {unit!r} / {header!r}"
            if header not in by_unit.columns:
                diffs.append(f"{where}: no computed column")
                continue
            if unit == EAST_KENT and header.startswith(PF_PREFIX):
                # Contradiction (b): the sum of the East Kent team rows as published.
                team_sum = sum(published.value(team, header) for team in EAST_KENT_TEAMS)
                source = f"published {value}, but its teams' published rows sum to"
                diffs.same(where, by_unit.at[unit, header], team_sum, source=source)
            else:
                diffs.same(where, by_unit.at[unit, header], value)
    diffs.check("the activity table")


# --------------------------------------------------------------------------- #
# Scorecard - Kent
# --------------------------------------------------------------------------- #


def test_scorecard_county_rows(ref, scorecard, template, month):
    diffs = Differences()
    results = scorecard.results
    county = results[(results["Month"] == month) & (results["Unit"] == COUNTY) & (results["Cohort"] == ALL)]
    published_ids = [row.id for row in ref.scorecard.indicators]
    extra = sorted(set(county["Indicator"]) - set(published_ids), key=str)
    if extra:
        diffs.append(f"scorecard: computed county indicators not published: {extra}")

    for pub in ref.scorecard.indicators:
        label = f"scorecard {pub.id} ({pub.title[:40]})"
        # The template's definition of the indicator, as the document prints it.
        try:
            ind = template.indicator(pub.id)
            diffs.same(f"{label} template polarity", ind.polarity, pub.polarity)
            diffs.same(f"{label} template data period", ind.period, pub.period)
        except KeyError:
            diffs.append(f"{label}: not in the template")

        row = _one_row(county[county["Indicator"] == pub.id], diffs, label)
        if row is None:
            continue
        diffs.same(f"{label} Indicator Name", row["Indicator Name"], pub.title)
        diffs.same(f"{label} Section", row["Section"], pub.section)
        diffs.figure(f"{label} Result", row["Result"], pub.result)
        diffs.same(f"{label} RAG", row["RAG"], pub.rag)
        diffs.numerator(f"{label} Numerator", row, pub.numerator)
        diffs.figure(f"{label} Denominator", row["Denominator"], pub.denominator)
        diffs.figure(f"{label} Target", row["Target"], pub.target)
        diffs.figure(f"{label} Result 1 Month Ago", row["Result 1 Month Ago"], pub.month_ago)
        diffs.same(f"{label} DoT 1 Month", row["DoT 1 Month"], pub.month_ago_dot)
        # A blank 1-year-ago cell: the indicator has no result a year earlier.
        diffs.figure(f"{label} Result 1 Year Ago", row["Result 1 Year Ago"], pub.year_ago)
        diffs.same(f"{label} DoT 1 Year", row["DoT 1 Year"], _blank_to_none(pub.year_ago_dot))
        # "- -": no rolling 3-month figure (snapshot indicators).
        diffs.figure(f"{label} Rolling 3 Months", row["Rolling 3 Months"], pub.rolling3)
        diffs.same(f"{label} Rolling 3 Months RAG", row["Rolling 3 Months RAG"], pub.rolling3_rag)
    diffs.check("the county scorecard")


def test_rag_counts(ref, scorecard):
    diffs = Differences()
    computed = {letter: scorecard.rag_counts.get(letter) for letter in ref.rag_counts}
    for letter, count in ref.rag_counts.items():
        diffs.same(f"RAG count {letter}", computed[letter], count)
    unexpected = set(scorecard.rag_counts) - set(ref.rag_counts)
    if unexpected:
        diffs.append(f"RAG counts: unexpected keys {sorted(unexpected)}")
    diffs.check("the RAG counts")


# --------------------------------------------------------------------------- #
# Scorecard - Impact of UASC
# --------------------------------------------------------------------------- #


def test_uasc_impact(ref, scorecard, month):
    diffs = Differences()
    for section in ref.uasc:
        unit = section.unit  # "CHILDREN IN CARE - NORTH KENT AREA" -> "North Kent"
        for pub in section.rows:
            indicator = ref.scorecard.by_title(pub.title).id  # the UASC titles are the scorecard's
            label = f"UASC {section.title} / {indicator} ({pub.title[:40]})"
            all_row = _results_row(scorecard, month, indicator, unit, ALL, diffs, f"{label} [All]")
            excl_row = _results_row(scorecard, month, indicator, unit, EXCL, diffs, f"{label} [Excl UASC]")
            if all_row is not None:
                diffs.figure(f"{label} All Result", all_row["Result"], pub.all_result)
                diffs.same(f"{label} All RAG", all_row["RAG"], pub.all_rag)
                diffs.numerator(f"{label} All Numerator", all_row, pub.all_numerator)
                diffs.figure(f"{label} All Denominator", all_row["Denominator"], pub.all_denominator)
                diffs.figure(f"{label} Target", all_row["Target"], pub.target)
            if excl_row is not None:
                diffs.figure(f"{label} Excl Result", excl_row["Result"], pub.excl_result)
                diffs.same(f"{label} Excl RAG", excl_row["RAG"], pub.excl_rag)
                diffs.numerator(f"{label} Excl Numerator", excl_row, pub.excl_numerator)
                diffs.figure(f"{label} Excl Denominator", excl_row["Denominator"], pub.excl_denominator)
            if all_row is not None and excl_row is not None:
                # Variance = Excluding minus All, from the unrounded results, shown
                # at one decimal (percentage points for percents) in a signed format
                # whose sign is that of the unrounded difference: "+0.0%" is a small
                # gain, "-0.0%" a small loss, "0.0%" (or "0") exactly no change.
                if is_missing(all_row["Result"]) or is_missing(excl_row["Result"]):
                    diffs.append(f"{label} Variance: published {pub.variance!r}, a computed result is missing")
                else:
                    variance = excl_row["Result"] - all_row["Result"]
                    diffs.figure(f"{label} Variance", variance, pub.variance, signed=True)
    diffs.check("the Impact of UASC sheet")


# --------------------------------------------------------------------------- #
# Exception reports
# --------------------------------------------------------------------------- #


def test_exception_reports(ref, scorecard, template):
    diffs = Differences()
    # Which indicators get a report (the Red ones), in the published order. Each
    # published report is tied to its indicator by title (case-insensitively),
    # through reference_scorecard.EXCEPTION_TITLE_ALIASES for the 3+ placements
    # report whose heading differs from indicator 17's title. A title table, not a
    # match on figures, so the computed numbers never choose what they are compared
    # with; test_reference_parser confirms the alias by the published figures.
    expected = [(ref.exception_indicator(report).id, report) for report in ref.exceptions]
    computed = {report.indicator: report for report in scorecard.exceptions}
    expected_ids = [ind for ind, _ in expected]
    computed_ids = [report.indicator for report in scorecard.exceptions]
    if computed_ids != expected_ids:
        diffs.append(f"exception reports: published for indicators {expected_ids}, computed for {computed_ids}")

    for indicator, pub in expected:
        label = f"exception {indicator} ({pub.title[:40]})"
        got = computed.get(indicator)
        if got is None:
            diffs.append(f"{label}: no computed report")
            continue
        if (got.title or "").casefold() != pub.title.casefold():
            diffs.append(f"{label} title: published {pub.title!r}, computed {got.title!r}")

        trend = got.trend.reset_index(drop=True)
        months = [pd.Timestamp(m).strftime("%b %Y") for m in trend["Month"]]
        if months != pub.months:
            diffs.append(f"{label} trend months: published {pub.months}, computed {months}")
            continue  # values would be compared against the wrong months
        for i, month_text in enumerate(pub.months):
            at = f"{label} {month_text}"
            diffs.figure(f"{at} Result", trend.at[i, "Result"], pub.results[i])
            diffs.same(f"{at} RAG", trend.at[i, "RAG"], RAG_WORDS[pub.rag_words[i]])
            if indicator == PLACEMENTS_INDICATOR:
                # Contradiction (a): the computed Target is the scorecard's 10.0% ...
                scorecard_target = ref.scorecard.by_id(indicator).target
                diffs.figure(f"{at} Target [expected the scorecard's target]", trend.at[i, "Target"], scorecard_target)
                # ... and the published "13.0%" is the template's red threshold, exactly.
                period = template.indicator(indicator).target_for(pd.Timestamp(trend.at[i, "Month"]).date())
                published_threshold = Fraction(exact_value(pub.targets[i]))
                if period is None or period.red != published_threshold:
                    diffs.append(
                        f"{at} Target: published {pub.targets[i]!r} should be the template's red threshold, "
                        f"which is {None if period is None else period.red}"
                    )
            else:
                diffs.figure(f"{at} Target", trend.at[i, "Target"], pub.targets[i])

        # Commentary: same words; line breaks and spacing may differ (the reference
        # is a text extract of a PDF).
        if _normalise_space(got.commentary) != _normalise_space(pub.commentary):
            diffs.append(
                f"{label} commentary differs:\n  published: {_normalise_space(pub.commentary)!r}"
                f"\n  computed:  {_normalise_space(got.commentary)!r}"
            )
    diffs.check("the exception reports")
