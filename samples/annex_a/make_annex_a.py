#!/usr/bin/env python
"""Write twelve synthetic Ofsted Annex A workbooks, one per month end, Sep 2015 to Aug 2016.

    python samples/annex_a/make_annex_a.py [--out DIR] [--scale sample|county] [--seed N]

One population of made-up children is simulated (no real person is in it): referrals from
Jan 2014 to Aug 2016, and, for the children already known before then, the child protection
plans, long children-in-need episodes and periods of care they were in. Each child moves
through referral -> (some) assessment -> (some) child in need episode -> (some) child
protection plan -> (some) care, with durations drawn from simple distributions. Each
workbook is a view of that one population at its report date R: the Annex A lists as a
council's system would have written them on R (samples/annex_a/README.md gives the rules and
the layout each file uses).

Deterministic: numpy's default_rng(seed) is the only source of randomness, every collection
is walked in a fixed order, and each workbook's creation date is its report date, so the same
seed writes the same bytes.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import math
import re
import sys
import time
from datetime import date, datetime
from pathlib import Path

import numpy as np
import xlsxwriter

HERE = Path(__file__).resolve().parent

# ----------------------------------------------------------------------------- calendar

MONTH_ENDS = [date(2015, 9, 30), date(2015, 10, 31), date(2015, 11, 30), date(2015, 12, 31),
              date(2016, 1, 31), date(2016, 2, 29), date(2016, 3, 31), date(2016, 4, 30),
              date(2016, 5, 31), date(2016, 6, 30), date(2016, 7, 31), date(2016, 8, 31)]
FLOW_START = date(2014, 1, 1).toordinal()  # referrals of every kind from here
SIM_END = date(2016, 8, 31).toordinal()  # nothing after this is written (later ends show as blank)
EXCEL_EPOCH = date(1899, 12, 30).toordinal()

# England and Wales bank holidays (the years an assessment in a window can touch).
BANK_HOLIDAYS = [
    "2013-01-01", "2013-03-29", "2013-04-01", "2013-05-06", "2013-05-27", "2013-08-26", "2013-12-25",
    "2013-12-26", "2014-01-01", "2014-04-18", "2014-04-21", "2014-05-05", "2014-05-26", "2014-08-25",
    "2014-12-25", "2014-12-26", "2015-01-01", "2015-04-03", "2015-04-06", "2015-05-04", "2015-05-25",
    "2015-08-31", "2015-12-25", "2015-12-28", "2016-01-01", "2016-03-25", "2016-03-28", "2016-05-02",
    "2016-05-30", "2016-08-29", "2016-12-26", "2016-12-27", "2017-01-02", "2017-04-14", "2017-04-17",
    "2017-05-01", "2017-05-29", "2017-08-28", "2017-12-25", "2017-12-26"]
CAL0 = date(1990, 1, 1).toordinal()
CAL1 = date(2030, 12, 31).toordinal()


def _working_days() -> tuple[np.ndarray, np.ndarray]:
    days = np.arange(CAL0, CAL1 + 1)
    weekday = (days - 1) % 7  # date.fromordinal(1) is a Monday: 0 = Monday
    working = weekday < 5
    for text in BANK_HOLIDAYS:
        working[date.fromisoformat(text).toordinal() - CAL0] = False
    return working, np.cumsum(working)


IS_WD, CUM_WD = _working_days()
IS_WD_LIST = IS_WD.tolist()


def is_working(day: int) -> bool:
    return IS_WD_LIST[day - CAL0]


def next_working(day: int) -> int:
    while not IS_WD_LIST[day - CAL0]:
        day += 1
    return day


def working_deadline(start: int, n: int = 45) -> int:
    """The n-th working day after `start` (the start day itself not counted)."""
    return int(np.searchsorted(CUM_WD, CUM_WD[start - CAL0] + n)) + CAL0


def add_years(day: int, years: int) -> int:
    d = date.fromordinal(day)
    try:
        return d.replace(year=d.year + years).toordinal()
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28).toordinal()


# ----------------------------------------------------------------------------- teams

# (place, area, weight of referrals): Kent's twelve children's social work teams (CSWT).
CSWT = [("Dartford", "N", 7), ("Gravesham", "N", 8), ("Sevenoaks", "N", 6),
        ("Canterbury", "E", 9), ("Swale", "E", 11), ("Thanet Margate", "E", 9),
        ("Thanet Ramsgate", "E", 8), ("Ashford", "S", 8), ("Dover", "S", 8), ("Shepway", "S", 8),
        ("Maidstone", "W", 9), ("The Weald", "W", 9)]
DARTFORD = "Dartford Children's Social Work Team"
TEAMS = [DARTFORD if place == "Dartford" else f"{place} CSWT" for place, _, _ in CSWT]
T_NORTH_CIC, T_EK_CS_CIC, T_EK_THA_CIC, T_SOUTH_CIC, T_WEST_CIC = range(12, 17)
T_UASC, T_DCEK, T_DCWK, T_LEAVING = range(17, 21)
TEAMS += ["North Kent CIC", "EK Canterbury/Swale CIC", "East Kent (Tha) CIC", "South Kent CIC",
          "West Kent CIC", "Unaccompanied Asylum Seeking Children Service",
          "Disabled Children East Kent", "Disabled Children West Kent", "Leaving Care 18+"]
AREA_OF = [area for _, area, _ in CSWT]
SAME_AREA = [[j for j in range(12) if AREA_OF[j] == AREA_OF[i] and j != i] for i in range(12)]


def cic_team(cswt: int) -> int:
    place, area, _ = CSWT[cswt]
    if area == "N":
        return T_NORTH_CIC
    if area == "E":
        return T_EK_THA_CIC if place.startswith("Thanet") else T_EK_CS_CIC
    return T_SOUTH_CIC if area == "S" else T_WEST_CIC


def disabled_team(cswt: int) -> int:
    return T_DCEK if AREA_OF[cswt] in "ES" else T_DCWK


# ----------------------------------------------------------------------------- codes


def _cum(weights):
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


GENDERS = ["a) Male", "b) Female"]
ETHNICITIES = [("a) WBRI", 79.0), ("b) WIRI", 0.5), ("c) WIRT", 0.4), ("d) WOTH", 5.0),
               ("e) WROM", 0.6), ("f) MWBC", 2.0), ("g) MWBA", 0.8), ("h) MWAS", 1.4),
               ("i) MOTH", 2.0), ("j) AIND", 0.9), ("k) APKN", 0.4), ("l) ABAN", 0.3),
               ("m) AOTH", 1.0), ("n) BCRB", 0.4), ("o) BAFR", 1.9), ("p) BOTH", 0.5),
               ("q) CHNE", 0.3), ("r) OOTH", 1.0), ("s) NOBT", 1.7)]
ETH_CUM = _cum(w for _, w in ETHNICITIES)
UASC_ETH = [("o) BAFR", 45.0), ("m) AOTH", 25.0), ("r) OOTH", 20.0), ("p) BOTH", 5.0), ("s) NOBT", 5.0)]
UASC_ETH_IDX = [[e for e, _ in ETHNICITIES].index(e) for e, _ in UASC_ETH]
UASC_ETH_CUM = _cum(w for _, w in UASC_ETH)
DISABILITY = ["a) Yes", "b) No", "c) Unknown"]
YES_NO_UNKNOWN = ["a) Yes", "b) No", "c) Unknown"]
SOURCES = [("e) 2A: Schools", 18), ("q) 6: Police", 25), ("g) 3A: Health services", 5),
           ("h) 3B: Health services", 5), ("j) 3D: Health services", 3), ("k) 3E: Health services", 3),
           ("l) 3F: Health services", 2), ("a) 1A: Individual", 8), ("b) 1B: Individual", 1),
           ("c) 1C: Individual", 1), ("d) 1D: Individual", 1), ("f) 2B: Education services", 2),
           ("m) 4: Housing", 2), ("n) 5A: LA services", 7), ("o) 5B: LA services", 2),
           ("p) 5C: LA services", 3), ("p1) 5D: LA services", 5), ("r) 7: Other legal agency", 3),
           ("s) 8: Other", 4), ("t) 9: Anonymous", 3)]
SOURCE_CUM = _cum(w for _, w in SOURCES)
SRC_LEGAL = [s for s, _ in SOURCES].index("r) 7: Other legal agency")
NEEDS = [("N1 - Abuse or neglect", 55), ("N3 - Parental disability or illness", 5),
         ("N4 - Family in acute stress", 10), ("N5 - Family dysfunction", 18),
         ("N6 - Socially unacceptable behaviour", 4), ("N7 - Low income", 1),
         ("N8 - Absent parenting", 3), ("N9 - Cases other than children in need", 1)]
NEED_CUM = _cum(w for _, w in NEEDS)
N2 = "N2 - Child's disability"
ABUSE = [("a) Neglect", 45), ("d) Emotional abuse", 35), ("b) Physical abuse", 10),
         ("c) Sexual abuse", 5), ("e) Multiple/not recommended", 5)]
ABUSE_CUM = _cum(w for _, w in ABUSE)
CASE_STATUS = ["a) Looked after child", "b) Child Protection plan", "c) Child in need plan",
               "d) Open assessment", "e) Closed episode"]
CIN_REASONS = ["RC1 - Adopted", "RC4 - Special guardianship order",
               "RC5 - Transferred to services of another local authority",
               "RC6 - Transferred to adult social care services",
               "RC7 - Services ceased for any other reason, including child no longer in need",
               "RC8 - Case closed after assessment, no further action",
               "RC9 - Case closed after assessment, referred to early help"]
RC1, RC4, RC5, RC6, RC7, RC8, RC9 = range(7)
LEGAL = ["C1: Interim care order", "C2: Full care order", "E1: Placement order granted",
         "V2: Single period of accommodation under section 20",
         ("V3: Accommodated under an agreed series of short-term breaks, when individual episodes "
          "of care are recorded"),
         ("V4: Accommodated under an agreed series of short-term breaks, when agreements are "
          "recorded (NOT individual episodes of care)")]
L_C1, L_C2, L_E1, L_V2, L_V3, L_V4 = range(6)
CEASED = ["E11: Adopted - application for an adoption order unopposed",
          "E12: Adopted - consent dispensed with by the court",
          ("E4A: Returned home to live with parents or other person with parental responsibility "
           "as part of the care planning process"),
          ("E4B: Returned home to live with parents or other person with parental responsibility "
           "which was not part of the current care planning process"),
          "E45: Special guardianship order made to former foster carers",
          "E47: Special guardianship order made to carers other than former foster carers",
          "E5: Moved into independent living arrangement and with supportive accommodation",
          "E6: Moved into independent living arrangement and without formalised support",
          ("E13: Left care to live with parent(s), relative(s), or other person(s) with no "
           "parental responsibility"),
          "E15: Age assessment determined child is aged 18 or over",
          "E3: Care taken over by another local authority in the UK",
          "E8: Period of care ceased for any other reason"]
E11, E12, E4A, E4B, E45, E47, E5, E6, E13, E15, E3, E8 = range(12)
IN_TOUCH = ["a) Yes", "b) No", "c) Died", "d) Refused", "e) Not required", "f) Returned home"]
IN_TOUCH_W = [77.0, 10.0, 0.3, 5.5, 5.0, 2.2]
SUITABLE = ["a) Suitable", "b) Unsuitable"]
EET = ["F1: Full time in higher education", "P1: Part time in higher education",
       "F2: Full time in education other than higher", "P2: Part time in education other than higher",
       "F4: Young person engaged full time in an apprenticeship",
       "F5: Young person engaged full time in training or employment (not apprenticeship)",
       "P5: Young person engaged part time in training or employment (not apprenticeship)"]
EET_W = [8.0, 1.0, 20.0, 5.0, 5.0, 14.0, 2.0]
NEET = ["G4: Not in education, training or employment owing to illness or disability",
        "G5: Not in education, training or employment owing to other reasons",
        "G6: Not in education, training or employment owing to pregnancy or parenting"]
NEET_W = [5.0, 32.0, 8.0]
ELIGIBILITY = ["a) Relevant child", "b) Former relevant child"]

# ----------------------------------------------------------------------------- scale

# Per year, across the county ("county" scale; "sample" is a tenth).
RATES = {
    "first_referrals": 15700,  # children referred, first time in the simulation (re-referrals come on top)
    "uasc": 100,  # unaccompanied asylum-seeking children arriving
    "short_breaks": 22,  # disabled children starting agreed short breaks in care
}
# How a referral goes on: no further action at referral, no assessment (case already open elsewhere),
# or an assessment that closes, leads to a child in need plan, a child protection plan or care.
REF_TYPES = [("nfa", 0.34), ("noassess", 0.06), ("closed", 0.6 * 0.44), ("cin", 0.6 * 0.33),
             ("cp", 0.6 * 0.205), ("cic", 0.6 * 0.025)]
REF_TYPE_NAMES = [t for t, _ in REF_TYPES]
REF_TYPE_CUM = _cum(w for _, w in REF_TYPES)
# Age (whole years) of a child at their first referral, relative weights.
AGE_W = [14, 6, 6, 6, 6, 6, 6, 5.5, 5.5, 5.5, 5.5, 6, 6.5, 7, 7.5, 7, 5, 2.5]
AGE_CUM = _cum(AGE_W)
CARE_AGE_W = [20, 5, 4, 3, 3, 3, 3, 3, 3, 3, 4, 4, 5, 6, 8, 9, 8, 2]  # entering care, from before 2014
CARE_AGE_CUM = _cum(CARE_AGE_W)


# ----------------------------------------------------------------------------- simulation


class Draws:
    """Uniform numbers from default_rng(seed), taken in blocks (fast, and always the same sequence)."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.buf: list[float] = []
        self.i = 0

    def u(self) -> float:
        if self.i >= len(self.buf):
            self.buf = self.rng.random(1 << 16).tolist()
            self.i = 0
        v = self.buf[self.i]
        self.i += 1
        return v

    def uni(self, a: float, b: float) -> int:
        return int(a + (b - a) * self.u())

    def exp(self, mean: float) -> float:
        return -mean * math.log(1.0 - self.u())

    def pick(self, cum: list[float]) -> int:
        return bisect.bisect_right(cum, self.u() * cum[-1])


class Population:
    """The simulated children and their episodes, as parallel lists (one list per field)."""

    def __init__(self, seed: int, scale: float):
        self.rng = np.random.default_rng(seed)
        self.d = Draws(self.rng)
        self.scale = scale
        # children
        self.dob: list[int] = []
        self.gender: list[int] = []
        self.eth: list[int] = []
        self.disab: list[int] = []
        self.home: list[int] = []  # current CSWT (changes when a family moves)
        self.is_uasc: list[bool] = []
        self.first: list[int] = []
        self.prior_cp: list[int] = []  # plans before the simulation (-1: not drawn yet)
        self.cp_count: list[int] = []  # plans in the simulation so far
        # referrals
        self.r_child, self.r_date, self.r_nfa, self.r_team, self.r_source = [], [], [], [], []
        # assessments
        self.a_child, self.a_start, self.a_auth, self.a_seen, self.a_team = [], [], [], [], []
        # child in need episodes (start = referral date)
        self.n_child, self.n_start, self.n_end, self.n_team, self.n_need, self.n_reason = [], [], [], [], [], []
        self.n_cp, self.n_care = [], []  # the plan / period of care within the episode (-1: none)
        # child protection plans
        self.p_child, self.p_start, self.p_end, self.p_prev, self.p_team, self.p_cat = [], [], [], [], [], []
        # periods of care
        self.c_child, self.c_start, self.c_end, self.c_team, self.c_reason = [], [], [], [], []
        self.c_route, self.c_order = [], []  # legal route (L_C1 = care order, L_V2, L_V3, L_V4); C1 -> C2 date
        self.c_decision, self.c_po, self.c_match, self.c_placed, self.c_adopted, self.c_reversed = \
            [], [], [], [], [], []
        self.c_uasc: list[bool] = []
        self.mv_care: list[int] = []  # placement moves: period index, date
        self.mv_date: list[int] = []
        # care leavers: child, date care ended, team
        self.l_child, self.l_left = [], []

    # -- children

    def new_child(self, first: int, age_days: int, uasc: bool = False, disabled: bool | None = None,
                  team: int | None = None) -> int:
        d = self.d
        c = len(self.dob)
        self.dob.append(first - age_days)
        if uasc:
            self.gender.append(0 if d.u() < 0.93 else 1)
            self.eth.append(UASC_ETH_IDX[d.pick(UASC_ETH_CUM)])
            self.disab.append(1)
        else:
            self.gender.append(0 if d.u() < 0.52 else 1)
            self.eth.append(d.pick(ETH_CUM))
            if disabled is None:
                x = d.u()
                self.disab.append(0 if x < 0.07 else (2 if x > 0.985 else 1))
            else:
                self.disab.append(0 if disabled else 1)
        self.home.append(d.pick(CSWT_CUM) if team is None else team)
        self.is_uasc.append(uasc)
        self.first.append(first)
        self.prior_cp.append(-1)
        self.cp_count.append(0)
        return c

    def ref_day(self, day: int) -> int:
        """Referrals come on working days, a few out of hours at weekends."""
        if not is_working(day) and self.d.u() < 0.9:
            day = next_working(day)
        return day

    # -- one child's history

    def child_path(self, c: int, t: int, forced: str | None = None, override: dict | None = None) -> None:
        d = self.d
        while True:
            closed, kind = self.episode(c, t, forced, override)
            forced = override = None
            if closed >= SIM_END:
                return
            age = (closed - self.dob[c]) / 365.25
            if age >= 17.0 or self.is_uasc[c]:
                return
            p = {"nfa": 0.5, "closed": 0.5, "cin": 0.32, "cp": 0.32, "home": 0.40}.get(kind, 0.0)
            if d.u() >= p:
                return
            gap = 10 + d.exp(100) if d.u() < 0.7 else 250 + d.exp(420)
            t = closed + 1 + int(gap)
            if t >= SIM_END or t >= add_years(self.dob[c], 18) - 60:
                return
            t = self.ref_day(t)
            if kind == "home" and d.u() < 0.5:
                forced = "cic"  # a second period of care
            elif kind == "cp" and d.u() < 0.3:
                forced = "cp"  # a second plan
            if d.u() < 0.03:  # the family moved: a neighbouring team from now on
                others = SAME_AREA[self.home[c]]
                self.home[c] = others[int(d.u() * len(others))]

    def episode(self, c: int, t: int, forced: str | None, override: dict | None) -> tuple[int, str]:
        """A referral on day t and what follows it; returns (the day the case closed, how)."""
        d = self.d
        team = self.home[c]
        cap = add_years(self.dob[c], 18)  # services for children end at 18
        typ = forced or REF_TYPE_NAMES[d.pick(REF_TYPE_CUM)]
        if typ == "cp" and t - self.dob[c] < 365 and d.u() < 0.35:
            typ = "cic"  # babies: care proceedings from birth
        if typ == "cin" and self.disab[c] == 0 and d.u() < 0.5:
            typ = "longcin"
        src = SRC_LEGAL if typ == "uasc" else d.pick(SOURCE_CUM)
        self.r_child.append(c)
        self.r_date.append(t)
        self.r_nfa.append(typ == "nfa")
        self.r_team.append(team)
        self.r_source.append(src)
        if typ in ("nfa", "noassess"):
            return t, "nfa"

        # the assessment
        if override:
            a_start, auth = override["start"], override["auth"]
        else:
            x = d.u()
            a_start = t if (x < 0.7 or typ == "uasc") else next_working(t + (d.uni(1, 4) if x < 0.95 else d.uni(4, 11)))
            x = d.u()
            if x < 0.003:
                dur = 0  # authorised the day it started
            elif x < 0.83:
                dur = int(5 + 53 * (d.u() + d.u()) / 2)
            elif x < 0.96:
                dur = d.uni(58, 71)
            else:
                dur = d.uni(71, 150)
            auth = a_start + dur
            if not is_working(auth) and d.u() < 0.95:
                auth = next_working(auth)
        x = d.u()
        seen = 0 if x < 0.972 else (1 if x < 0.99 else 2)
        self.a_child.append(c)
        self.a_start.append(a_start)
        self.a_auth.append(auth)
        self.a_seen.append(seen)
        self.a_team.append(team)

        # the child in need episode, from the referral
        n = len(self.n_child)
        self.n_child.append(c)
        self.n_start.append(t)
        self.n_end.append(auth)
        self.n_team.append(team)
        self.n_need.append(NEEDS.index(("N8 - Absent parenting", 3)) if typ == "uasc" else
                           (-1 if self.disab[c] == 0 and d.u() < 0.6 else d.pick(NEED_CUM)))
        self.n_reason.append(RC8 if d.u() < 0.7 else RC9)
        self.n_cp.append(-1)
        self.n_care.append(-1)

        if typ == "closed":
            return auth, "closed"
        if typ in ("cin", "longcin"):
            if typ == "longcin":
                end = auth + d.uni(400, 2600)
                if d.u() < 0.6:
                    self.n_team[n] = disabled_team(team)
            else:
                x = d.u()
                end = auth + (d.uni(40, 240) if x < 0.6 else d.uni(240, 540) if x < 0.9 else d.uni(540, 1100))
            end = min(end, cap - 1)
            self.n_end[n] = max(end, auth)
            self.n_reason[n] = RC7 if d.u() < 0.93 else RC5
            return self.n_end[n], "cin"
        if typ == "cp":
            return self.cp_path(c, n, t, a_start, auth, team, cap)
        # care straight from the assessment
        if typ == "uasc":
            start = t
        elif typ == "sb":
            start = auth + d.uni(14, 90)
        else:
            start = a_start + d.uni(0, 45)
        start = min(start, cap - 30)
        return self.care_then_close(c, n, start, team, cap, typ)

    def cp_path(self, c, n, t, a_start, auth, team, cap) -> tuple[int, str]:
        d = self.d
        start = max(a_start + d.uni(10, 42), t + 1)
        if start >= cap - 30:
            self.n_end[n] = max(auth, min(start, cap - 1))
            self.n_reason[n] = RC7
            return self.n_end[n], "cin"
        x = d.u()
        length = (d.uni(90, 270) if x < 0.43 else d.uni(270, 450) if x < 0.73 else
                  d.uni(450, 600) if x < 0.855 else d.uni(600, 1000))
        end = min(start + length, cap - 1)
        if d.u() < 0.06:  # plans end at review conferences: a working day
            end = next_working(end)
        if self.prior_cp[c] < 0:
            x = d.u()
            self.prior_cp[c] = 0 if x < 0.875 else 1 if x < 0.965 else 2 if x < 0.99 else 3
        p_team = team
        if d.u() < 0.04:  # moved to another team when the plan started
            others = SAME_AREA[team]
            p_team = others[int(d.u() * len(others))]
            self.home[c] = p_team
        elif self.disab[c] == 0 and d.u() < 0.25:
            p_team = disabled_team(team)
        p = len(self.p_child)
        self.p_child.append(c)
        self.p_start.append(start)
        self.p_end.append(end)
        self.p_prev.append(self.prior_cp[c] + self.cp_count[c])
        self.p_team.append(p_team)
        self.p_cat.append(d.pick(ABUSE_CUM))
        self.cp_count[c] += 1
        self.n_cp[n] = p
        self.n_team[n] = p_team
        x = d.u()
        if x < (0.3 if end - self.dob[c] < 5 * 365 else 0.12) and end < cap - 60:  # into care when the plan ends
            return self.care_then_close(c, n, end, p_team, cap, "cic")
        if x < 0.72:
            self.n_end[n] = min(end + d.uni(30, 300), cap - 1)
            self.n_reason[n] = RC7
            return self.n_end[n], "cp"
        self.n_end[n] = end
        self.n_reason[n] = RC7
        return end, "cp"

    def care_then_close(self, c, n, start, team, cap, typ) -> tuple[int, str]:
        end, how = self.care(c, start, team, cap, typ)
        self.n_care[n] = len(self.c_child) - 1
        d = self.d
        if how == "home":
            self.n_end[n] = min(end + d.uni(20, 200), cap - 1)
            self.n_reason[n] = RC7
        else:
            self.n_end[n] = end
            self.n_reason[n] = {"adopted": RC1, "sgo": RC4, "age18": RC6 if d.u() < 0.2 else RC7}.get(how, RC7)
        self.n_end[n] = max(self.n_end[n], end)
        return self.n_end[n], how

    def care(self, c, start, team, cap, typ) -> tuple[int, str]:
        """A period of care from `start`; returns (the day it ended, how)."""
        d = self.d
        age = (start - self.dob[c]) / 365.25
        po = decision = match = placed = adopted = reversed_ = 0
        order = 0
        route = L_V2
        if typ == "uasc":
            how = "age18" if d.u() < 0.92 else "other"
            end = cap if how == "age18" else start + d.uni(20, 300)
            reason = E5 if d.u() < 0.7 else E6
            if how == "other":
                reason = E15 if d.u() < 0.6 else E8
        elif typ == "sb":
            how = "sb"
            end = start + d.uni(300, 2200)
            route = L_V3 if d.u() < 0.6 else L_V4
            reason = E13 if d.u() < 0.5 else E8
        else:
            x = d.u()
            if age < 1:
                how = "adopt" if x < 0.7 else "sgo" if x < 0.8 else "home" if x < 0.94 else "long"
            elif age < 5:
                how = "adopt" if x < 0.55 else "sgo" if x < 0.68 else "home" if x < 0.88 else "long"
            elif age < 10:
                how = "sgo" if x < 0.15 else "home" if x < 0.55 else "long"
            elif age < 14:
                how = "home" if x < 0.45 else "long"
            else:
                how = "home" if x < 0.5 else "long"
            if how == "home":
                end = start + (d.uni(7, 300) if d.u() < 0.7 else d.uni(300, 900))
                reason = E4A if d.u() < 0.85 else E4B
            elif how == "sgo":
                end = start + d.uni(300, 800)
                reason = E45 if d.u() < 0.4 else E47
            elif how == "adopt":
                decision = start + d.uni(120, 330)
                po = decision + d.uni(30, 150)
                if d.u() < 0.9:
                    match = po + d.uni(60, 330)
                    placed = match + d.uni(5, 40)
                    adopted = placed + d.uni(90, 300)
                    end = adopted
                    reason = E11 if d.u() < 0.45 else E12
                else:  # no adopters found: long-term fostering instead
                    reversed_ = po + d.uni(250, 700)
                    how, end, reason = "long", cap, E5
            else:
                end = cap
                if age >= 14 and d.u() < 0.12:
                    end = add_years(self.dob[c], 17) + d.uni(0, 364)
                reason = E5 if d.u() < 0.55 else E6 if d.u() < 0.4 else E13
            if age >= 16 or (how == "home" and d.u() < 0.6) or (age >= 10 and d.u() < 0.3):
                route = L_V2
            else:
                route = L_C1
                order = start + d.uni(120, 420)
        end = max(start + 1, min(end, cap))
        if how == "long" and end >= cap:
            how = "age18"
        # allocated team
        if typ == "uasc":
            c_team = T_UASC if d.u() < 0.85 else cic_team(team)
        elif typ == "sb" or (self.disab[c] == 0 and d.u() < 0.4):
            c_team = disabled_team(team if team < 12 else self.home[c])
        else:
            c_team = cic_team(team if team < 12 else self.home[c])
        k = len(self.c_child)
        self.c_child.append(c)
        self.c_start.append(start)
        self.c_end.append(end)
        self.c_team.append(c_team)
        self.c_reason.append(reason)
        self.c_route.append(route)
        self.c_order.append(order)
        self.c_decision.append(decision)
        self.c_po.append(po)
        self.c_match.append(match)
        self.c_placed.append(placed)
        self.c_adopted.append(adopted)
        self.c_reversed.append(reversed_)
        self.c_uasc.append(typ == "uasc")
        # placement moves: most children settle, some move often
        if route in (L_V3, L_V4):
            rate = 0.0
        else:
            x = d.u()
            rate = 0.22 if x < 0.74 else 1.0 if x < 0.92 else 2.8
        last = min(end, SIM_END)
        span = (last - start) / 365.25
        moves = []
        if span > 0:
            if d.u() < 0.25:  # an early move from the first (emergency) placement
                moves.append(start + d.uni(3, 90))
            m = int(span * rate + d.u())  # expected count, randomly rounded
            moves.extend(start + d.uni(1, last - start + 1) for _ in range(m))
        for mv in sorted({mv for mv in moves if mv < last}):
            self.mv_care.append(k)
            self.mv_date.append(mv)
        # a care leaver: looked after at 16 or later, for 13 weeks since 14
        since14 = max(start, add_years(self.dob[c], 14))
        # (some move away or to another authority's leaving care service: not listed)
        if how in ("age18", "long") and end - self.dob[c] >= 16 * 365.25 and end - since14 >= 91 and d.u() < 0.55:
            self.l_child.append(c)
            self.l_left.append(end)
        if (typ == "uasc" and how == "age18" and end - start >= 91 and d.u() < 0.7
                and not (self.l_child and self.l_child[-1] == c)):
            self.l_child.append(c)
            self.l_left.append(end)
        return end, how

    # -- everyone

    def arrivals(self, rate: float, start: int, end: int) -> np.ndarray:
        n = round(rate * self.scale * (end - start) / 365.25)
        return np.sort(self.rng.integers(start, end, n))

    def run(self) -> None:
        d = self.d
        f = RATES["first_referrals"]
        share = dict(REF_TYPES)
        # Before 2014: only the children whose case was still open in 2014 matter (care from 1998,
        # plans and long child in need episodes from 2010, asylum seekers and short breaks).
        jobs: list[tuple[int, int, str, str]] = []  # (day, order, kind, forced type)
        cic_all = 0.8 * f * (share["cic"] + share["cp"] * 0.14)
        kinds = [("legacy-cic", cic_all, date(1998, 1, 1), date(2010, 1, 1), "cic"),
                 ("legacy-cic", f * share["cic"], date(2010, 1, 1), date(2014, 1, 1), "cic"),
                 ("legacy", f * share["cp"], date(2010, 1, 1), date(2014, 1, 1), "cp"),
                 ("legacy-cin", f * share["cin"] * 0.07 * 0.5, date(2008, 1, 1), date(2014, 1, 1), "longcin"),
                 ("uasc", RATES["uasc"], date(2011, 1, 1), date(2016, 8, 31), "uasc"),
                 ("sb", RATES["short_breaks"], date(2006, 1, 1), date(2016, 8, 31), "sb"),
                 ("general", f, date(2014, 1, 1), date(2016, 8, 31), "")]
        order = 0
        for kind, rate, a, b, forced in kinds:
            for day in self.arrivals(rate, a.toordinal(), b.toordinal()).tolist():
                jobs.append((day, order, kind, forced))
                order += 1
        jobs.sort()
        for day, _, kind, forced in jobs:
            day = self.ref_day(day)
            if kind == "uasc":
                age = int((15 + 2.9 * (d.u() + d.u()) / 2) * 365.25)
                c = self.new_child(day, age, uasc=True)
            elif kind == "legacy-cic":
                age = int((d.pick(CARE_AGE_CUM) + d.u()) * 365.25)
                c = self.new_child(day, age)
            elif kind == "sb":
                age = int(d.uni(5, 15) * 365.25 + d.uni(0, 364))
                c = self.new_child(day, age, disabled=True)
            elif kind == "legacy-cin":
                age = int(d.uni(2, 14) * 365.25 + d.uni(0, 364))
                c = self.new_child(day, age, disabled=True)
            else:
                age = int((d.pick(AGE_CUM) + d.u()) * 365.25)
                c = self.new_child(day, age)
            self.child_path(c, day, forced or None)
        self.edge_cases()

    def edge_cases(self) -> None:
        """Children made on purpose: assessments whose 45th working day is next to a bank holiday."""
        self.edge: list[tuple[int, str]] = []
        cases = [  # (45th working day, days after it the assessment was authorised, note)
            (date(2015, 12, 24), 0, "45th working day 24/12/2015 (before Christmas), authorised that day: in time"),
            (date(2015, 12, 24), 5, "45th working day 24/12/2015, authorised 29/12/2015 (46th working day): late"),
            (date(2015, 12, 29), 0, "45th working day 29/12/2015 (after 25 and 28 Dec), authorised that day: in time"),
            (date(2016, 3, 24), 0, "45th working day 24/03/2016 (before Good Friday), authorised that day: in time"),
            (date(2016, 3, 24), 5, "45th working day 24/03/2016, authorised 29/03/2016 (46th working day): late"),
            (date(2016, 3, 29), 0, "45th working day 29/03/2016 (after Easter Monday), authorised that day: in time"),
            (date(2016, 5, 3), 0, "45th working day 03/05/2016 (after the May Day holiday), "
                                  "authorised that day: in time"),
            (date(2016, 5, 31), 0, "45th working day 31/05/2016 (after the Spring holiday), "
                                   "authorised that day: in time"),
            (date(2016, 5, 31), 1, "45th working day 31/05/2016, authorised 01/06/2016 (46th working day): late"),
        ]
        d = self.d
        for deadline, after, note in cases:
            dl = deadline.toordinal()
            # the working day whose 45th working day is the deadline
            start = int(np.searchsorted(CUM_WD, CUM_WD[dl - CAL0] - 45)) + CAL0
            assert working_deadline(start) == dl, (deadline, date.fromordinal(start))
            age = int((d.pick(AGE_CUM) + d.u()) * 365.25)
            c = self.new_child(start, age)
            self.child_path(c, start, "closed", {"start": start, "auth": dl + after})
            self.edge.append((c, note))


CSWT_CUM = _cum(w for _, _, w in CSWT)


# ----------------------------------------------------------------------------- arrays


class Arrays:
    """The population's lists as numpy arrays, with what every view needs computed once."""

    def __init__(self, pop: Population):
        def A(xs, t=np.int64):
            return np.asarray(xs, dtype=t)

        # child IDs: numbered in the order children were first referred
        order = np.lexsort((np.arange(len(pop.first)), A(pop.first)))
        self.ids = np.empty(len(order), dtype=np.int64)
        self.ids[order] = 100001 + np.arange(len(order))
        self.dob = A(pop.dob)
        self.gender, self.eth, self.disab = A(pop.gender), A(pop.eth), A(pop.disab)
        self.r = {k: A(getattr(pop, "r_" + k)) for k in ("child", "date", "nfa", "team", "source")}
        self.a = {k: A(getattr(pop, "a_" + k)) for k in ("child", "start", "auth", "seen", "team")}
        self.n = {k: A(getattr(pop, "n_" + k)) for k in ("child", "start", "end", "team", "need", "reason", "cp",
                                                         "care")}
        self.p = {k: A(getattr(pop, "p_" + k)) for k in ("child", "start", "end", "prev", "team", "cat")}
        self.c = {k: A(getattr(pop, "c_" + k)) for k in ("child", "start", "end", "team", "reason", "route", "order",
                                                         "decision", "po", "match", "placed", "adopted", "reversed",
                                                         "uasc")}
        self.mv_care, self.mv_date = A(pop.mv_care), A(pop.mv_date)
        self.l_child, self.l_left = A(pop.l_child), A(pop.l_left)
        self.edge = pop.edge
        self._referral_counts()
        self._visits(pop.rng)
        self._leaver_status(pop.rng)

    def _referral_counts(self) -> None:
        """Number of Referrals in Last 12 Months: the child's referrals in the 12 months up to and
        including this one (1 = no earlier referral in that time)."""
        child, day = self.r["child"], self.r["date"]
        order = np.lexsort((day, child))
        counts = np.ones(len(day), dtype=np.int64)
        ch, dd = child[order], day[order]
        for lag in range(1, 12):
            same = np.zeros(len(dd), dtype=bool)
            same[lag:] = (ch[lag:] == ch[:-lag]) & (dd[lag:] - dd[:-lag] < 365)
            if not same.any():
                break
            counts += same
        self.r["count"] = np.empty_like(counts)
        self.r["count"][order] = counts

    def _visits(self, rng: np.random.Generator) -> None:
        """Statutory visits to children on plans: about every 10 days, now and then late."""
        first_window = date(2015, 4, 1).toordinal()
        starts, ends = self.p["start"], self.p["end"]
        shown = np.flatnonzero((ends >= first_window) & (starts <= SIM_END))
        self.visit_plan = shown
        vis_idx, vis_day = [], []
        for p in shown.tolist():
            last = min(int(ends[p]), SIM_END)
            n = (last - int(starts[p])) // 6 + 4
            x = rng.random(n)
            gaps = np.where(x < 0.86, rng.integers(5, 11, n), np.where(x < 0.97, rng.integers(11, 21, n),
                                                                       rng.integers(21, 45, n)))
            days = int(starts[p]) + rng.integers(0, 6) + np.cumsum(gaps) - gaps[0]
            days = days[days <= last]
            vis_idx.append(np.full(len(days), p))
            vis_day.append(days)
        self.vis_plan = np.concatenate(vis_idx) if vis_idx else np.zeros(0, np.int64)
        self.vis_day = np.concatenate(vis_day) if vis_day else np.zeros(0, np.int64)

    def _leaver_status(self, rng: np.random.Generator) -> None:
        """Care leavers' contact, accommodation and activity at each report date: each keeps
        last month's answers or gets new ones."""
        n = len(self.l_child)
        touch = np.zeros((n, 12), np.int64)
        suit = np.zeros((n, 12), np.int64)
        act = np.zeros((n, 12), np.int64)  # index into EET + NEET
        tw = np.cumsum(IN_TOUCH_W) / sum(IN_TOUCH_W)
        aw = np.cumsum(EET_W + NEET_W) / sum(EET_W + NEET_W)
        u = rng.random((n, 12, 4))
        for k in range(12):
            new_t = np.searchsorted(tw, u[:, k, 1], side="right")
            new_s = (u[:, k, 2] >= 0.87).astype(np.int64)
            new_a = np.searchsorted(aw, u[:, k, 3], side="right")
            if k == 0:
                touch[:, k], suit[:, k], act[:, k] = new_t, new_s, new_a
            else:
                keep = u[:, k, 0] < 0.75
                touch[:, k] = np.where(keep, touch[:, k - 1], new_t)
                suit[:, k] = np.where(keep, suit[:, k - 1], new_s)
                act[:, k] = np.where(keep, act[:, k - 1], new_a)
        # the dead stay dead
        died = np.maximum.accumulate(touch == 2, axis=1)
        touch[died] = 2
        self.l_touch, self.l_suit, self.l_act = touch, suit, act


# ----------------------------------------------------------------------------- one month's view


def month_start(r: date, back: int) -> int:
    m = r.year * 12 + r.month - 1 - back
    return date(m // 12, m % 12 + 1, 1).toordinal()


def latest_per_child(idx: np.ndarray, child: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Of the rows idx, each child's row with the latest start."""
    if len(idx) == 0:
        return idx
    order = idx[np.lexsort((start[idx], child[idx]))]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = child[order][1:] != child[order][:-1]
    return order[last]


class View:
    """The Annex A lists at report date R, as rows of Python values (dates as day ordinals)."""

    def __init__(self, arr: Arrays, k: int):
        self.arr, self.k = arr, k
        self.R = MONTH_ENDS[k]
        R = self.R.toordinal()
        self.r_ord = R
        self.w = month_start(self.R, 5)  # the six-month window: 1st of month R-5 to R
        a = arr
        W = self.w

        # List 3: referrals in the window
        rd = a.r["date"]
        self.l3 = np.flatnonzero((rd >= W) & (rd <= R))
        self.l3 = self.l3[np.lexsort((a.ids[a.r["child"][self.l3]], rd[self.l3]))]

        # List 4: started in the window or open at R, or authorised in the window
        s, au = a.a["start"], a.a["auth"]
        self.l4 = np.flatnonzero((s <= R) & ((s >= W) | (au > R) | ((au >= W) & (au <= R))))
        self.l4 = self.l4[np.lexsort((a.ids[a.a["child"][self.l4]], s[self.l4]))]

        # who is in care / on a plan / being assessed at R
        cs, ce = a.c["start"], a.c["end"]
        in_care = np.zeros(len(a.ids), bool)
        in_care[a.c["child"][(cs <= R) & (ce > R)]] = True
        ps, pe = a.p["start"], a.p["end"]
        on_plan = np.zeros(len(a.ids), bool)
        on_plan[a.p["child"][(ps <= R) & (pe > R)]] = True
        assessing = np.zeros(len(a.ids), bool)
        assessing[a.a["child"][(s <= R) & (au > R)]] = True
        self.in_care, self.on_plan, self.assessing = in_care, on_plan, assessing

        def episodes(start, end):
            return np.flatnonzero((start <= R) & ((end > R) | (end >= W)))

        ns, ne = a.n["start"], a.n["end"]
        self.l6 = latest_per_child(episodes(ns, ne), a.n["child"], ns)
        self.l7 = latest_per_child(episodes(ps, pe), a.p["child"], ps)
        self.l8 = latest_per_child(episodes(cs, ce), a.c["child"], cs)
        for name in ("l6", "l7", "l8"):
            idx = getattr(self, name)
            child = {"l6": a.n, "l7": a.p, "l8": a.c}[name]["child"]
            setattr(self, name, idx[np.argsort(a.ids[child[idx]], kind="stable")])

        # List 7: last statutory visit on or before R (and the plan's end)
        last_visit = {}
        vmask = a.vis_day <= R
        vp, vd = a.vis_plan[vmask], a.vis_day[vmask]
        if len(vp):
            order = np.lexsort((vd, vp))
            vp, vd = vp[order], vd[order]
            tail = np.ones(len(vp), bool)
            tail[:-1] = vp[1:] != vp[:-1]
            last_visit = dict(zip(vp[tail].tolist(), vd[tail].tolist(), strict=False))
        self.last_visit = last_visit

        # List 8: placements in the last 12 months (the one at the start of the 12 months, plus moves)
        lo = add_years(R, -1)
        mv = (a.mv_date > lo) & (a.mv_date <= R)
        self.moves = np.bincount(a.mv_care[mv], minlength=len(cs))
        # UASC in the last 12 months: an asylum-seeking child's period of care within them
        self.uasc_recent = np.zeros(len(a.ids), bool)
        recent = a.c["uasc"].astype(bool) & (cs <= R) & (ce > lo)
        self.uasc_recent[a.c["child"][recent]] = True

        # List 9: care leavers aged 17 to 21 at R (left care on or before R)
        lc, ll = a.l_child, a.l_left
        age = (R - a.dob[lc]) / 365.25
        self.l9 = np.flatnonzero((ll <= R) & (age >= 17) & (age < 22) & ~in_care[lc])
        self.l9 = latest_per_child(self.l9, lc, ll)
        self.l9 = self.l9[np.argsort(a.ids[lc[self.l9]], kind="stable")]

        # List 10: adopted in the 12 months to R, or with a placement order and not adopted by R
        po, ad, rv = a.c["po"], a.c["adopted"], a.c["reversed"]
        adopted = (ad > lo) & (ad <= R)
        waiting = (po > 0) & (po <= R) & ((ad == 0) | (ad > R)) & ((rv == 0) | (rv >= W))
        self.l10 = latest_per_child(np.flatnonzero(adopted | waiting), a.c["child"], cs)
        self.l10 = self.l10[np.argsort(a.ids[a.c["child"][self.l10]], kind="stable")]

    def age(self, child: int) -> int:
        dob = date.fromordinal(int(self.arr.dob[child]))
        R = self.R
        return R.year - dob.year - ((R.month, R.day) < (dob.month, dob.day))

    def dated(self, day: int) -> int | None:
        """A date as shown at R: blank if it had not happened yet (or never happens)."""
        return day if 0 < day <= self.r_ord else None


# ----------------------------------------------------------------------------- the files

# How each file is written: sheet names, a title row, headers, codes, dates, IDs, team names.
LAYOUTS = {
    "2015-09-30": {},
    "2015-10-31": {"sheets": "underscore"},
    "2015-11-30": {"title": True, "dartford": "curly"},
    "2015-12-31": {"sheets": "named", "headers": "lower"},
    "2016-01-31": {"codes": "bare"},
    "2016-02-29": {"ids": "number"},
    "2016-03-31": {"dates": "text", "headers": "spaced", "dartford": "curly"},
    "2016-04-30": {"sheets": "underscore", "title": True},
    "2016-05-31": {"teams": "ashford", "headers": "curly"},
    "2016-06-30": {"sheets": "named", "codes": "bare", "title": True},
    "2016-07-31": {"dates": "text", "headers": "upper"},
    "2016-08-31": {},
}
SHEET_TITLES = {1: "Contacts", 2: "Early Help", 3: "Referrals", 4: "Assessments", 5: "Section 47",
                6: "Children in Need", 7: "Child Protection", 8: "Children Looked After",
                9: "Care Leavers", 10: "Adoption", 11: "Adopters"}
_PREFIX = re.compile(r"^[a-z]{1,2}\d?\) ")
# headers written with two spaces / a trailing space in the "spaced" files
SPACED = {"Date of referral": "Date of  referral", "CIN Start Date": "CIN Start Date ",
          "Child Protection Plan End Date": "Child Protection  Plan End Date",
          "Allocated Team": "Allocated Team ", "Child Unique ID": "Child Unique ID ",
          "LA in Touch": "LA in  Touch", "Date of Placement Order": "Date of Placement Order  "}


def sheet_name(n: int, mode: str) -> str:
    if mode == "underscore":
        return f"List_{n}"
    if mode == "named":
        return f"List {n} - {SHEET_TITLES[n]}"
    return f"List {n}"


def header_text(h: str, mode: str) -> str:
    if mode == "lower":
        return h.lower()
    if mode == "upper":
        return h.upper()
    if mode == "spaced":
        return SPACED.get(h, h)
    if mode == "curly":
        return h.replace("'", "\u2019") + (" " if h in ("Allocated Team", "Date of referral") else "")
    return h


class Writer:
    """One workbook: sheets of typed columns, with the file's layout applied."""

    def __init__(self, path: Path, view: View, layout: dict):
        self.view, self.layout = view, layout
        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                                  "strings_to_numbers": False})
        R = view.R
        self.wb.set_properties({"title": f"Annex A {R:%B %Y}", "author": "Synthetic sample (scorecard-xl)",
                                "comments": "Synthetic data: no real child is in this file.",
                                "created": datetime(R.year, R.month, R.day)})
        self.bold = self.wb.add_format({"bold": True})
        self.datefmt = self.wb.add_format({"num_format": "dd/mm/yyyy"})
        self.text_dates = layout.get("dates") == "text"
        self.bare = layout.get("codes") == "bare"
        self.number_ids = layout.get("ids") == "number"
        self.teams = list(TEAMS)
        if layout.get("dartford") == "curly":
            self.teams[0] = DARTFORD.replace("'", "\u2019")
        if layout.get("teams") == "ashford":
            self.teams[7] = "ashford  cswt"
        self._date_text: dict[int, str] = {}

    def code(self, text: str) -> str:
        return _PREFIX.sub("", text) if self.bare else text

    def sheet(self, n: int, columns: list[tuple[str, str]], rows) -> int:
        """columns: (header, kind) with kind id / text / code / date / int; rows: tuples of values."""
        layout = self.layout
        ws = self.wb.add_worksheet(sheet_name(n, layout.get("sheets", "space")))
        top = 0
        if layout.get("title"):
            r = self.view.R
            ws.write_string(0, 0, f"Annex A List {n}: {SHEET_TITLES[n]} - report date {r:%d/%m/%Y}", self.bold)
            top = 2
        hmode = layout.get("headers", "")
        for j, (h, kind) in enumerate(columns):
            ws.write_string(top, j, header_text(h, hmode), self.bold)
            ws.set_column(j, j, 12 if kind in ("date", "int") else 16)
        ws.freeze_panes(top + 1, 0)
        kinds = [kind for _, kind in columns]
        write_string, write_number = ws.write_string, ws.write_number
        datefmt, text_dates, number_ids, bare = self.datefmt, self.text_dates, self.number_ids, self.bare
        date_text = self._date_text
        row = top
        for values in rows:
            row += 1
            for j, v in enumerate(values):
                if v is None:
                    continue
                kind = kinds[j]
                if kind == "date":
                    if text_dates:
                        s = date_text.get(v)
                        if s is None:
                            s = date_text[v] = date.fromordinal(v).strftime("%d/%m/%Y")
                        write_string(row, j, s)
                    else:
                        write_number(row, j, v - EXCEL_EPOCH, datefmt)
                elif kind == "int":
                    write_number(row, j, v)
                elif kind == "id":
                    if number_ids:
                        write_number(row, j, v)
                    else:
                        write_string(row, j, str(v))
                elif kind == "code":
                    write_string(row, j, _PREFIX.sub("", v) if bare else v)
                else:
                    write_string(row, j, v)
        return row - top

    def close(self) -> None:
        self.wb.close()


PERSON = [("Child Unique ID", "id"), ("Gender", "code"), ("Ethnicity", "code"), ("Date of Birth", "date")]
DISABLED = [("Does the Child have a Disability", "code")]


def write_file(path: Path, arr: Arrays, v: View, layout: dict) -> dict[str, int]:
    k = v.k
    out = Writer(path, v, layout)
    teams = out.teams
    ids = arr.ids.tolist()
    dob = arr.dob.tolist()
    gender = [GENDERS[g] for g in arr.gender.tolist()]
    eth = [ETHNICITIES[e][0] for e in arr.eth.tolist()]
    disab = [DISABILITY[x] for x in arr.disab.tolist()]

    def person(c: int, disability: bool = False) -> tuple:
        base = (ids[c], gender[c], eth[c], dob[c])
        return base + (disab[c],) if disability else base

    counts: dict[str, int] = {}
    R = v.r_ord

    # List 1 (contacts) and 2 (early help): a few rows, read past by scorecard-xl
    r_child, r_date, r_team = arr.r["child"], arr.r["date"], arr.r["team"]
    few = v.l3[:: max(1, len(v.l3) // 8)][:8].tolist()
    out.sheet(1, PERSON + [("Date of Contact", "date"), ("Contact Source", "code"), ("Allocated Team", "text")],
              [person(int(r_child[i])) + (int(r_date[i]) - (i % 3), SOURCES[int(arr.r["source"][i])][0],
                                          teams[int(r_team[i])]) for i in few])
    out.sheet(2, PERSON + [("Assessment start date", "date"), ("Assessment completion date", "date"),
                           ("Organisation completing assessment", "text")],
              [person(int(r_child[i])) + (int(r_date[i]) - 120 - 7 * (i % 5), int(r_date[i]) - 70 + (i % 9),
                                          "Early Help Unit") for i in few[:6]])

    # List 3
    src, nfa, cnt = arr.r["source"].tolist(), arr.r["nfa"].tolist(), arr.r["count"].tolist()
    rc, rd, rt = r_child.tolist(), r_date.tolist(), r_team.tolist()
    counts["List 3"] = out.sheet(3, PERSON + [("Date of referral", "date"), ("Referral Source", "code"),
                                              ("Referral NFA?", "code"),
                                              ("Number of Referrals in Last 12 Months", "int"),
                                              ("Allocated Team", "text")],
                                 (person(rc[i]) + (rd[i], SOURCES[src[i]][0], "a) Yes" if nfa[i] else "b) No",
                                                   cnt[i], teams[rt[i]]) for i in v.l3.tolist()))

    # List 4
    ac, ast, aau, ase, atm = (arr.a[k].tolist() for k in ("child", "start", "auth", "seen", "team"))
    counts["List 4"] = out.sheet(4, PERSON + DISABLED + [("Continuous Assessment Start Date", "date"),
                                                         ("Child Seen During Continuous Assessment", "code"),
                                                         ("Continuous Assessment Date of Authorisation", "date"),
                                                         ("Allocated Team", "text")],
                                 (person(ac[i], True) + (ast[i], YES_NO_UNKNOWN[ase[i]], v.dated(aau[i]),
                                                         teams[atm[i]]) for i in v.l4.tolist()))

    # List 5 (section 47 enquiries): a few rows from plans started in the window
    ps = arr.p["start"]
    l5 = np.flatnonzero((ps >= v.w) & (ps <= R))[:8].tolist()
    out.sheet(5, PERSON + DISABLED + [("Strategy discussion initiating Section 47 Enquiry Start Date", "date"),
                                      ("Was an Initial Child Protection Conference deemed unnecessary?", "code"),
                                      ("Date of Initial Child Protection Conference", "date"),
                                      ("Did the Initial Child Protection Conference Result in a Child Protection Plan",
                                       "code"),
                                      ("Allocated Team", "text")],
              [person(int(arr.p["child"][p]), True) + (int(ps[p]) - 14 - p % 7, "b) No", int(ps[p]), "a) Yes",
                                                        teams[int(arr.p["team"][p])]) for p in l5])

    # List 6
    n = arr.n
    nc, ns, ne, nt, nneed, nreason, ncp, ncare = (n[k].tolist() for k in ("child", "start", "end", "team", "need",
                                                                           "reason", "cp", "care"))
    cst, cte = arr.c["start"].tolist(), arr.c["team"].tolist()
    pst, pte = arr.p["start"].tolist(), arr.p["team"].tolist()
    in_care, on_plan, assessing = v.in_care.tolist(), v.on_plan.tolist(), v.assessing.tolist()

    def cin_row(i: int) -> tuple:
        c = nc[i]
        if ne[i] <= R:
            status = 4
        elif in_care[c]:
            status = 0
        elif on_plan[c]:
            status = 1
        elif assessing[c]:
            status = 3
        else:
            status = 2
        team = nt[i]
        if ncare[i] >= 0 and cst[ncare[i]] <= R:
            team = cte[ncare[i]]
        elif ncp[i] >= 0 and pst[ncp[i]] <= R:
            team = pte[ncp[i]]
        need = N2 if nneed[i] < 0 else NEEDS[nneed[i]][0]
        closed = ne[i] <= R
        return person(c, True) + (ns[i], need, ne[i] if closed else None,
                                  CIN_REASONS[nreason[i]] if closed else None, CASE_STATUS[status], teams[team])

    counts["List 6"] = out.sheet(6, PERSON + DISABLED + [("CIN Start Date", "date"), ("Primary Need Code", "text"),
                                                         ("CIN Closure Date", "date"), ("Reason for Closure", "text"),
                                                         ("Case Status", "code"), ("Allocated Team", "text")],
                                 (cin_row(i) for i in v.l6.tolist()))

    # List 7
    pc, pe, pprev, pcat = (arr.p[k].tolist() for k in ("child", "end", "prev", "cat"))
    counts["List 7"] = out.sheet(7, PERSON + DISABLED + [("Child Protection Plan Start Date", "date"),
                                                         ("Initial Category of Abuse", "code"),
                                                         ("Date of the Last Statutory Visit", "date"),
                                                         ("Child Protection Plan End Date", "date"),
                                                         ("Number of Previous Child Protection Plans", "int"),
                                                         ("Allocated Team", "text")],
                                 (person(pc[i], True) + (pst[i], ABUSE[pcat[i]][0], v.last_visit.get(i),
                                                         v.dated(pe[i]), pprev[i], teams[pte[i]])
                                  for i in v.l7.tolist()))

    # List 8
    c = arr.c
    cc, ce, creason, croute, corder, cpo = (c[k].tolist() for k in ("child", "end", "reason", "route", "order", "po"))
    moves = v.moves.tolist()
    uasc_recent = v.uasc_recent.tolist()
    crev = c["reversed"].tolist()

    def care_row(i: int) -> tuple:
        route = croute[i]
        when = min(R, ce[i])  # the legal status at R, or when care ceased
        if cpo[i] and cpo[i] <= when and not (0 < crev[i] <= when):
            legal = L_E1
        elif cpo[i] and cpo[i] <= when:
            legal = L_C2  # the placement order revoked: back to the care order
        elif route == L_C1:
            legal = L_C2 if 0 < corder[i] <= when else L_C1
        else:
            legal = route
        ended = ce[i] <= R
        return (person(cc[i]) + ("Y" if uasc_recent[cc[i]] else "N", disab[cc[i]], cst[i], LEGAL[legal],
                                     1 + moves[i], ce[i] if ended else None,
                                     CEASED[creason[i]] if ended else None, teams[cte[i]]))

    counts["List 8"] = out.sheet(8, PERSON + [
        ("Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)", "text"),
        ("Does the Child have a Disability", "code"), ("Date Started to be Looked After", "date"),
        ("Child's Legal Status", "text"), ("Number of Placements in the Last 12 months", "int"),
        ("Date Ceased to be Looked After", "date"), ("Reason Ceased to be Looked After", "text"),
        ("Allocated Team", "text")], (care_row(i) for i in v.l8.tolist()))

    # List 9
    lc = arr.l_child.tolist()
    touch, suit, act = arr.l_touch[:, k].tolist(), arr.l_suit[:, k].tolist(), arr.l_act[:, k].tolist()
    activities = EET + NEET

    def leaver_row(i: int) -> tuple:
        ch = lc[i]
        t = touch[i]
        yes = t == 0
        return person(ch, True) + (teams[T_LEAVING], ELIGIBILITY[0 if v.age(ch) < 18 else 1], IN_TOUCH[t],
                                   SUITABLE[suit[i]] if yes else None, activities[act[i]] if yes else None)

    counts["List 9"] = out.sheet(9, PERSON + DISABLED + [("Allocated Team", "text"), ("Eligibility Category", "code"),
                                                         ("LA in Touch", "code"),
                                                         ("Suitability of Accommodation", "code"),
                                                         ("Activity Status", "text")],
                                 (leaver_row(i) for i in v.l9.tolist()))

    # List 10
    cdec, cmatch, cplaced, cad = (c[k].tolist() for k in ("decision", "match", "placed", "adopted"))
    counts["List 10"] = out.sheet(10, PERSON + DISABLED + [
        ("Date the Child Entered Care", "date"),
        ("Date of Decision that Child Should be Placed for Adoption", "date"),
        ("Date of Placement Order", "date"), ("Date of Matching Child and Prospective Adopters", "date"),
        ("Date Placed for Adoption", "date"), ("Date of Adoption Order", "date"),
        ("Date of Decision that Child Should No Longer be Placed for Adoption", "date")],
        (person(cc[i], True) + (cst[i], v.dated(cdec[i]), v.dated(cpo[i]), v.dated(cmatch[i]), v.dated(cplaced[i]),
                                v.dated(cad[i]), v.dated(crev[i])) for i in v.l10.tolist()))

    # List 11 (adopters): a few rows
    out.sheet(11, [("Individual adopter identifier", "text"), ("Gender", "code"), ("Ethnicity", "code"),
                   ("Date enquiry received", "date"), ("Date Stage 1 started", "date"),
                   ("Date Stage 2 started", "date"), ("Date application approved", "date"),
                   ("Allocated Team", "text")],
              [(f"AD{5000 + j:05d}", GENDERS[j % 2], ETHNICITIES[0][0] if j % 4 else ETHNICITIES[3][0],
                R - 300 + 37 * j, R - 280 + 37 * j, R - 200 + 37 * j if j < 4 else None,
                R - 110 + 37 * j if j < 2 else None, "Adoption Service") for j in range(5)])
    out.close()
    return counts


# ----------------------------------------------------------------------------- examples


def examples(arr: Arrays, views: list[View]) -> list[str]:
    """Children worth a look (the README lists those of the default seed), with the files showing them."""
    ids = arr.ids
    first_w = views[0].w
    out = [f"child {ids[c]}: {note}" for c, note in arr.edge]

    def files(pred) -> str:
        names = [f"{v.R:%Y-%m-%d}" for v in views if pred(v)]
        if len(names) == len(views):
            return "all 12 files"
        return ", ".join(names) if names else "no file"

    def month_end(day: int) -> bool:
        return date.fromordinal(day + 1).day == 1

    pe = arr.p["end"]
    plans = [p for p in np.flatnonzero((pe >= first_w) & (pe <= SIM_END)).tolist() if month_end(int(pe[p]))]
    def shown(rows: str, i: int) -> int:
        return sum(i in set(getattr(v, rows).tolist()) for v in views)

    if plans:  # the one in most files
        p = min(plans, key=lambda p: (-shown("l7", p), int(ids[arr.p["child"][p]])))
        out.append(f"child {ids[arr.p['child'][p]]}: child protection plan ended "
                   f"{date.fromordinal(int(pe[p])):%d/%m/%Y}, "
                   f"the last day of a month (with that end date in List 7 of "
                   f"{files(lambda v: p in set(v.l7.tolist()) and v.r_ord >= pe[p])})")
    a_s, a_a = arr.a["start"], arr.a["auth"]
    same = np.flatnonzero((a_s == a_a) & (a_s >= first_w) & (a_s <= SIM_END))
    if len(same):
        i = min(same.tolist(), key=lambda i: (-shown("l4", i), int(ids[arr.a["child"][i]])))
        out.append(f"child {ids[arr.a['child'][i]]}: assessment started and authorised on "
                   f"{date.fromordinal(int(a_s[i])):%d/%m/%Y} (List 4 of {files(lambda v: i in set(v.l4.tolist()))})")
    cc, cs, ce = arr.c["child"], arr.c["start"], arr.c["end"]
    order = np.lexsort((cs, cc)).tolist()
    for a, b in itertools.pairwise(order):
        if cc[a] == cc[b] and first_w <= ce[a] <= SIM_END and cs[b] <= SIM_END:
            in_a = files(lambda v, a=a: a in set(v.l8.tolist()))
            in_b = files(lambda v, b=b: b in set(v.l8.tolist()))
            out.append(f"child {ids[cc[a]]}: two periods of care, {date.fromordinal(int(cs[a])):%d/%m/%Y} to "
                       f"{date.fromordinal(int(ce[a])):%d/%m/%Y} (List 8 of {in_a}) "
                       f"and from {date.fromordinal(int(cs[b])):%d/%m/%Y} (List 8 of {in_b})")
            break
    last = views[-1]
    ref_team = {int(arr.r["child"][i]): int(arr.r["team"][i]) for i in last.l3.tolist()}
    for p in last.l7.tolist():
        c, t = int(arr.p["child"][p]), int(arr.p["team"][p])
        if c in ref_team and ref_team[c] != t and t < 12 and ref_team[c] < 12:
            out.append(f"child {ids[c]}: in {last.R:%Y-%m-%d}, referral with {TEAMS[ref_team[c]]} (List 3), "
                       f"child protection plan with {TEAMS[t]} (List 7)")
            break
    always = set(arr.c["child"][views[0].l8].tolist())
    for v in views[1:]:
        always &= set(arr.c["child"][v.l8].tolist())
    if always:
        c = min(always, key=lambda c: int(ids[c]))
        out.append(f"child {ids[c]}: in List 8 of all 12 files (one of {len(always):,} such children)")
    return out


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=HERE, help="folder for the 12 workbooks (default: this script's)")
    ap.add_argument("--scale", choices=["sample", "county"], default="sample",
                    help="sample: a tenth of a county (default); county: Kent-sized, for benchmarks")
    ap.add_argument("--seed", type=int, default=2016)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    pop = Population(args.seed, 1.0 if args.scale == "county" else 0.1)
    pop.run()
    arr = Arrays(pop)
    t1 = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"{len(arr.ids):,} children, {len(arr.r['date']):,} referrals, {len(arr.a['start']):,} assessments, "
          f"{len(arr.p['start']):,} plans, {len(arr.c['start']):,} periods of care (simulated in {t1 - t0:.1f} s)")
    print(f"{'file':<24}" + "".join(f"{f'L{n}':>7}" for n in (3, 4, 6, 7, 8, 9, 10)))
    views = []
    for k, R in enumerate(MONTH_ENDS):
        name = f"annex-a-{R.isoformat()}.xlsx"
        views.append(View(arr, k))
        counts = write_file(args.out / name, arr, views[-1], LAYOUTS[R.isoformat()])
        print(f"{name:<24}" + "".join(f"{counts[f'List {n}']:>7,}" for n in (3, 4, 6, 7, 8, 9, 10)))
    print(f"written to {args.out} in {time.perf_counter() - t0:.1f} s")
    for line in examples(arr, views):
        print("example:", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
