"""Scores and reasons: the screening output of the shipment contract, row for row.

A reviewer reads the reasons before the number, so they are ranked by how much each one
raised the score: a red flag counts its weight in the rule path plus what the learned path
credits to the features it reads. When the learned path drove the score with features no
flag covers, its strongest ones are said in words too. Facts of law (a regulated
transaction, the rule that makes it one) come last.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from precursorwatch.screening.features import FEATURES
from precursorwatch.screening.flags import FLAGS, Column, fire, sentence
from precursorwatch.screening.model import ScreeningModel

__all__ = ["DEFAULT_THRESHOLD", "OUTPUT_SCHEMA", "Scored", "input_names", "model_inputs",
           "score_features"]

#: The default operating point: measured on the simulator's held-out months, it alerts on
#: a few rows per thousand legitimate ones while catching most diversion (BENCHMARKS.md).
DEFAULT_THRESHOLD = 0.3
#: Reasons per row: a reviewer reads three to five; more hide the ones that matter.
MAX_REASONS = 5
#: Rows scored below this get only the facts of law as reasons: nothing raised their score,
#: and listing the weak flags that fired would bury the reasons of the rows that matter.
REASONS_FROM = 0.05

OUTPUT_SCHEMA = pa.schema([
    ("shipment_id", pa.string()), ("source", pa.string()), ("score", pa.float64()),
    ("flagged", pa.bool_()), ("substances", pa.string()), ("regulated", pa.bool_()),
    ("reasons", pa.string()),
])

# What a feature means, for the learned path's reasons: "{value}" is the row's value.
_LEARNED_WORDS: Mapping[str, str] = {
    "imp_n": "the importer's short record ({value:.0f} earlier consignments)",
    "imp_days": "the importer's short trading history ({value:.0f} days)",
    "pair_n": "few earlier consignments between these two parties ({value:.0f})",
    "exp_n": "the exporter's short record ({value:.0f} earlier consignments)",
    "q_vs_imp": "a quantity unlike this importer's usual ones",
    "q_vs_lane": "a quantity unlike this lane's usual ones",
    "q_vs_prod": "a quantity unlike the usual consignments of these goods",
    "need_ratio": "a quantity large for the destination's recorded imports",
    "lane_n": "a lane with little recorded trade ({value:.0f} consignments)",
    "lane_prod_n": "goods rarely shipped on this lane ({value:.0f} earlier consignments)",
    "imp_prod_n": "goods this importer rarely bought before ({value:.0f} times)",
    "price_dev": "a declared price far from the usual one",
    "imp_third_n": "the importer's earlier third-party payments ({value:.0f})",
    "exp_diverted": "the exporter's earlier consignments judged diverted ({value:.0f})",
    "log_qty": "the size of the consignment",
    "controlled": "controlled goods",
    "un_table_i": "a 1988 Convention Table I substance",
    "transit_n": "{value:.0f} transit countries",
    "route_share": "a route seldom taken on this lane",
}


@dataclass(frozen=True)
class Scored:
    """Screening output (:data:`OUTPUT_SCHEMA`) and what explains it, for ``explain``."""

    table: pa.Table
    fired: npt.NDArray[np.bool_]
    rule_probability: npt.NDArray[np.float64]
    learned_probability: npt.NDArray[np.float64] | None
    contributions: npt.NDArray[np.float64] | None


def input_names() -> list[str]:
    """The learned path's input columns: the features, then one per flag."""
    return [*FEATURES, *(f"flag_{f.name}" for f in FLAGS)]


def model_inputs(frame: Mapping[str, Column], fired: npt.NDArray[np.bool_]
                 ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The learned path's matrix (:func:`input_names`) and the rule scores."""
    x = np.column_stack([np.asarray(frame[c], dtype=np.float64) for c in FEATURES]
                        + [fired.astype(np.float64)])
    weights = np.array([f.weight for f in FLAGS])
    return x, fired.astype(np.float64) @ weights


def score_features(features: pa.Table, model: ScreeningModel,
                   threshold: float = DEFAULT_THRESHOLD,
                   explain: npt.NDArray[np.intp] | None = None) -> Scored:
    """Score every row of a feature table (see :func:`.pipeline.feature_table`); the
    learned path's contributions are computed for the rows ``explain`` names too."""
    frame, fired = fire(features)
    x, rule = model_inputs(frame, fired)
    rule_p = model.rule_probability(rule)
    raw = model.learned_raw(x)
    learned_p = None if raw is None else model.learned_probability(raw)
    score = rule_p if learned_p is None else np.maximum(rule_p, learned_p)
    # The learned path's contributions are slow (a tree walk per feature, about a
    # millisecond a row): only the flagged rows whose score the learned path gives get
    # them. A score the red flags give is explained by the flags' own weights, which are
    # that path's contributions (measured: four flagged rows in five, on a year's trade).
    contributions = None
    if learned_p is not None:
        decided = np.flatnonzero((score >= threshold) & (learned_p > rule_p))
        chosen = decided if explain is None else np.union1d(decided, explain)
        contributions = np.zeros((features.num_rows, x.shape[1]))
        if chosen.size:
            values = model.contributions(x[chosen])
            assert values is not None
            contributions[chosen] = values
    reasons = _reasons(frame, fired, model, contributions, rule_p, learned_p,
                       np.flatnonzero(score >= REASONS_FROM),
                       _first_rule(features.column("rules")))
    table = pa.table({
        "shipment_id": features.column("shipment_id"),
        "source": features.column("source"),
        "score": pa.array(np.round(score, 6), pa.float64()),
        "flagged": pa.array(score >= threshold, pa.bool_()),
        "substances": features.column("substances").fill_null(""),
        "regulated": features.column("regulated").cast(pa.bool_()).fill_null(False),
        "reasons": pa.array(reasons, pa.string()),
    }, schema=OUTPUT_SCHEMA)
    return Scored(table, fired, rule_p, learned_p, contributions)


def _first_rule(rules: pa.ChunkedArray) -> list[str]:
    """The first rule sentence of each row ('' where none applies), computed column-wise."""
    first = pc.list_element(pc.split_pattern(rules.fill_null(""), ";"), 0)
    return list(first.to_pylist())


def _reasons(frame: Mapping[str, Column], fired: npt.NDArray[np.bool_],
             model: ScreeningModel, contributions: npt.NDArray[np.float64] | None,
             rule_p: npt.NDArray[np.float64], learned_p: npt.NDArray[np.float64] | None,
             rows: npt.NDArray[np.intp], law: list[str]) -> list[str]:
    """Each row's reasons, ``;``-joined: flags by contribution for ``rows``, then the law;
    only the law for the other rows."""
    index = {name: k for k, name in enumerate(FEATURES)}
    credit = np.array([f.weight for f in FLAGS]) * model.rule_slope_
    out = [text.replace(";", ",") for text in law]
    for row in rows:
        flags = np.flatnonzero(fired[row])
        weights = credit[flags].copy()
        covered: set[int] = set()
        if contributions is not None:
            shap = contributions[row]
            for j, k in enumerate(flags):
                used = [index[c] for c in FLAGS[k].uses if c in index]
                covered.update(used)
                weights[j] += shap[len(FEATURES) + k] + shap[used].sum()
        said = [sentence(FLAGS[k], frame, row) for _, k in
                sorted(zip(-weights, flags, strict=True))][:MAX_REASONS]
        if (contributions is not None and learned_p is not None
                and learned_p[row] > rule_p[row] and len(said) < MAX_REASONS):
            said.extend(_learned(frame, row, contributions[row], covered,
                                 MAX_REASONS - len(said)))
        if law[row]:
            said.append(law[row])
        out[row] = ";".join(s.replace(";", ",") for s in said)
    return out


def _learned(frame: Mapping[str, Column], row: int, shap: npt.NDArray[np.float64],
             covered: set[int], room: int) -> list[str]:
    """The learned path's strongest risk-raising features no fired flag already says."""
    found: list[str] = []
    for k in np.argsort(-shap[:len(FEATURES)]):
        if shap[k] < 0.5 or len(found) == min(room, 2):
            break
        name = FEATURES[k]
        if k in covered or name not in _LEARNED_WORDS:
            continue
        value = frame[name][row]
        number = float(value) if value is not None and value == value else 0.0
        found.append("Like past diverted consignments: "
                     + _LEARNED_WORDS[name].format(value=number))
    return found
