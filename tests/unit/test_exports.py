"""The court's exports: a month's figures, and text that a spreadsheet must not run."""

from __future__ import annotations

from datetime import timedelta

from gateway.routes.exports import _cell
from services.review.domain import MonthFigures


def test_a_months_figures_count_each_outcome_and_the_mean_wait():
    month = MonthFigures(received=4, withdrawn=1)
    month.decided("approve", "online", timedelta(hours=2))
    month.decided("approve", "onsite", timedelta(hours=4))
    month.decided("reject", None, timedelta(hours=6))
    month.decided(None, None, timedelta(hours=100))  # not a decision: not counted
    assert month.as_row() == [4, 1, 1, 1, 0, 1, 3, 4.0]


def test_a_month_without_decisions_has_no_mean_wait():
    assert MonthFigures(received=2).as_row()[-2:] == [0, ""]


def test_the_year_is_the_sum_of_its_months():
    first, second = MonthFigures(received=1), MonthFigures(received=2)
    first.decided("return", None, timedelta(hours=1))
    second.decided("approve", "online", timedelta(hours=3))
    assert MonthFigures.total([first, second]).as_row() == [3, 1, 0, 0, 1, 0, 2, 2.0]


def test_text_that_looks_like_a_formula_stays_text():
    assert [_cell(v) for v in ("=1+1", "+86", "-x", "@SUM", "张三", None, 5, -5)] == [
        "'=1+1", "'+86", "'-x", "'@SUM", "张三", "", "5", "-5",
    ]  # fmt: skip
