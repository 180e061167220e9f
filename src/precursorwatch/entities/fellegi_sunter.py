"""The Fellegi-Sunter match model, learned without labels by expectation-maximisation.

For each comparison level the model holds m, the share of true matches that reach it, and
u, the share of non-matches that do. A pair's match weight is the log2 of its prior odds
plus, per comparison, log2(m/u) of the level it reached: positive evidence for agreement on
something non-matches rarely share, negative for disagreement on something matches nearly
always share. A missing value adds nothing.

u is measured directly on random pairs (almost all of them non-matches). m is learned by EM
on the blocked pairs, once per blocking rule, leaving out the comparisons that rule blocks
on (all its pairs agree there, matches or not, which would teach the model nothing true);
each comparison's m is the mean over the rules that could learn it. This is the procedure
of Splink (Linacre et al., 2022) and of Fellegi and Sunter (1969), and the figures it gives
are what `resolve` reports as each link's explanation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["FLOOR", "MatchModel", "estimate_m", "estimate_prior", "estimate_u", "initial_m",
           "probability", "with_judgements"]

Gamma = npt.NDArray[np.int8]
Floats = npt.NDArray[np.float64]

#: How many judged pairs EM's m counts as when analysts' judgements refine it.
JUDGED_STRENGTH = 50.0
#: Version of a saved model's layout.
MODEL_FORMAT = 1
#: Floor of any probability, so that a level never seen in a sample is rare, not impossible.
FLOOR = 1e-6
_MAX_ITERATIONS = 50
_TOLERANCE = 1e-5


@dataclass
class MatchModel:
    """m and u per comparison (one entry per level, "else" last) and the prior."""

    names: tuple[str, ...]
    labels: tuple[tuple[str, ...], ...]
    m: list[Floats]
    u: list[Floats]
    #: Probability that two records drawn at random are the same entity.
    prior: float

    def to_json(self) -> str:
        """The model as JSON: a later run weighs new records the same way."""
        return json.dumps({"format": MODEL_FORMAT, "names": list(self.names),
                           "labels": [list(x) for x in self.labels],
                           "m": [x.tolist() for x in self.m], "u": [x.tolist() for x in self.u],
                           "prior": self.prior}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> MatchModel:
        """The model :meth:`to_json` wrote; ValueError for anything else."""
        try:
            data = json.loads(text)
            if data.get("format") != MODEL_FORMAT:
                raise ValueError(f"not a match model of format {MODEL_FORMAT}")
            model = cls(tuple(data["names"]), tuple(tuple(x) for x in data["labels"]),
                        [np.asarray(x, dtype=np.float64) for x in data["m"]],
                        [np.asarray(x, dtype=np.float64) for x in data["u"]],
                        float(data["prior"]))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as err:
            raise ValueError(f"not a match model: {err}") from err
        if not (len(model.names) == len(model.labels) == len(model.m) == len(model.u)) or any(
                len(lab) != len(m) or len(m) != len(u)
                for lab, m, u in zip(model.labels, model.m, model.u, strict=True)):
            raise ValueError("the match model is damaged: its levels do not line up")
        return model

    def level_weights(self) -> list[Floats]:
        """log2(m/u) of every level of every comparison."""
        return [np.asarray(np.log2(m / u), dtype=np.float64)
                for m, u in zip(self.m, self.u, strict=True)]

    def contributions(self, gamma: Gamma, tf: Sequence[Floats | None] | None = None
                      ) -> npt.NDArray[np.float64]:
        """Each pair's weight from each comparison (pairs x comparisons): log2(m/u) of its
        level, 0 for a missing value.

        ``tf`` gives, per comparison, the frequency of the pair's value where the
        comparison's exact level is term-frequency adjusted (NaN elsewhere): there the
        weight is log2(m / frequency), so a shared rare value counts more than a common one.
        """
        out = np.zeros(gamma.shape, dtype=np.float64)
        for c, weights in enumerate(self.level_weights()):
            levels = gamma[:, c].astype(np.int64)
            present = levels >= 0
            out[present, c] = weights[levels[present]]
            frequency = None if tf is None else tf[c]
            if frequency is not None:
                adjust = present & (levels == 0) & ~np.isnan(frequency)
                out[adjust, c] += np.log2(self.u[c][0] / np.maximum(frequency[adjust], FLOOR))
        return out

    def evidence(self, gamma: Gamma, tf: Sequence[Floats | None] | None = None) -> Floats:
        """Each pair's log2 Bayes factor: its match weight without the prior."""
        return np.asarray(self.contributions(gamma, tf).sum(axis=1), dtype=np.float64)

    def match_weight(self, gamma: Gamma, tf: Sequence[Floats | None] | None = None
                     ) -> Floats:
        """Prior log-odds plus evidence: log2 of the odds that the pair is one entity."""
        return float(np.log2(self.prior / (1 - self.prior))) + self.evidence(gamma, tf)


def probability(weight: Floats) -> Floats:
    """Match probability from match weight (log2 odds)."""
    return np.asarray(1.0 / (1.0 + np.exp2(-weight)), dtype=np.float64)


def initial_m(levels: Sequence[int]) -> list[Floats]:
    """A starting point for EM: most matches agree exactly, the rest spread below."""
    out = []
    for count in levels:  # count includes "else"
        start = np.full(count, 0.1 / max(count - 1, 1))
        start[0] = 0.9 if count > 1 else 1.0
        out.append(start / start.sum())
    return out


def _normalised(counts: Floats) -> Floats:
    counts = np.maximum(counts, 0.0)
    total = counts.sum()
    shares = counts / total if total > 0 else np.full(len(counts), 1.0 / len(counts))
    shares = np.maximum(shares, FLOOR)
    return np.asarray(shares / shares.sum(), dtype=np.float64)


def estimate_u(gamma: Gamma, levels: Sequence[int], counts: Floats | None = None
               ) -> list[Floats]:
    """u of every level from the levels of random pairs (``counts`` pairs per row of
    ``gamma``, one each by default)."""
    weights = np.ones(gamma.shape[0]) if counts is None else counts
    out = []
    for c, n in enumerate(levels):
        present = gamma[:, c] >= 0
        out.append(_normalised(np.bincount(gamma[present, c].astype(np.int64),
                                           weights=weights[present],
                                           minlength=n).astype(np.float64)))
    return out


def _likelihood(patterns: npt.NDArray[np.int64], probs: Sequence[Floats]) -> Floats:
    out = np.ones(patterns.shape[0])
    for c, p in enumerate(probs):
        present = patterns[:, c] >= 0
        out[present] *= p[patterns[present, c]]
    return out


def estimate_m(sessions: Sequence[tuple[Gamma, Floats, Sequence[bool]]],
               u: Sequence[Floats], start: Sequence[Floats]) -> list[Floats]:
    """m by EM over each session's pairs: rows of levels, how many pairs have each row,
    and which comparisons the session may learn.

    u stays fixed; the share of matches among a session's pairs is learned with m and
    then forgotten (it is the blocking rule's, not the population's).
    """
    learned: list[list[Floats]] = [[] for _ in u]
    for gamma, counts, trains in sessions:
        if gamma.shape[0] == 0 or not any(trains):
            continue
        # The blocked comparisons are left out of the likelihood too: every pair of the
        # session agrees there, so they would call every pair a match.
        used = [c for c, train in enumerate(trains) if train]
        patterns = gamma[:, used].astype(np.int64)
        m = [s.copy() for s in start]
        share = 0.5
        for _ in range(_MAX_ITERATIONS):
            lm = _likelihood(patterns, [m[c] for c in used])
            lu = _likelihood(patterns, [u[c] for c in used])
            posterior = share * lm / (share * lm + (1 - share) * lu)
            weighted = counts * posterior
            share = float(np.clip(weighted.sum() / counts.sum(), FLOOR, 1 - FLOOR))
            change = 0.0
            for k, c in enumerate(used):
                column = patterns[:, k]
                present = column >= 0
                new = _normalised(np.bincount(column[present], weights=weighted[present],
                                              minlength=len(m[c])).astype(np.float64))
                change = max(change, float(np.abs(new - m[c]).max()))
                m[c] = new
            if change < _TOLERANCE:
                break
        for c, train in enumerate(trains):
            if train:
                learned[c].append(m[c])
    return [np.mean(found, axis=0) if found else s.copy()
            for found, s in zip(learned, start, strict=True)]


def with_judgements(m: Sequence[Floats], same: Gamma, strength: float = JUDGED_STRENGTH
                    ) -> list[Floats]:
    """m updated by the levels of pairs an analyst judged the same entity.

    EM's m is taken as ``strength`` pairs' worth of evidence and the judged pairs are
    added to it: a handful of judgements refines the model, hundreds of them dominate it.
    """
    out = []
    for c, shares in enumerate(m):
        levels = same[:, c].astype(np.int64)
        counts = np.bincount(levels[levels >= 0], minlength=len(shares)).astype(np.float64)
        out.append(_normalised(shares * strength + counts))
    return out


def estimate_prior(evidence: Floats, total_pairs: float, counts: Floats | None = None
                   ) -> float:
    """The probability that two random records match, by EM over the candidate pairs
    (``counts`` pairs with each ``evidence``, one each by default).

    Pairs no rule compared are taken as non-matches: blocking is meant to miss few.
    """
    if total_pairs <= 0 or evidence.size == 0:
        return FLOOR
    weights = np.ones(evidence.size) if counts is None else counts
    prior = max(float(weights[evidence > 0].sum()) / total_pairs, 1.0 / total_pairs)
    for _ in range(200):
        odds = np.log2(prior / (1 - prior))
        new = float((probability(odds + evidence) * weights).sum()) / total_pairs
        new = min(max(new, 1.0 / total_pairs / 10), 0.5)
        if abs(new - prior) <= prior * 1e-6:
            return new
        prior = new
    return prior
