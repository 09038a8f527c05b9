"""Map styles stored in a plan GeoPackage, so QGIS (and ArcGIS Pro, which reads the SLD) opens a
plan as a map rather than one flat colour.

Two styles for the ``plan`` layer, in the ``layer_styles`` table that QGIS itself writes (its
schema is QGIS's; the table is registered in ``gpkg_contents`` as QGIS does):

- ``vegetation`` (the default): categorised on ``map_category`` (what grows in the zone, or the
  water or energy measure), in the report's colour-blind-safe palette
  (:mod:`optimizer.catalog.palette`), zone ids as labels;
- ``works``: rule-based on the ``soil``, ``landform`` and ``waste`` columns: a fill per soil
  measure, a hatch per landform measure and a coloured outline per waste measure.

Each is written as QML (QGIS) and SLD 1.1 (other clients).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from ..catalog.palette import CATEGORY_COLORS, CATEGORY_LABELS, WORKS_GROUPS, category_color, works_symbol

QGIS_VERSION = "3.22.0-Białowieża"
CATEGORY_FIELD = "map_category"
OUTLINE = "#505050"


def _rgba(hex_color: str, alpha: int = 255) -> str:
    h = hex_color.lstrip("#")
    return f"{int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha}"


def _fill_symbol(name: str, color: str | None, *, style: str = "solid", outline: str = OUTLINE,
                 outline_width: float = 0.2, alpha: int = 255) -> str:
    props = {"color": _rgba(color or "#ffffff", alpha), "style": style if color else "no",
             "outline_color": _rgba(outline), "outline_style": "solid", "outline_width": str(outline_width),
             "outline_width_unit": "MM", "joinstyle": "bevel"}
    opts = "".join(f'<Option name="{k}" type="QString" value={quoteattr(v)}/>' for k, v in props.items())
    return (f'<symbol type="fill" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0">'
            f'<layer class="SimpleFill" enabled="1" locked="0" pass="0"><Option type="Map">{opts}</Option>'
            f'</layer></symbol>')


def _labeling() -> str:
    return ('<labeling type="simple"><settings calloutType="simple"><text-style fieldName="zone_id" '
            'fontSize="7" fontSizeUnit="Point" textColor="40,40,40,255" isExpression="0"/>'
            '<text-buffer bufferDraw="1" bufferSize="0.6" bufferColor="255,255,255,200"/>'
            '<placement placement="0"/><rendering scaleVisibility="0" obstacle="1"/></settings></labeling>')


def _qml(renderer: str, labels: bool = True) -> str:
    return (f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            f'<qgis version="{QGIS_VERSION}" styleCategories="Symbology|Labeling">\n{renderer}\n'
            + (_labeling() + "\n" if labels else "") + "</qgis>\n")


def categories_of(df: pd.DataFrame) -> list[str]:
    """Map categories of a plan: the palette's order, then any others (a planner's own types)."""
    seen = set(df[CATEGORY_FIELD].astype(str)) if CATEGORY_FIELD in df.columns else set()
    return [c for c in CATEGORY_COLORS if c in seen] + sorted(seen - set(CATEGORY_COLORS))


def vegetation_qml(categories: list[str]) -> str:
    cats, syms = [], []
    for i, c in enumerate(categories):
        label = CATEGORY_LABELS.get(c, c.replace("_", " ").capitalize())
        cats.append(f'<category render="true" symbol="{i}" value={quoteattr(c)} label={quoteattr(label)}/>')
        syms.append(_fill_symbol(str(i), category_color(c)))
    renderer = (f'<renderer-v2 type="categorizedSymbol" attr="{CATEGORY_FIELD}" symbollevels="0" '
                f'enableorderby="0" forceraster="0"><categories>{"".join(cats)}</categories>'
                f'<symbols>{"".join(syms)}</symbols></renderer-v2>')
    return _qml(renderer)


def works_present(df: pd.DataFrame) -> list[tuple[str, str]]:
    """(group, measure) of every works measure the plan uses, in drawing order."""
    out = []
    for g in WORKS_GROUPS:
        if g in df.columns:
            for m in sorted({str(v) for v in df[g].fillna("") if str(v)}):
                out.append((g, m))
    return out


def works_qml(works: list[tuple[str, str]], names: dict[str, str] | None = None) -> str:
    names = names or {}
    rules = ['<rule key="base" filter="ELSE" label="No landform, soil or waste works" symbol="0"/>']
    syms = [_fill_symbol("0", "#f2f2f2")]
    for i, (g, m) in enumerate(works, start=1):
        s = works_symbol(g, m)
        if s["kind"] == "fill":
            syms.append(_fill_symbol(str(i), s["color"], outline=OUTLINE))
        elif s["kind"] == "hatch":
            syms.append(_fill_symbol(str(i), s["color"], style=s["pattern"], outline=OUTLINE))
        else:
            syms.append(_fill_symbol(str(i), None, outline=s["color"], outline_width=0.9))
        filt = f'"{g}" = \'{m}\''
        label = f"{g}: {names.get(m, m)}"
        rules.append(f'<rule key="r{i}" filter={quoteattr(filt)} label={quoteattr(label)} symbol="{i}"/>')
    renderer = (f'<renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">'
                f'<rules key="root">{"".join(rules)}</rules><symbols>{"".join(syms)}</symbols></renderer-v2>')
    return _qml(renderer)


def _sld(layer: str, style_name: str, rules: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" '
            'xmlns:se="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<NamedLayer><se:Name>{escape(layer)}</se:Name><UserStyle><se:Name>{escape(style_name)}</se:Name>'
            f'<se:FeatureTypeStyle>{"".join(rules)}</se:FeatureTypeStyle></UserStyle></NamedLayer>'
            '</StyledLayerDescriptor>\n')


def _sld_rule(title: str, field: str | None, value: str | None, fill: str | None, stroke: str,
              width: float = 0.5) -> str:
    filt = (f'<ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>{escape(field)}</ogc:PropertyName>'
            f'<ogc:Literal>{escape(value)}</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>'
            if field is not None and value is not None else "")
    fill_xml = f'<se:Fill><se:SvgParameter name="fill">{fill}</se:SvgParameter></se:Fill>' if fill else ""
    return (f'<se:Rule><se:Name>{escape(title)}</se:Name>{filt}<se:PolygonSymbolizer>{fill_xml}'
            f'<se:Stroke><se:SvgParameter name="stroke">{stroke}</se:SvgParameter>'
            f'<se:SvgParameter name="stroke-width">{width}</se:SvgParameter></se:Stroke>'
            f'</se:PolygonSymbolizer></se:Rule>')


def vegetation_sld(layer: str, categories: list[str]) -> str:
    return _sld(layer, "vegetation", [_sld_rule(CATEGORY_LABELS.get(c, c), CATEGORY_FIELD, c, category_color(c),
                                                OUTLINE) for c in categories])


def works_sld(layer: str, works: list[tuple[str, str]]) -> str:
    rules = []
    for g, m in works:
        s = works_symbol(g, m)
        if s["kind"] == "outline":
            rules.append(_sld_rule(f"{g}: {m}", g, m, None, s["color"], 2.5))
        else:  # SLD has no portable hatch: a landform measure is a translucent-free dark outline
            rules.append(_sld_rule(f"{g}: {m}", g, m, s["color"] if s["kind"] == "fill" else None,
                                   s["color"] if s["kind"] == "hatch" else OUTLINE, 1.2))
    return _sld(layer, "works", rules)


LAYER_STYLES_DDL = """
CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
  useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))
"""


def plan_styles(df: pd.DataFrame, layer: str = "plan", names: dict[str, str] | None = None
                ) -> list[tuple[str, str, str, bool, str]]:
    """(style name, QML, SLD, default?, description) of a plan layer."""
    cats = categories_of(df)
    works = works_present(df)
    return [
        ("vegetation", vegetation_qml(cats), vegetation_sld(layer, cats), True,
         "SinkPlan: what grows in each zone (colour-blind-safe palette)"),
        ("works", works_qml(works, names), works_sld(layer, works), False,
         "SinkPlan: works by zone (soil measure fill, landform hatch, waste outline)"),
    ]


def write_layer_styles(gpkg: str | Path, layer: str, styles) -> None:
    """Store ``styles`` for ``layer`` in the GeoPackage's ``layer_styles`` table (replacing its rows)."""
    con = sqlite3.connect(str(gpkg))
    try:
        with con:
            geom = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?",
                               (layer,)).fetchone()
            con.execute(LAYER_STYLES_DDL)
            con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, "
                        "last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles', "
                        "strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
            con.execute("DELETE FROM layer_styles WHERE f_table_name = ?", (layer,))
            for name, qml, sld, default, desc in styles:
                con.execute("INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner, "
                            "ui) VALUES ('', '', ?, ?, ?, ?, ?, ?, ?, 'SinkPlan', '')",
                            (layer, geom[0] if geom else "geom", name, qml, sld, 1 if default else 0, desc))
    finally:
        con.close()
