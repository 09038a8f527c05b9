"""Registry-grade uncertainty deductions from the Monte Carlo interval (docs/science.md §5.3, §7.4).

Each standard's rule: the half-width of the two-sided confidence interval of the estimated net
removals, relative to their mean, against an allowed precision; beyond it, a deduction. The rules
as read (confidence class C: the rule's text, not its worked examples, was summarised; the
sections are named so a reader can check them):

- VCS (VM0047 v1.0 with the VCS Standard v4 uncertainty provisions): 90 % confidence; no
  deduction when the half-width is ≤ 10 % of the mean, else a deduction of the excess
  (half-width − 10 %) of the estimate [C].
- CCER (CCER-14-001-V01, following the CDM A/R sampling rule of AR-TOOL03/AR-TOOL14: 90 %
  precision at 90 % confidence): the same rule is applied [C: V01's own uncertainty section was
  not read; flag]. Searched for it (2026-11-27, issue 13): the methodology's text (Ministry of
  Ecology and Environment, 2023) was found only as far as its sections 1–2 (introduction,
  applicability); no source found states V01's sampling precision, confidence level or the
  deduction beyond them, so the CDM A/R rule stays, flagged, until a reader checks V01's
  monitoring and uncertainty clauses.
- VM0044 (biochar): Verra's same 90 %/10 % provision [C].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..models import credits


@dataclass(frozen=True)
class Rule:
    confidence: float          # two-sided confidence of the interval
    allowed: float             # half-width allowed without deduction, fraction of the mean
    source: str


RULES = {
    "VCS": Rule(0.90, 0.10, "VM0047 v1.0 / VCS Standard v4: 90 % CI half-width ≤ 10 % of the mean, else the "
                            "excess is deducted [C]"),
    "CCER": Rule(0.90, 0.10, "CCER-14-001-V01 read with the CDM A/R 90 %/10 % sampling precision (AR-TOOL14); "
                             "excess deducted [C, V01's uncertainty section not read]"),
    "VM0044": Rule(0.90, 0.10, "Verra 90 %/10 % provision applied to VM0044 [C]"),
}


def half_width(x: np.ndarray, confidence: float = 0.90) -> tuple[float, float]:
    """(mean, half-width of the central ``confidence`` interval relative to |mean|) of samples ``x``."""
    a = (1 - confidence) / 2
    lo, hi = np.quantile(x, [a, 1 - a])
    mean = float(np.mean(x))
    return mean, float((hi - lo) / 2 / abs(mean)) if mean != 0 else float("inf")


def deduction(x: np.ndarray, rule: Rule) -> tuple[float, float]:
    """(relative half-width, deduction fraction) of samples ``x`` under ``rule``; the deduction is
    at most 1 (nothing issued)."""
    _, hw = half_width(x, rule.confidence)
    return hw, float(np.clip(hw - rule.allowed, 0.0, 1.0))


def deduction_table(labels, removals: np.ndarray, central_credits: np.ndarray, standards, buffer_fraction: float,
                    table_deduction: float) -> pd.DataFrame:
    """Per plan and standard: the Monte Carlo interval of net removals (``removals`` (S, P)), the
    rule's deduction beside the monitoring table's, and the central credits re-issued under the
    rule (credits × (1 − d_rule) / (1 − d_table))."""
    rows = []
    for s in standards:
        rule = RULES.get(s)
        for i, label in enumerate(labels):
            if rule is None:
                rows.append((label, s, np.nan, np.nan, table_deduction, central_credits[i], central_credits[i],
                             "no rule known: the monitoring table's deduction stays"))
                continue
            hw, d = deduction(removals[:, i], rule)
            ratio = (credits.credit_factor(buffer_fraction, d)
                     / credits.credit_factor(buffer_fraction, table_deduction)) if d < 1 else 0.0
            rows.append((label, s, hw, d, table_deduction, central_credits[i], central_credits[i] * ratio,
                         rule.source))
    return pd.DataFrame(rows, columns=["plan", "standard", "ci90_half_width_rel", "deduction_rule",
                                       "deduction_table", "credits_table_tco2e", "credits_rule_tco2e", "source"])
