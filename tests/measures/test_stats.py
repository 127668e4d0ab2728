"""Intervals and tests, against published tables and sums written out in plain Python."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forcestat.measures.stats import (
    binomial_tails,
    gamma_lower_regularised,
    poisson_change_test,
    poisson_interval,
    proportion_change_interval,
    wilson_interval,
)


def _poisson_pmf(j: int, mu: float) -> float:
    return math.exp(j * math.log(mu) - mu - math.lgamma(j + 1))


def _binomial_pmf(k: int, n: int, p: float) -> float:
    return math.comb(n, k) * p**k * (1 - p) ** (n - k)


@pytest.mark.parametrize(
    ("count", "low", "high"),
    [
        # Exact (Garwood) 95% limits as tabulated, e.g. in the Public Health England
        # technical guide to confidence intervals for counts.
        (0, 0.0, 3.689),
        (1, 0.0253, 5.572),
        (5, 1.623, 11.668),
        (10, 4.795, 18.390),
        (20, 12.217, 30.888),
        (100, 81.364, 121.627),
    ],
)
def test_poisson_interval_matches_published_limits(count: int, low: float, high: float) -> None:
    got_low, got_high = poisson_interval(count)
    assert got_low == pytest.approx(low, abs=6e-4)
    assert got_high == pytest.approx(high, abs=6e-4)


def test_poisson_interval_zero_is_exact() -> None:
    # P(X = 0 | mu) = exp(-mu) = 0.025  =>  mu = -ln 0.025
    assert poisson_interval(0) == (0.0, pytest.approx(-math.log(0.025), rel=1e-12))


@pytest.mark.parametrize("count", [1, 2, 7, 30, 60])
def test_poisson_limits_solve_their_defining_equations(count: int) -> None:
    low, high = poisson_interval(count, confidence=0.9)
    # The lower limit leaves 5% of its distribution at or above the count, the upper
    # leaves 5% at or below it; summed term by term.
    above = 1 - sum(_poisson_pmf(j, low) for j in range(count))
    below = sum(_poisson_pmf(j, high) for j in range(count + 1))
    assert above == pytest.approx(0.05, abs=1e-9)
    assert below == pytest.approx(0.05, abs=1e-9)


def test_large_counts_have_a_narrow_interval() -> None:
    low, high = poisson_interval(233_393)
    # A normal approximation is good here: 233,393 +/- 1.96 * sqrt(233,393) = +/- 946.9
    assert low == pytest.approx(233_393 - 946.9, abs=2)
    assert high == pytest.approx(233_393 + 946.9, abs=2)


def test_gamma_function_against_its_closed_form() -> None:
    # P(1, x) = 1 - exp(-x); P(2, x) = 1 - (1 + x) exp(-x)
    for x in (0.1, 1.0, 2.5, 10.0):
        assert gamma_lower_regularised(1, x) == pytest.approx(1 - math.exp(-x), rel=1e-12)
        assert gamma_lower_regularised(2, x) == pytest.approx(1 - (1 + x) * math.exp(-x))


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17: 857-872, Table II, method 3 (score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombe(
    successes: int, trials: int, low: float, high: float
) -> None:
    got = wilson_interval(successes, trials)
    assert got == (pytest.approx(low, abs=1e-4), pytest.approx(high, abs=1e-4))


def test_difference_of_proportions_matches_newcombe() -> None:
    # Newcombe (1998), Statistics in Medicine 17: 873-890, method 10, examples (a), (b).
    assert proportion_change_interval(56, 70, 48, 80) == (
        pytest.approx(0.0524, abs=1e-4),
        pytest.approx(0.3339, abs=1e-4),
    )
    assert proportion_change_interval(9, 10, 3, 10) == (
        pytest.approx(0.1705, abs=1e-4),
        pytest.approx(0.8090, abs=1e-4),
    )


@pytest.mark.parametrize(
    ("k", "n", "p"), [(0, 5, 0.3), (3, 10, 0.5), (17, 40, 0.35), (40, 40, 0.9)]
)
def test_binomial_tails_against_the_sum_of_terms(k: int, n: int, p: float) -> None:
    at_most, at_least = binomial_tails(k, n, p)
    assert at_most == pytest.approx(sum(_binomial_pmf(j, n, p) for j in range(k + 1)), abs=1e-12)
    assert at_least == pytest.approx(
        sum(_binomial_pmf(j, n, p) for j in range(k, n + 1)), abs=1e-12
    )


def test_conditional_test_of_two_counts_by_hand() -> None:
    # 10 against 20 over equal time: given 30 in all, 10 ~ Binomial(30, 1/2) under no
    # change; p = 2 P(X <= 10) = 2 * sum_{j<=10} C(30, j) / 2^30.
    expected = 2 * sum(math.comb(30, j) for j in range(11)) / 2**30
    assert poisson_change_test(10, 1, 20, 1) == pytest.approx(expected, rel=1e-10)
    # Twice the exposure and twice the count: no change at all.
    assert poisson_change_test(20, 2, 10, 1) == pytest.approx(1.0)
    assert poisson_change_test(0, 12, 0, 12) == 1.0


@given(st.integers(0, 5000))
def test_poisson_interval_brackets_the_count(count: int) -> None:
    low, high = poisson_interval(count)
    assert 0 <= low <= count < high


@given(st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_lies_in_0_1_and_holds_the_share(pair: tuple[int, int]) -> None:
    successes, trials = pair
    low, high = wilson_interval(successes, trials)
    assert 0 <= low <= successes / trials <= high <= 1


@given(st.integers(1, 150), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_poisson_limits_solve_their_equations_for_any_count(count: int, confidence: float) -> None:
    low, high = poisson_interval(count, confidence)
    tail = (1 - confidence) / 2
    assert 1 - sum(_poisson_pmf(j, low) for j in range(count)) == pytest.approx(tail, abs=1e-9)
    assert sum(_poisson_pmf(j, high) for j in range(count + 1)) == pytest.approx(tail, abs=1e-9)


# --- the exact Poisson interval against a slow reference -----------------------------


def _log_poisson_term(count: int, mu: float) -> float:
    """log(e^-mu mu^count / count!), accurate to about 1e-15 even for a large count.

    Written as count log(mu / count) + count - mu - log(count!) + count log count - count,
    the last three by Stirling's series, so that no two numbers of size count log count
    are subtracted (the direct form loses about 1e-10 at count 100,000).
    """
    if count < 20:
        return count * math.log(mu) - mu - math.lgamma(count + 1)
    k = float(count)
    stirling_rest = 1 / (12 * k) - 1 / (360 * k**3) + 1 / (1260 * k**5) - 1 / (1680 * k**7)
    return k * math.log(mu / k) + k - mu - 0.5 * math.log(2 * math.pi * k) - stirling_rest


def _poisson_tail(count: int, mu: float, at_least: bool) -> float:
    """P(X >= count | mu) if ``at_least``, else P(X <= count | mu), for X Poisson(mu).

    Summed term by term outward from j = count, where the terms are largest for the
    limits sought, each from its neighbour by the ratio mu / (j + 1) or j / mu: no
    incomplete gamma function and no Newton steps.
    """
    term = math.exp(_log_poisson_term(count, mu))
    total = 0.0
    j = count
    while term > total * 1e-20:
        total += term
        if at_least:
            j += 1
            term *= mu / j
        elif j == 0:
            break
        else:
            term *= j / mu
            j -= 1
    return total


def _reference_limits(count: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Garwood limits by bisection to the last bit: the lower leaves (1 - confidence)/2
    of its distribution at or above the count, the upper as much at or below it."""
    tail = (1 - confidence) / 2
    spread = 10 * math.sqrt(count + 1) + 10

    def solve(lo: float, hi: float, rises: bool, at_least: bool) -> float:
        while True:
            mid = (lo + hi) / 2
            if mid in (lo, hi):
                return mid
            below_root = (_poisson_tail(count, mid, at_least) < tail) is rises
            lo, hi = (mid, hi) if below_root else (lo, mid)

    # P(X >= count | mu) rises with mu; P(X <= count | mu) falls.
    low = 0.0 if count == 0 else solve(max(0.0, count - spread), count, True, True)
    return low, solve(count, count + spread, False, False)


_SAMPLED_COUNTS = sorted(
    {0, 1, 2, 3, 5, 10, 19, 20, 37, 100, 523, 1_000, 4_096, 9_999, 31_623, 65_536, 100_000}
    | set(random.Random(20240607).sample(range(100_001), 16))
)


@pytest.mark.parametrize("count", _SAMPLED_COUNTS)
def test_poisson_interval_equals_a_slow_reference(count: int) -> None:
    # Agreement to 1e-12 of the limit. In double precision the engine's limits carry
    # about 5e-13 of error at a count of 100,000 (its Poisson term is known to about
    # 1e-10 there), less for smaller counts; the reference above has far less.
    poisson_interval.cache_clear()
    low, high = poisson_interval(count)
    ref_low, ref_high = _reference_limits(count)
    assert low == pytest.approx(ref_low, rel=1e-12, abs=0)
    assert high == pytest.approx(ref_high, rel=1e-12, abs=0)
    # Asked again, the kept result is the same pair.
    assert poisson_interval(count) == (low, high)


def test_poisson_interval_edge_cases_in_closed_form() -> None:
    # Count 0: P(X = 0 | mu) = e^-mu = 0.025, so mu = -ln 0.025; the lower limit is 0.
    # Count 1: P(X >= 1 | mu) = 1 - e^-mu = 0.025, so mu = -ln 0.975; the upper limit
    # solves P(X <= 1 | mu) = e^-mu (1 + mu) = 0.025.
    poisson_interval.cache_clear()
    assert poisson_interval(0) == (0.0, pytest.approx(-math.log(0.025), rel=1e-12, abs=0))
    low, high = poisson_interval(1)
    assert low == pytest.approx(-math.log1p(-0.025), rel=1e-12, abs=0)
    assert math.exp(-high) * (1 + high) == pytest.approx(0.025, rel=1e-12)
    with pytest.raises(ValueError, match="negative"):
        poisson_interval(-1)
