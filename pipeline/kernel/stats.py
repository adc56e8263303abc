"""Error rates measured on samples, with 95 % intervals: the one place the audit, the refit from
reviews and their benches compute a rate and its interval.

A field checked in an audited record is one Bernoulli trial (wrong or right), but the trials come in
clusters: the fields of one record are drawn together, and their errors are not independent (a
misread address brings a wrong division code with it). The rate is therefore a ratio estimate over
records, Σ w·wrong / Σ w·fields (w: how many records of its stratum a sampled record stands for, 1
where every record of a volume is drawn at the same rate), its variance the linearized
(cluster-robust) one, and the interval is Wilson's score interval (Wilson 1927) or the exact
Clopper-Pearson interval (1934) computed at the *effective* number of fields, Σ fields / design
effect (Kish 1965; Korn & Graubard 1998 for effective sizes in binomial intervals). With every
record drawn at one rate and no clustering this is exactly the textbook interval on the fields.

`upper_bound` and `clustered_upper` give the one-sided upper confidence bound (95 % by default) the
refit from reviews (pipeline.quality.refit) holds its thresholds to: the same effective size, Wilson's
bound at z = 1.645 or the exact one-sided Clopper-Pearson bound (the upper end of a two-sided 90 %
interval).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import lru_cache
from statistics import NormalDist
from typing import Iterable, Sequence

import numpy as np

Z95 = 1.959963984540054
METHODS = ("wilson", "exact")


@dataclass(frozen=True)
class Rate:
    """A measured wrong-field rate: `units` clusters (records) holding `fields` fields of which
    `wrong` were wrong (weighted sums where weights differ), its 95 % interval [low, high] and the
    effective number of fields the interval was computed at."""

    units: int
    fields: float
    wrong: float
    rate: float
    low: float
    high: float
    n_eff: float
    method: str

    def to_dict(self) -> dict[str, float | int | str]:
        return asdict(self)

    def above(self, target: float) -> bool:
        """The interval's upper bound passes the target: the sample does not show the rate within it."""
        return self.high > target


def wilson(wrong: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for wrong / n (n may be an effective, non-integer size)."""
    if n <= 0:
        return 0.0, 1.0
    p = min(1.0, max(0.0, wrong / n))
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def _binom_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), summed in log space (k is small: the wrong fields)."""
    if k < 0:
        return 0.0
    if k >= n or p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    lp, lq = math.log(p), math.log1p(-p)
    base = math.lgamma(n + 1)
    terms = [base - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * lp + (n - i) * lq for i in range(k + 1)]
    m = max(terms)
    return min(1.0, math.exp(m) * sum(math.exp(t - m) for t in terms))


def _solve(f, target: float) -> float:
    """The p in [0, 1] where the decreasing function f(p) crosses target (bisection)."""
    lo, hi = 0.0, 1.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if f(mid) > target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def clopper_pearson(wrong: float, n: float, alpha: float = 0.05) -> tuple[float, float]:
    """The exact (Clopper-Pearson) interval; a non-integer effective size is rounded to whole fields."""
    n_i = max(0, int(round(n)))
    k = max(0, min(n_i, int(round(wrong))))
    if n_i == 0:
        return 0.0, 1.0
    return _clopper_pearson(k, n_i, alpha)


@lru_cache(maxsize=65536)
def _clopper_pearson(k: int, n_i: int, alpha: float) -> tuple[float, float]:
    low = 0.0 if k == 0 else _solve(lambda p: _binom_cdf(k - 1, n_i, p), 1.0 - alpha / 2)
    high = 1.0 if k == n_i else _solve(lambda p: _binom_cdf(k, n_i, p), alpha / 2)
    return low, high


def interval(wrong: float, n: float, method: str = "wilson") -> tuple[float, float]:
    if method == "exact":
        return clopper_pearson(wrong, n)
    if method == "wilson":
        return wilson(wrong, n)
    raise ValueError(f"interval method must be one of {', '.join(METHODS)}, not {method!r}")


def clustered_rate(units: Iterable[tuple[float, float]], weights: Sequence[float] | None = None, method: str = "wilson") -> Rate:
    """The wrong-field rate of clusters (fields, wrong) with optional weights, and its 95 % interval
    at the effective number of fields (see the module's docstring)."""
    pairs = [(float(m), float(y)) for m, y in units]
    w = [1.0] * len(pairs) if weights is None else [float(x) for x in weights]
    n = len(pairs)
    raw_fields = sum(m for m, _y in pairs)
    raw_wrong = sum(y for _m, y in pairs)
    p, n_eff = effective([m for m, _y in pairs], [y for _m, y in pairs], w)
    if n_eff <= 0:
        return Rate(n, raw_fields, raw_wrong, 0.0, 0.0, 1.0, 0.0, method)
    low, high = interval(p * n_eff, n_eff, method)
    return Rate(n, raw_fields, raw_wrong, p, low, high, n_eff, method)


def effective(fields: Sequence[float], wrong: Sequence[float], weights: Sequence[float]) -> tuple[float, float]:
    """(rate, effective number of fields) of clusters (their fields, their wrong fields) with weights:
    the ratio estimate and Σ fields / design effect (see the module's docstring); (0, 0) with no fields."""
    m, y, w = (np.asarray(a, dtype=float) for a in (fields, wrong, weights))
    tot_f = float((w * m).sum())
    if len(m) == 0 or tot_f <= 0:
        return 0.0, 0.0
    p = float((w * y).sum()) / tot_f
    # Kish's effective size of a weighted sample of fields (the size where every weight is equal)
    kish = tot_f**2 / float((w * w * m).sum())
    n_eff = kish
    if 0.0 < p < 1.0 and len(m) > 1:
        # the linearized variance of the ratio (without the n / (n - 1) factor: with one field per
        # record and equal weights it is then exactly the binomial p(1 - p) / n)
        var = float(((w * (y - p * m)) ** 2).sum()) / tot_f**2
        if var > 0:
            n_eff = min(kish, p * (1 - p) / var)  # a design effect under 1 is not taken
    elif p > 0.0:
        # wrong fields whose clustering the sample cannot measure: one record holds them all (no second
        # record, no between-record variance) or every field is wrong (each record rejected whole, its
        # fields wrong together). Its fields are then one trial, not as many (design effect = fields a
        # record): the effective size is Kish's effective number of records. One rejected record of 17
        # fields was 17 independent wrong fields (lower bound 81.6 %, session 46); it is one wrong record.
        n_eff = min(kish, float(w.sum()) ** 2 / float((w * w).sum()))
    return p, n_eff


def decisive_low(rate: Rate) -> float:
    """The lower bound a decision that something is over a target acts on (the blind audit sends a volume
    back on it): the lower end of the rate's 95 % interval, or the exact Clopper-Pearson one at the same
    effective size where that is lower. Wilson's lower end at one to three wrong lies above the exact one
    and its coverage falls below 95 % there (Brown, Cai & DasGupta 2001, Statistical Science 16, §4.1.1):
    1 wrong record of 20 gives Wilson 0.89 %, exact 0.13 %, and a volume whose true rate is 0.3 % shows
    one wrong record of 20 more often than 1 time in 40."""
    if rate.n_eff <= 0:
        return 0.0
    return min(rate.low, clopper_pearson(rate.rate * rate.n_eff, rate.n_eff)[0])


ONE_SIDED = 0.95
"""The confidence of the one-sided upper bound the refit from reviews holds thresholds to."""


def upper_bound(wrong: float, n: float, method: str = "wilson", confidence: float = ONE_SIDED) -> float:
    """The one-sided upper confidence bound of wrong / n: Wilson's at the one-sided z, or the exact
    Clopper-Pearson one (the upper end of the two-sided interval at 1 - 2 (1 - confidence)); 1 with
    no fields."""
    if n <= 0:
        return 1.0
    if method == "exact":
        return clopper_pearson(wrong, n, alpha=round(2 * (1 - confidence), 12))[1]
    if method == "wilson":
        return wilson(wrong, n, z=NormalDist().inv_cdf(confidence))[1]
    raise ValueError(f"interval method must be one of {', '.join(METHODS)}, not {method!r}")


def clustered_upper(
    fields: Sequence[float],
    wrong: Sequence[float],
    weights: Sequence[float],
    method: str = "wilson",
    confidence: float = ONE_SIDED,
) -> float:
    """The one-sided upper bound of the wrong-field rate of clusters (their fields, their wrong
    fields), weighted, at the effective number of fields (as clustered_rate); 1 with no fields."""
    p, n_eff = effective(fields, wrong, weights)
    return upper_bound(p * n_eff, n_eff, method, confidence)


def fields_needed(target: float, wrong: float = 0.0, method: str = "wilson", one_sided: float | None = None) -> int:
    """How many fields, all right but `wrong`, an upper bound within `target` takes (what an
    administrator weighs against reviewing a whole volume); the two-sided 95 % interval's upper end,
    or with `one_sided` (a confidence) the one-sided bound the refit uses."""
    if target <= 0:
        return 0

    def high(k: float) -> float:
        return interval(wrong, k, method)[1] if one_sided is None else upper_bound(wrong, k, method, one_sided)

    n = max(1, int(wrong / target) + 1)
    while high(n) > target:
        n = int(n * 1.25) + 1
        if n > 10**9:
            break
    lo, hi = n // 2, n
    while lo < hi:
        mid = (lo + hi) // 2
        if high(mid) > target:
            lo = mid + 1
        else:
            hi = mid
    return lo
