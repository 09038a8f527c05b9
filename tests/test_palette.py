"""The map palette: every vegetation category distinct from every other, for normal vision and
under simulated colour-vision deficiency (Machado, Oliveira & Fernandes 2009, severity 1.0)."""

from __future__ import annotations

import itertools

import numpy as np

from optimizer.report import style

# Machado et al. (2009), IEEE TVCG 15(6):1291–1298, Table 1, severity 1.0 (linear RGB)
CVD = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
#: CIE76 ΔE below which two map fills are hard to tell apart beside each other (several JNDs;
#: the palette before issue 15 reached 7.6).
MIN_DELTA_E = 12.0


def _lin(hex_color: str) -> np.ndarray:
    c = np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(lin: np.ndarray) -> np.ndarray:
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ np.clip(lin, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def min_delta_e(colors: dict[str, str], vision: str) -> tuple[float, tuple[str, str]]:
    lab = {k: _lab(CVD[vision] @ _lin(v)) for k, v in colors.items()}
    return min((float(np.linalg.norm(lab[a] - lab[b])), (a, b)) for a, b in itertools.combinations(lab, 2))


def test_every_vegetation_category_has_its_own_colour():
    assert len(set(style.CATEGORY_COLORS.values())) == len(style.CATEGORY_COLORS)
    assert set(style.CATEGORY_LABELS) == set(style.CATEGORY_COLORS)


def test_categories_stay_distinct_under_colour_vision_deficiency():
    for vision in CVD:
        d, pair = min_delta_e(style.CATEGORY_COLORS, vision)
        assert d >= MIN_DELTA_E, (vision, pair, round(d, 1))


def test_tree_shrub_herb_and_conifer_differ():
    """The two greens of issue 15 that could not be told apart."""
    for vision in CVD:
        d, _ = min_delta_e({k: style.CATEGORY_COLORS[k] for k in ("tree_shrub_herb", "conifer")}, vision)
        assert d >= 2 * MIN_DELTA_E


def test_no_minus_zero_and_acronyms_keep_their_case():
    from optimizer.report.figures.charts import _tick

    assert [_tick(v) for v in (-0.0, -1e-13, -0.4, -150.2, 0.25)] == ["0", "0", "-0.4", "-150", "0.25"]
    assert style.fmt_number(-0.0) == "0"
    assert style.lower_first("SL 190-2007 grade") == "SL 190-2007 grade"
    assert style.lower_first("CCER credits") == "CCER credits"
    assert style.lower_first("Cost (NPV)") == "cost (NPV)"
