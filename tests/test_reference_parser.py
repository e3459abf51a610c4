"""Tests of the reference parser itself, independent of the engine.

The acceptance test is only as good as its reading of the published scorecard:
if the parser silently dropped a row or misread a cell, the acceptance test
would compare fewer (or wrong) figures and still pass. These tests pin the
parser to the document's shape and to facts the document states twice (counts
vs. RAG letters, the UASC sheet's "All" columns vs. the scorecard, exception
trends vs. the scorecard), so a parser regression fails here, fast, whatever
state the engine is in.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from fractions import Fraction

import pytest
from reference_scorecard import (
    DOT_ARROWS,
    EAST_KENT_TEAMS,
    EXCEPTION_TITLE_ALIASES,
    RAG_LETTERS,
    REFERENCE_PATH,
    Number,
    ReferenceFormatError,
    display,
    exact_value,
    load_reference,
    matches,
    parse_number,
    parse_reference,
)


@pytest.fixture(scope="module")
def ref():
    return load_reference()


# --------------------------------------------------------------------------- #
# Numbers and display rounding
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "text, expected",
    [
        ("22.3%", Number(0.223, 1, True)),
        ("12.97%", Number(0.1297, 2, True)),
        ("100.0%", Number(1.0, 1, True)),
        ("0.0%", Number(0.0, 1, True)),
        ("363.7", Number(363.7, 1, False)),
        ("404.3", Number(404.3, 1, False)),
        ("524.0", Number(524.0, 1, False)),
        ("35", Number(35.0, 0, False)),
        ("+53", Number(53.0, 0, False)),
        ("-267", Number(-267.0, 0, False)),
        ("+0.0%", Number(0.0, 1, True)),
        ("-0.2%", Number(-0.002, 1, True)),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["", "-", "- -", "22.3% G", "abc", "1,000", "2.%"])
def test_parse_number_rejects_non_numbers(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_exact_value_is_exact():
    # Used to compare published figures with the template's exact Fractions.
    assert exact_value("13.0%") == Decimal("0.130")
    assert Fraction(exact_value("17.5%")) == Fraction(7, 40)


@pytest.mark.parametrize(
    "computed, text",
    [
        (3543 / 15921, "22.3%"),
        (293 / 2246, "13.0%"),
        (0.2225, "22.3%"),  # a tie rounds away from zero (Python's round() would give 22.2)
        (0.2235, "22.4%"),
        (1.005, "1.01"),  # binary 1.00499999999999989...; a spreadsheet shows 1.01
        (0.1 + 0.2, "0.3"),
        (2.5, "3"),  # half away from zero, not to even
        (35, "35"),
        (35.0, "35"),
        (29462 / 81, "363.7"),
        (404.3, "404.3"),
        (524, "524.0"),
        (0.12968, "12.97%"),
        (1.0, "100.0%"),
        (Fraction(7, 40), "17.5%"),
        (Decimal("0.9"), "90.0%"),
    ],
)
def test_matches(computed, text):
    assert matches(computed, text), display(computed, parse_number(text).decimals, parse_number(text).is_percent)


@pytest.mark.parametrize(
    "computed, text",
    [
        (0.2224, "22.3%"),
        (0.2236, "22.3%"),
        (22.3, "22.3%"),  # a percent must be a fraction
        (float("nan"), "0.0%"),
        (None, "0"),
        (-0.0001, "0.0%"),  # a spreadsheet shows "-0.0%"
    ],
)
def test_does_not_match(computed, text):
    assert not matches(computed, text)


def test_matches_precision_comes_from_the_text():
    assert matches(0.12968, "12.97%")
    assert matches(0.12968, "13.0%")
    assert not matches(0.12968, "12.9%")


@pytest.mark.parametrize(
    "computed, text, ok",
    [
        # Variance column: sign of the UNROUNDED value, exact zero unsigned.
        (408 / 573 - 410 / 576, "+0.0%", True),
        (408 / 573 - 410 / 576, "0.0%", False),
        (248 / 251 - 345 / 349, "-0.0%", True),
        (248 / 251 - 345 / 349, "0.0%", False),
        (51 / 77 - 51 / 77, "0.0%", True),
        (51 / 77 - 51 / 77, "+0.0%", False),
        (186 / 1448 - 293 / 2246, "-0.2%", True),
        (341 / 522 - 542 / 1130, "+17.4%", True),
        (0, "0", True),
        (1, "+1", True),
        (1, "1", False),
    ],
)
def test_matches_signed(computed, text, ok):
    assert matches(computed, text, signed=True) is ok


# --------------------------------------------------------------------------- #
# Activity table
# --------------------------------------------------------------------------- #


def test_activity_shape(ref):
    act = ref.activity
    assert len(act.rows) == 28
    assert len(act.headers) == 21
    assert act.headers[:4] == [
        "Caseloads - This month",
        "Caseloads - Last month",
        "Caseloads - Change",
        "Referrals in last month",
    ]
    assert act.headers[10:13] == ["Total LAC - This month", "Total LAC - Last month", "Total LAC - Change"]
    assert act.headers[-1] == "PF Cases - Change"
    units = list(act.rows)
    assert units[:6] == ["Kent", "North Kent", "East Kent", "South Kent", "West Kent", "Disability Service"]
    assert units[-1] == "Care Leaver Service (18+)"
    assert all(len(values) == 21 for values in act.rows.values())
    assert all(isinstance(v, int) for values in act.rows.values() for v in values)


def test_activity_values_and_signs(ref):
    act = ref.activity
    assert act.rows["Kent"][:4] == [9444, 9711, -267, 1167]
    assert act.value("Kent", "CP Plans - Change") == 53  # published "+53"
    assert act.value("Disability Service", "Caseloads - Change") == 1  # "+1"
    assert act.value("Thanet Margate CSWT", "PF Cases - Change") == -1
    assert act.value("Care Leaver Service (18+)", "LAC Ends in last month") == 5


def test_activity_changes_are_this_month_minus_last(ref):
    # The document's own arithmetic; a misaligned column would break it.
    act = ref.activity
    snapshot_measures = [h.removesuffix(" - Change") for h in act.headers if h.endswith(" - Change")]
    assert snapshot_measures == ["Caseloads", "CP Plans", "Total LAC", "UASC LAC", "PF Cases"]
    for unit in act.rows:
        for m in snapshot_measures:
            this, last, change = (act.value(unit, f"{m} - {p}") for p in ("This month", "Last month", "Change"))
            assert change == this - last, (unit, m)


def test_activity_east_kent_pf_contradiction_is_in_the_document(ref):
    # Known contradiction (b), stated here so the acceptance test's special case
    # has a pinned premise: the published East Kent PF row (3, 3, 0) is not the sum
    # of the East Kent team rows (7, 8, -1), while the Kent total is the sum of all
    # teams' rows (which needs East Kent = 7 / 8).
    act = ref.activity
    pf = ["PF Cases - This month", "PF Cases - Last month", "PF Cases - Change"]
    assert [act.value("East Kent", h) for h in pf] == [3, 3, 0]
    assert [sum(act.value(t, h) for t in EAST_KENT_TEAMS) for h in pf] == [7, 8, -1]
    not_teams = {"Kent", "North Kent", "East Kent", "South Kent", "West Kent", "Disability Service"}
    teams = [u for u in act.rows if u not in not_teams]
    assert len(teams) == 22
    assert [sum(act.value(t, h) for t in teams) for h in pf] == [act.value("Kent", h) for h in pf] == [25, 24, 1]


# --------------------------------------------------------------------------- #
# Scorecard
# --------------------------------------------------------------------------- #


def test_scorecard_shape(ref):
    sc = ref.scorecard
    assert sc.month == "Aug 2016"
    assert [row.id for row in sc.indicators] == [str(i) for i in range(1, 46)]
    sections = list(dict.fromkeys(row.section for row in sc.indicators))
    assert sections == [
        "REFERRAL AND ASSESSMENTS",
        "CHILDREN IN NEED",
        "PRIVATE FOSTERING",
        "MISSING CHILDREN",
        "CHILD PROTECTION",
        "CHILDREN IN CARE",
        "ADOPTION",
        "CARE LEAVERS",
        "QUALITY ASSURANCE",
        "STAFFING",
    ]
    assert Counter(row.section for row in sc.indicators)["CHILDREN IN CARE"] == 11
    assert len({row.title for row in sc.indicators}) == 45  # titles identify indicators


def test_scorecard_cells_are_well_formed(ref):
    for row in ref.scorecard.indicators:
        assert row.polarity in ("H", "L", "T")
        assert row.period in ("R12M", "SS")
        assert row.rag in RAG_LETTERS
        assert row.month_ago_dot in DOT_ARROWS
        assert (row.year_ago == "") == (row.year_ago_dot == "")
        assert (row.rolling3 is None) == (row.rolling3_rag is None)
        # A percent indicator shows percents throughout its row.
        is_percent = parse_number(row.result).is_percent
        for text in (row.target, row.month_ago, row.year_ago, row.rolling3):
            if text:
                assert parse_number(text).is_percent == is_percent, (row.id, text)
        # Counts have neither numerator nor denominator; the others have both.
        assert (row.numerator == "-") == (row.denominator == "-")


def test_scorecard_rows(ref):
    sc = ref.scorecard
    first = sc.by_id("1")
    assert (first.section, first.title, first.polarity, first.period) == (
        "REFERRAL AND ASSESSMENTS",
        "% of referrals with a previous referral within 12 months",
        "L",
        "R12M",
    )
    assert (first.result, first.rag, first.numerator, first.denominator, first.target) == (
        "22.3%", "G", "3543", "15921", "25.0%",
    )  # fmt: skip
    assert (first.month_ago, first.month_ago_dot, first.year_ago, first.year_ago_dot) == ("22.1%", "↓", "24.6%", "↑")
    assert (first.rolling3, first.rolling3_rag) == ("22.7%", "G")

    count = sc.by_id("3")
    assert (count.result, count.rag, count.numerator, count.denominator, count.target) == ("35", "G", "-", "-", "75")
    assert (count.rolling3, count.rolling3_rag) == (None, None)

    no_year_ago = sc.by_id("8")
    assert (no_year_ago.year_ago, no_year_ago.year_ago_dot) == ("", "")
    assert {row.id for row in sc.indicators if not row.year_ago} == {"8", "9", "35"}

    assert sc.by_id("12").year_ago_dot == "→"
    assert sc.by_id("13").polarity == "T"
    assert (sc.by_id("29").result, sc.by_id("29").target) == ("363.7", "426.0")
    fte = sc.by_id("41")
    assert (fte.numerator, fte.denominator) == ("404.3", "524.0")
    assert sc.by_id("45").denominator == "46.6"
    assert sc.by_title("% OF IHA REFERRALS WITHIN 5 WORKING DAYS OF BECOMING LOOKED AFTER").id == "25"


def test_scorecard_published_results_follow_from_num_and_denom(ref):
    # Another self-consistency check of the parsing: each published result is its
    # own numerator over its denominator, at the published precision.
    for row in ref.scorecard.indicators:
        if row.numerator == "-":
            continue
        ratio = exact_value(row.numerator) / exact_value(row.denominator)
        assert matches(ratio, row.result), (row.id, row.numerator, row.denominator, row.result)


def test_rag_counts(ref):
    assert ref.rag_counts == {"G": 22, "A": 20, "R": 3}
    assert sum(ref.rag_counts.values()) == 45
    assert ref.rag_counts == dict(Counter(row.rag for row in ref.scorecard.indicators))


# --------------------------------------------------------------------------- #
# Impact of UASC
# --------------------------------------------------------------------------- #


def test_uasc_shape(ref):
    assert [(s.title, len(s.rows)) for s in ref.uasc] == [
        ("CHILDREN IN CARE - KENT", 9),
        ("CHILDREN IN CARE - NORTH KENT AREA", 9),
        ("CHILDREN IN CARE - EAST KENT AREA", 9),
        ("CHILDREN IN CARE - SOUTH KENT AREA", 9),
        ("CHILDREN IN CARE - WEST KENT AREA", 9),
        ("OTHER INDICATORS - KENT", 6),
    ]
    assert [s.unit for s in ref.uasc] == ["Kent", "North Kent", "East Kent", "South Kent", "West Kent", "Kent"]
    # The five unit sections show the same nine indicators in the same order.
    titles = [[r.title for r in s.rows] for s in ref.uasc[:5]]
    assert all(t == titles[0] for t in titles)


def test_uasc_rows_are_scorecard_indicators(ref):
    # Every row's title is one of the 45 (the acceptance test relies on it), with
    # the scorecard's polarity and period.
    for section in ref.uasc:
        for row in section.rows:
            indicator = ref.scorecard.by_title(row.title)
            assert (row.polarity, row.period) == (indicator.polarity, indicator.period), row.title
            assert row.target == indicator.target, row.title
    ids = [ref.scorecard.by_title(r.title).id for r in ref.uasc[0].rows + ref.uasc[-1].rows]
    assert ids == ["17", "18", "21", "22", "23", "24", "25", "26", "27", "32", "33", "34", "35", "2", "7"]


def test_uasc_kent_all_columns_equal_the_scorecard(ref):
    # The county sections' "including UASC" columns repeat the scorecard's latest figures.
    for section in (ref.uasc[0], ref.uasc[-1]):
        for row in section.rows:
            ind = ref.scorecard.by_title(row.title)
            assert (row.all_result, row.all_rag, row.all_numerator, row.all_denominator) == (
                ind.result, ind.rag, ind.numerator, ind.denominator,
            ), row.title  # fmt: skip


def test_uasc_rows(ref):
    first = ref.uasc[0].rows[0]
    assert (first.all_result, first.all_rag, first.all_numerator, first.all_denominator, first.target) == (
        "13.0%", "R", "293", "2246", "10.0%",
    )  # fmt: skip
    assert (first.excl_result, first.excl_rag, first.excl_numerator, first.excl_denominator, first.variance) == (
        "12.8%", "A", "186", "1448", "-0.2%",
    )  # fmt: skip
    unallocated = ref.uasc[-1].rows[-1]
    assert (unallocated.title, unallocated.all_numerator, unallocated.excl_denominator, unallocated.variance) == (
        "Numbers of Unallocated Cases", "-", "-", "0",
    )  # fmt: skip
    variances = Counter(r.variance for s in ref.uasc for r in s.rows)
    assert variances["0.0%"] == 5 and variances["+0.0%"] == 2 and variances["-0.0%"] == 1


def test_uasc_published_figures_are_self_consistent(ref):
    # Results follow from num/denom, and the variance from the unrounded results,
    # sign included -- the rule the acceptance test applies to computed values.
    for section in ref.uasc:
        for row in section.rows:
            if row.all_numerator == "-":
                assert matches(exact_value(row.excl_result) - exact_value(row.all_result), row.variance, signed=True)
                continue
            all_ratio = exact_value(row.all_numerator) / exact_value(row.all_denominator)
            excl_ratio = exact_value(row.excl_numerator) / exact_value(row.excl_denominator)
            assert matches(all_ratio, row.all_result), (section.title, row.title)
            assert matches(excl_ratio, row.excl_result), (section.title, row.title)
            assert matches(excl_ratio - all_ratio, row.variance, signed=True), (section.title, row.title)


# --------------------------------------------------------------------------- #
# Exception reports
# --------------------------------------------------------------------------- #


def test_exceptions_shape(ref):
    assert [e.title for e in ref.exceptions] == [
        "% of Returner Interviews completed within 3 working days",
        "CIC Placement Stability - 3+ Placements in the last 12 months",
        "% of IHA referrals within 5 working days of becoming looked after",
    ]
    for e in ref.exceptions:
        assert e.rag_word == "Red"
        assert e.months == ["May 2016", "Jun 2016", "Jul 2016", "Aug 2016"]
        assert len(e.results) == len(e.targets) == len(e.rag_words) == 4
        assert e.owners == {
            "Cabinet Member": "Peter Oakford",
            "Director": "Philip Segurola",
            "Portfolio": "Specialist Children's Services",
            "Division": "Specialist Children's Services",
        }
        assert e.commentary and "Data Notes" not in e.commentary and "Commentary" not in e.commentary
        assert e.data_notes[0].startswith("Target:") and e.data_notes[-1] == "Data Source: Liberi"
    placements = ref.exceptions[1]
    assert placements.results == ["13.2%", "12.97%", "12.9%", "13.0%"]
    assert placements.rag_letters == ["R", "A", "A", "R"]
    assert ref.exceptions[2].targets == ["80.0%", "90.0%", "90.0%", "90.0%"]


def test_exception_commentary(ref):
    returner, placements, iha = ref.exceptions
    assert returner.commentary.startswith("This is a new performance indicator added for August 2016")
    assert returner.commentary.endswith("the value of repeatedly completing a Returner interview can be compromised.")
    assert returner.commentary.count("\n\n") == 2  # three paragraphs
    assert placements.commentary.count("\n\n") == 0
    assert placements.commentary.endswith("supports children achieving good outcomes.")
    assert iha.commentary.startswith("Performance for the 3 months up to 31/08/2016 is 84.2%.\n\nThe IHA reflects")


def test_exceptions_are_the_red_indicators(ref):
    # Each exception maps to a scorecard row by title (case-insensitively, with the
    # one alias); together they are exactly the scorecard's Red indicators, in order.
    rows = [ref.exception_indicator(e) for e in ref.exceptions]
    assert [r.id for r in rows] == ["9", "17", "25"]
    assert [r.id for r in ref.scorecard.indicators if r.rag == "R"] == ["9", "17", "25"]
    for e, row in zip(ref.exceptions, rows, strict=False):
        # The trend's latest month is the scorecard's month and result, its
        # previous month the scorecard's "1 month ago".
        assert e.months[-1] == ref.scorecard.month
        assert (e.results[-1], e.rag_letters[-1]) == (row.result, row.rag)
        assert e.results[-2] == row.month_ago


def test_exception_alias_is_confirmed_by_the_figures(ref):
    # The alias table is the only hand-made link between the two pages; check that
    # the aliased exception's figures single out that indicator and no other.
    for title, scorecard_title in EXCEPTION_TITLE_ALIASES.items():
        (report,) = [e for e in ref.exceptions if e.title == title]
        candidates = [
            r.id
            for r in ref.scorecard.indicators
            if (r.result, r.rag, r.month_ago) == (report.results[-1], report.rag_letters[-1], report.results[-2])
        ]
        assert candidates == [ref.scorecard.by_title(scorecard_title).id]


def test_placements_target_contradiction_is_in_the_document(ref):
    # Known contradiction (a), pinned here: the 3+ placements exception trend shows
    # 13.0% as its target, while the scorecard and the report's own data notes give
    # a target of 10% with 13% as the Red boundary.
    placements = ref.exceptions[1]
    assert placements.targets == ["13.0%"] * 4
    assert ref.scorecard.by_id("17").target == "10.0%"
    assert placements.data_notes[0].startswith("Target: 10% (RAG Bandings: 13% and above = Red")


# --------------------------------------------------------------------------- #
# The parser refuses a document it does not understand
# --------------------------------------------------------------------------- #


def _altered(old: str, new: str) -> str:
    text = REFERENCE_PATH.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    "old, new",
    [
        ("\t3543\t15921\t", "\t3543\t"),  # an indicator row loses a cell
        ("22.3% G", "22.3% X"),  # not a RAG letter
        ("\t+53\t", "\t53a\t"),  # activity value not an integer
        ("\t186\t1448\t-0.2%", "\t186\t1448"),  # UASC row loses a cell
        ("RAG Rating\tRed\tAmber", "RAG Rating\tRed\tBlue"),  # exception RAG word
    ],
)
def test_parser_rejects_malformed_text(old, new):
    with pytest.raises(ReferenceFormatError):
        parse_reference(_altered(old, new))
