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
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

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
    tot_f = sum(wi * m for wi, (m, _y) in zip(w, pairs))
    tot_w = sum(wi * y for wi, (_m, y) in zip(w, pairs))
    raw_fields = sum(m for m, _y in pairs)
    raw_wrong = sum(y for _m, y in pairs)
    if n == 0 or tot_f <= 0:
        return Rate(n, raw_fields, raw_wrong, 0.0, 0.0, 1.0, 0.0, method)
    p = tot_w / tot_f
    # Kish's effective size of a weighted sample of fields (the size where every weight is equal)
    kish = tot_f**2 / sum(wi * wi * m for wi, (m, _y) in zip(w, pairs) if m > 0)
    n_eff = kish
    if 0.0 < p < 1.0 and n > 1:
        # the linearized variance of the ratio (without the n / (n - 1) factor: with one field per
        # record and equal weights it is then exactly the binomial p(1 - p) / n)
        var = sum((wi * (y - p * m)) ** 2 for wi, (m, y) in zip(w, pairs)) / tot_f**2
        if var > 0:
            n_eff = min(kish, p * (1 - p) / var)  # a design effect under 1 is not taken
    low, high = interval(p * n_eff, n_eff, method)
    return Rate(n, raw_fields, raw_wrong, p, low, high, n_eff, method)


def fields_needed(target: float, wrong: float = 0.0, method: str = "wilson") -> int:
    """How many fields, all right but `wrong`, an upper bound within `target` takes (what an
    administrator weighs against reviewing a whole volume)."""
    if target <= 0:
        return 0
    n = max(1, int(wrong / target) + 1)
    while interval(wrong, n, method)[1] > target:
        n = int(n * 1.25) + 1
        if n > 10**9:
            break
    lo, hi = n // 2, n
    while lo < hi:
        mid = (lo + hi) // 2
        if interval(wrong, mid, method)[1] > target:
            lo = mid + 1
        else:
            hi = mid
    return lo
