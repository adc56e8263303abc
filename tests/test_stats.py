"""Rates and 95 % intervals of the audit (pipeline.kernel.stats) against textbook values."""

from __future__ import annotations

import pytest

from pipeline.kernel.stats import clopper_pearson, clustered_rate, fields_needed, wilson


def test_wilson_and_clopper_pearson_match_the_textbook():
    lo, hi = wilson(3, 100)  # Wilson (1927) score interval
    assert (lo, hi) == (pytest.approx(0.01025, abs=1e-4), pytest.approx(0.08452, abs=1e-4))
    lo, hi = clopper_pearson(3, 100)  # exact: Beta quantiles
    assert (lo, hi) == (pytest.approx(0.00622, abs=1e-4), pytest.approx(0.08518, abs=1e-4))
    assert clopper_pearson(0, 300) == (0.0, pytest.approx(1 - 0.025 ** (1 / 300), rel=1e-6))
    assert wilson(0, 300)[1] == pytest.approx(3.8415 / 303.8415, rel=1e-4)


def test_one_field_per_record_is_the_plain_interval_and_clustered_errors_widen_it():
    plain = clustered_rate([(1, 1)] * 3 + [(1, 0)] * 97)
    assert (plain.rate, plain.n_eff) == (0.03, pytest.approx(100))
    assert (plain.low, plain.high) == pytest.approx(wilson(3, 100))
    spread = clustered_rate([(15, 1)] * 6 + [(15, 0)] * 94)  # 6 wrong fields in 6 records
    clumped = clustered_rate([(15, 3)] * 2 + [(15, 0)] * 98)  # the same 6 in 2 records
    assert spread.rate == clumped.rate == pytest.approx(6 / 1500)
    assert clumped.n_eff < spread.n_eff and clumped.high > spread.high
    # weights: a record standing for more counts more, and the effective size shrinks
    w = clustered_rate([(15, 1), (15, 0)], [1.0, 3.0])
    assert w.rate == pytest.approx(1 / 60) and w.n_eff < 30


def test_fields_needed_to_show_a_target():
    n0 = fields_needed(0.003)
    assert wilson(0, n0)[1] <= 0.003 < wilson(0, n0 - 1)[1] and 1250 < n0 < 1300
    assert fields_needed(0.003, 1) > n0
