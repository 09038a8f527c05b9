"""Measure combinations: every option a catalog can offer, before any zone is seen.

An option is a combination of at most one enabled measure per group (docs/science.md §1.3).
:func:`enumerate_combos` lists them once per catalog, drops the ones no zone could ever take (a
requirement nothing meets, excluding what the option itself provides), and folds each
combination's measures into per-hectare model inputs and suitability inputs
(:mod:`optimizer.options.params`). The tag semantics are documented in :mod:`optimizer.options`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..catalog import GROUPS, ZONE_TYPES, Catalog
from ..settings import Settings
from .params import ComboParams, ComboRules, combo_params, combo_rules

#: Tags a zone can carry besides ``type_<zone_type>`` (set by :func:`optimizer.options.zone_tags`).
ZONE_TAGS = ("burning", "contaminated", "unstabilized", "shallow_water", "deep_water")


@dataclass(frozen=True)
class Combos:
    """All statically possible measure combinations of a catalog (one row per combination)."""

    measures: pd.DataFrame        # the enabled measures, row i = measure index i
    index: np.ndarray             # (C, G) int16 measure index per group, -1 = none
    tags: tuple[str, ...]         # bit i of the masks below = tags[i]
    provides: np.ndarray          # (C,) uint64
    cancels: np.ndarray
    requires: np.ndarray
    excludes: np.ndarray
    params: ComboParams
    rules: ComboRules
    option_id: np.ndarray         # (C,) object
    label: np.ndarray             # (C,) object, "group=measure; …"
    placeholders: np.ndarray      # (C,) object, "; "-joined [P] measure ids and growth curves

    def __len__(self) -> int:
        return len(self.index)

    def tag_bit(self, tag: str) -> np.uint64:
        """The mask of one tag (0 if the catalog never uses it)."""
        if tag not in self.tags:
            return np.uint64(0)
        return np.uint64(1) << np.uint64(self.tags.index(tag))


def _bits(lists, tag_bit) -> np.ndarray:
    out = np.zeros(len(lists), dtype=np.uint64)
    for i, tags in enumerate(lists):
        for t in tags:
            out[i] |= np.uint64(1) << np.uint64(tag_bit[t])
    return out


def enumerate_combos(catalog: Catalog, settings: Settings) -> Combos:
    """Every combination of ≤ 1 enabled measure per group that no zone rule can exclude a priori."""
    ms = catalog.enabled_measures()
    by_group = [[-1] + list(np.flatnonzero(ms["group"].to_numpy() == g)) for g in GROUPS]
    idx = np.array(list(itertools.product(*by_group)), dtype=np.int16)

    tag_names = set(ZONE_TAGS) | {f"type_{t}" for ms_types in ms["zone_types"] for t in ms_types}
    for col in ("requires", "excludes", "provides", "cancels"):
        for lst in ms[col]:
            tag_names.update(lst)
    tag_names.update(f"type_{t}" for t in ZONE_TYPES)
    tags = tuple(sorted(tag_names))
    if len(tags) > 64:
        raise ValueError("the catalog uses more than 64 distinct tags")
    bit = {t: i for i, t in enumerate(tags)}
    m_prov = _bits(ms["provides"], bit)
    m_canc = _bits(ms["cancels"], bit)
    m_req = _bits(ms["requires"], bit)
    m_exc = _bits(ms["excludes"], bit)
    m_types = _bits([[f"type_{t}" for t in zt] for zt in ms["zone_types"]], bit)

    def fold(arr):
        ext = np.concatenate([arr, np.zeros(1, dtype=np.uint64)])  # index -1 → 0
        out = np.zeros(len(idx), dtype=np.uint64)
        for g in range(idx.shape[1]):
            out |= ext[idx[:, g]]
        return out

    prov, canc, req, exc = fold(m_prov), fold(m_canc), fold(m_req), fold(m_exc)
    zone_derivable = np.uint64(0)
    type_bits = np.uint64(0)
    for t in tags:
        if t in ZONE_TAGS or t.startswith("type_"):
            zone_derivable |= np.uint64(1) << np.uint64(bit[t])
        if t.startswith("type_"):
            type_bits |= np.uint64(1) << np.uint64(bit[t])
    ok = (req & ~(prov | zone_derivable)) == 0          # a requirement nothing can meet
    ok &= (exc & prov) == 0                             # excludes what the option itself provides
    idx, prov, canc, req, exc = idx[ok], prov[ok], canc[ok], req[ok], exc[ok]
    ids, labels, ph = _combo_names(ms, idx, catalog)
    return Combos(measures=ms, index=idx, tags=tags, provides=prov, cancels=canc, requires=req, excludes=exc,
                  params=combo_params(ms, idx, catalog, settings),
                  # zone types provided by the combination's own measures (backfill → platform)
                  rules=combo_rules(ms, idx, types_provided=prov & type_bits, measure_types=m_types),
                  option_id=ids, label=labels, placeholders=ph)


def _combo_names(ms: pd.DataFrame, idx: np.ndarray, catalog: Catalog):
    """Option ids ("a+b"), labels ("group=a; …") and placeholder notes of every combination
    (Python lists of each measure's strings, indexed once per combination)."""
    mid = [str(m) for m in ms["measure_id"].tolist()]
    conf = ms["confidence"].tolist()
    veg = ms["vegetation_type"].tolist()
    growth_conf = {v: catalog.growth_confidence(v) for v in catalog.veg_types}
    label = [[f"{g}={m}" for m in mid] for g in GROUPS]
    placeholder = [m if c == "P" else None for m, c in zip(mid, conf)]
    growth_ph = [f"growth:{v}" if v and str(growth_conf.get(v, "")) == "P" else None for v in veg]
    ids, labels, ph = [], [], []
    for row in idx.tolist():
        used = [(g, i) for g, i in enumerate(row) if i >= 0]
        if not used:
            ids.append("no_works")
            labels.append("no works")
            ph.append("")
            continue
        ids.append("+".join([mid[i] for _, i in used]))
        labels.append("; ".join([label[g][i] for g, i in used]))
        p = [placeholder[i] for _, i in used if placeholder[i] is not None]
        p += [growth_ph[i] for _, i in used if growth_ph[i] is not None]
        ph.append("; ".join(p))
    return np.array(ids, dtype=object), np.array(labels, dtype=object), np.array(ph, dtype=object)
