"""The match model learns m without labels and weighs pairs by it."""

from __future__ import annotations

import numpy as np
import pytest

from precursorwatch.entities.fellegi_sunter import (
    MatchModel,
    estimate_m,
    estimate_prior,
    estimate_u,
    initial_m,
    probability,
)

M = [np.array([0.85, 0.1, 0.05]), np.array([0.9, 0.1]), np.array([0.7, 0.2, 0.1])]
U = [np.array([0.01, 0.04, 0.95]), np.array([0.05, 0.95]), np.array([0.02, 0.08, 0.9])]


def _pairs(rng: np.random.Generator, matches: int, others: int) -> np.ndarray:
    rows = []
    for probs, n in ((M, matches), (U, others)):
        rows.append(np.column_stack([rng.choice(len(p), n, p=p) for p in probs]))
    return np.vstack(rows).astype(np.int8)


def test_em_recovers_m_from_unlabelled_pairs() -> None:
    rng = np.random.default_rng(1)
    gamma = _pairs(rng, 4000, 20000)
    u = estimate_u(_pairs(rng, 0, 200000), [3, 2, 3])
    m = estimate_m([(gamma, np.ones(len(gamma)), [True, True, True])], u,
                   initial_m([3, 2, 3]))
    for found, true in zip(m, M, strict=True):
        assert np.allclose(found, true, atol=0.03), (found, true)
    for found, true in zip(u, U, strict=True):
        assert np.allclose(found, true, atol=0.01)


def test_a_session_leaves_its_blocked_comparison_alone() -> None:
    rng = np.random.default_rng(2)
    gamma = _pairs(rng, 3000, 3000)
    gamma[:, 0] = 0  # a rule blocking on comparison 0: every pair agrees there
    start = initial_m([3, 2, 3])
    m = estimate_m([(gamma, np.ones(len(gamma)), [False, True, True])], U, start)
    assert np.array_equal(m[0], start[0])
    assert np.allclose(m[1], M[1], atol=0.03)


def test_missing_values_are_no_evidence_and_rare_values_count_more() -> None:
    model = MatchModel(("a", "b"), (("exact", "else"), ("exact", "else")),
                       [np.array([0.9, 0.1]), np.array([0.9, 0.1])],
                       [np.array([0.01, 0.99]), np.array([0.01, 0.99])], prior=0.001)
    gamma = np.array([[0, -1], [0, 0], [1, -1]], dtype=np.int8)
    evidence = model.evidence(gamma)
    assert evidence[0] == np.log2(90)
    assert evidence[1] == 2 * np.log2(90)
    assert evidence[2] < 0
    common, rare = np.array([0.05, np.nan, np.nan]), np.array([0.0001, np.nan, np.nan])
    assert model.evidence(gamma, [rare, None])[0] > evidence[0] > model.evidence(
        gamma, [common, None])[0]


def test_the_prior_counts_the_expected_matches() -> None:
    # 100 certain matches among a million possible pairs, and many sure non-matches.
    evidence = np.concatenate([np.full(100, 60.0), np.full(5000, -60.0)])
    prior = estimate_prior(evidence, 1e6)
    assert abs(prior - 1e-4) < 1e-6
    assert probability(np.array([0.0]))[0] == 0.5


def test_a_saved_model_reads_back_and_a_damaged_one_is_refused() -> None:
    model = MatchModel(("a",), (("exact", "else"),), [np.array([0.9, 0.1])],
                       [np.array([0.01, 0.99])], prior=0.001)
    again = MatchModel.from_json(model.to_json())
    assert again.names == ("a",) and np.array_equal(again.m[0], model.m[0])
    for text in ("{}", "[1]", '{"format": 1, "names": ["a"], "labels": [["x"]], "m": [[1]],'
                 ' "u": [[1, 2]], "prior": 0.1}', "not json"):
        with pytest.raises(ValueError):
            MatchModel.from_json(text)
