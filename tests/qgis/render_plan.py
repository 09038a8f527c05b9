"""Run by Debian's /usr/bin/python3 with python3-qgis (QT_QPA_PLATFORM=offscreen), not by pytest:
open a plan GeoPackage in QGIS, load the layer's default stored style, render the map to PNG and
print what QGIS saw as JSON (renderer, categories, style names, fields, feature count)."""

import json
import os
import sys

from qgis.core import (
    QgsApplication,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

gpkg, png = sys.argv[1], sys.argv[2]
style_name = sys.argv[3] if len(sys.argv) > 3 else None   # a stored style other than the default
app = QgsApplication([], False)
app.initQgis()
layer = QgsVectorLayer(f"{gpkg}|layername=plan", "plan", "ogr")
out = {"valid": layer.isValid()}
if layer.isValid():
    n, ids, names, descs, err = layer.listStylesInDatabase()
    out["styles"] = list(names)
    msg, loaded = layer.loadDefaultStyle()
    out["default_style_loaded"] = bool(loaded)
    if style_name is not None:
        from qgis.PyQt.QtXml import QDomDocument
        qml = layer.getStyleFromDatabase(ids[list(names).index(style_name)])[0]
        doc = QDomDocument()
        doc.setContent(qml)
        out["named_style_loaded"] = layer.importNamedStyle(doc)[0]
    r = layer.renderer()
    out["renderer"] = r.type()
    if r.type() == "categorizedSymbol":
        out["attr"] = r.classAttribute()
        out["categories"] = {c.value(): c.symbol().color().name() for c in r.categories()}
    if r.type() == "RuleRenderer":
        out["rules"] = [x.label() for x in r.rootRule().children()]
    out["fields"] = [f.name() for f in layer.fields()]
    out["features"] = layer.featureCount()
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setExtent(layer.extent())
    settings.setOutputSize(QSize(600, 600))
    settings.setBackgroundColor(QColor("white"))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    out["saved"] = img.save(png, "png")
    colours = set()
    for x in range(0, img.width(), 7):
        for y in range(0, img.height(), 7):
            colours.add(QColor(img.pixel(x, y)).name())
    out["distinct_colours"] = len(colours)
print(json.dumps(out), flush=True)
os._exit(0)  # QgsApplication.exitQgis() may crash on exit with the offscreen platform
