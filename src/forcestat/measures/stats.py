"""Confidence intervals and the test of whether a change is more than chance.

Pure Python (``math`` only), exact where the method is exact:

- ``poisson_interval``: the exact (Garwood, 1936) interval for a Poisson count, the
  limits being the chi-square quantiles chi2(a/2, 2k)/2 and chi2(1-a/2, 2k+2)/2. They are
  found as the roots of the regularised incomplete gamma function, which equals the
  Poisson tail: P(X >= k | mu) = P(k, mu). A rate's interval is the count's, scaled.
- ``wilson_interval``: the Wilson score interval for a proportion.
- ``poisson_change_test``: the exact conditional test of two Poisson counts. Given
  ``n = x1 + x0``, under "no change in the underlying rate" x1 is binomial with
  ``p = e1 / (e1 + e0)`` (the share of exposure in the later window); the two-sided
  p-value doubles the smaller binomial tail (capped at 1).
- ``proportion_change_interval``: Newcombe's hybrid score interval (his method 10) for
  the difference of two independent proportions, built from their Wilson intervals;
  the change is beyond chance when that interval excludes zero.

Example:
    >>> [round(v, 4) for v in poisson_interval(10)]
    [4.7954, 18.3904]
"""

from __future__ import annotations

import functools
import math
from statistics import NormalDist

# The level of every interval forcestat gives, and the p-value below which a change
# is beyond chance (or its interval excludes 0).
CONFIDENCE = 0.95
SIGNIFICANCE = 0.05

__all__ = [
    "CONFIDENCE",
    "SIGNIFICANCE",
    "beta_regularised",
    "binomial_tails",
    "gamma_lower_regularised",
    "poisson_change_test",
    "poisson_interval",
    "proportion_change_interval",
    "two_proportion_z_test",
    "wilson_interval",
]

_EPS = 1e-15
_MAX_ITERATIONS = 1_000_000


@functools.lru_cache(maxsize=64)
def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence {confidence} is not between 0 and 1")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def gamma_lower_regularised(a: float, x: float) -> float:
    """P(a, x): the regularised lower incomplete gamma function (Numerical Recipes 6.2)."""
    if a <= 0:
        raise ValueError("a must be positive")
    if x <= 0:
        return 0.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:  # series converges fast here
        return min(1.0, _gamma_lower_series(a, x) * math.exp(log_front))
    return max(0.0, 1.0 - _gamma_upper_fraction(a, x) * math.exp(log_front))


def _gamma_lower_series(a: float, x: float) -> float:
    """The series sum_n x^n / (a (a+1) ... (a+n)), summed term by term in order.

    The loop is the hot spot of the exact Poisson interval (thousands of terms for a
    count in the hundreds of thousands), so it is kept lean: ``n`` is a float counter,
    and ``x / n`` is the same division whether ``n`` is held as an int or a float below
    2**53, so the sum is the same to the last bit.
    """
    eps = _EPS
    term = total = 1.0 / a
    n = float(a)
    for _ in range(_MAX_ITERATIONS):
        n += 1.0
        term *= x / n
        total += term
        if term < total * eps:  # every term is positive
            break
    return total


def _gamma_upper_fraction(a: float, x: float) -> float:
    """Continued fraction for Q(a, x) / (x^a e^-x / Gamma(a)), by modified Lentz."""
    tiny = 1e-300
    eps = _EPS
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, _MAX_ITERATIONS):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        if -tiny < d < tiny:  # abs(d) < tiny
            d = tiny
        c = b + an / c
        if -tiny < c < tiny:
            c = tiny
        d = 1 / d
        delta = d * c
        h *= delta
        if -eps < delta - 1 < eps:
            break
    return h


def _gamma_quantile(a: float, target: float, lo: float, hi: float) -> float:
    """x in [lo, hi] with P(a, x) = target: Newton steps kept inside a shrinking bracket."""
    # Start from the Wilson-Hilferty approximation, so Newton needs a step or two.
    z = NormalDist().inv_cdf(target)
    x = a * (1 - 1 / (9 * a) + z / (3 * math.sqrt(a))) ** 3
    if not lo < x < hi:
        x = (lo + hi) / 2
    for _ in range(500):
        gap = gamma_lower_regularised(a, x) - target
        if abs(gap) < 1e-15 or hi - lo <= 1e-13 * max(1.0, hi):
            return x
        if gap < 0:
            lo = x
        else:
            hi = x
        slope = math.exp((a - 1) * math.log(x) - x - math.lgamma(a)) if x > 0 else 0.0
        step = x - gap / slope if slope > 0 else (lo + hi) / 2
        x = step if lo < step < hi else (lo + hi) / 2
    return x


@functools.lru_cache(maxsize=1 << 16, typed=True)
def poisson_interval(count: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval for the mean of a Poisson count.

    Each limit takes a few evaluations of the incomplete gamma function, thousands of
    terms each for a large count, and the same counts recur across forces, periods and
    calls, so results are kept by (count, confidence); ``poisson_interval.cache_clear()``
    forgets them.

    Example:
        >>> lo, hi = poisson_interval(0)
        >>> lo, round(hi, 4)  # -ln(0.025)
        (0.0, 3.6889)
    """
    if count < 0:
        raise ValueError("a count cannot be negative")
    alpha = 1 - confidence
    _z(confidence)
    spread = 10 * math.sqrt(count + 1) + 10
    lower = 0.0
    if count > 0:
        lower = _gamma_quantile(count, alpha / 2, max(0.0, count - spread), float(count))
    upper = _gamma_quantile(count + 1, 1 - alpha / 2, float(count), count + spread)
    return lower, upper


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes / trials``.

    Example:
        >>> [round(v, 4) for v in wilson_interval(8, 10)]
        [0.4902, 0.9433]
    """
    if trials <= 0 or not 0 <= successes <= trials:
        raise ValueError("need 0 <= successes <= trials and trials > 0")
    z = _z(confidence)
    p = successes / trials
    z2n = z * z / trials
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * math.sqrt(p * (1 - p) / trials + z2n / (4 * trials)) / (1 + z2n)
    # At 0 and at all, the limit is exactly 0 or 1 (rounding would leave it a hair off).
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def beta_regularised(a: float, b: float, x: float) -> float:
    """I_x(a, b): the regularised incomplete beta function (Numerical Recipes 6.4)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_fraction(b, a, 1 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1, a - 1
    c = 1.0
    d = 1 - qab * x / qap
    d = 1 / (tiny if abs(d) < tiny else d)
    h = d
    for m in range(1, _MAX_ITERATIONS):
        m2 = 2 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1 + aa * d
            d = 1 / (tiny if abs(d) < tiny else d)
            c = 1 + aa / c
            c = tiny if abs(c) < tiny else c
            h *= d * c
        if abs(d * c - 1) < _EPS:
            break
    return h


def binomial_tails(k: int, n: int, p: float) -> tuple[float, float]:
    """(P(X <= k), P(X >= k)) for X binomial(n, p)."""
    if not 0 <= k <= n:
        raise ValueError("need 0 <= k <= n")
    at_most = 1.0 if k == n else beta_regularised(n - k, k + 1, 1 - p)
    at_least = 1.0 if k == 0 else beta_regularised(k, n - k + 1, p)
    return at_most, at_least


def poisson_change_test(
    count: int, exposure: float, baseline_count: int, baseline_exposure: float
) -> float:
    """Two-sided p-value that ``count`` and ``baseline_count`` share one underlying rate.

    Exposures are the person-time (or months) each count accrued over. The exact
    conditional binomial test; 1.0 when both counts are zero.
    """
    if exposure <= 0 or baseline_exposure <= 0:
        raise ValueError("exposures must be positive")
    n = count + baseline_count
    if n == 0:
        return 1.0
    share = exposure / (exposure + baseline_exposure)
    at_most, at_least = binomial_tails(count, n, share)
    return min(1.0, 2 * min(at_most, at_least))


def proportion_change_interval(
    successes: int,
    trials: int,
    baseline_successes: int,
    baseline_trials: int,
    confidence: float = 0.95,
) -> tuple[float, float]:
    """Newcombe's interval for ``successes/trials - baseline_successes/baseline_trials``."""
    p1, p0 = successes / trials, baseline_successes / baseline_trials
    l1, u1 = wilson_interval(successes, trials, confidence)
    l0, u0 = wilson_interval(baseline_successes, baseline_trials, confidence)
    d = p1 - p0
    return d - math.hypot(p1 - l1, u0 - p0), d + math.hypot(u1 - p1, p0 - l0)


def two_proportion_z_test(
    successes: int, trials: int, baseline_successes: int, baseline_trials: int
) -> tuple[float, float]:
    """(z, two-sided p-value) of the pooled two-proportion z-test that
    ``successes/trials`` and ``baseline_successes/baseline_trials`` share one proportion.

    z = (p1 - p0) / sqrt(p (1 - p) (1/n1 + 1/n0)), p the pooled proportion; (0.0, 1.0)
    when the pooled proportion is 0 or 1 (no variation to test).

    Example:
        >>> z, p = two_proportion_z_test(50, 100, 40, 100)
        >>> round(z, 4), round(p, 4)
        (1.4213, 0.1552)
    """
    if trials <= 0 or baseline_trials <= 0:
        raise ValueError("trials must be positive")
    pooled = (successes + baseline_successes) / (trials + baseline_trials)
    if pooled in (0.0, 1.0):
        return 0.0, 1.0
    se = math.sqrt(pooled * (1 - pooled) * (1 / trials + 1 / baseline_trials))
    z = (successes / trials - baseline_successes / baseline_trials) / se
    return z, math.erfc(abs(z) / math.sqrt(2))
