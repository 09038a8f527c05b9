"""The stylesheet and the script inlined into every report (no network, no library).

Kept as Python strings so they ship inside the package with no package-data entry. The script
reads the JSON embedded in ``<script type="application/json" id="sinkplan-data">`` and draws
the interactive Pareto front and plan map as SVG; everything else in the report is static.
"""

CSS = r"""
:root { --ink:#1d2430; --muted:#5b6575; --line:#d9dee6; --bg:#ffffff; --panel:#f6f8fb; --accent:#1f5fa8;
        --warn:#8a5300; --warnbg:#fff4e0; --bad:#a50026; --good:#1a7f37; }
* { box-sizing: border-box; }
html { font-family: "Noto Sans", "DejaVu Sans", "Segoe UI", Arial, "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", sans-serif; color: var(--ink); background: var(--bg);
       font-size: 15px; line-height: 1.5; }
body { margin: 0; }
header.cover { background: #14324f; color: #fff; padding: 28px 40px 22px; }
header.cover h1 { margin: 0 0 6px; font-size: 1.7rem; font-weight: 600; }
header.cover p { margin: 2px 0; color: #d4e2f0; }
header.cover .status { display: inline-block; padding: 1px 10px; border-radius: 10px; font-weight: 600; font-size: .85rem; }
.status.ok { background: #d8f0dd; color: #0f5323; } .status.notok { background: #fde2e2; color: #8b0000; }
nav.toc { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line); padding: 6px 40px; z-index: 5;
          font-size: .85rem; white-space: nowrap; overflow-x: auto; }
nav.toc a { color: var(--accent); text-decoration: none; margin-right: 14px; }
main { max-width: 1180px; margin: 0 auto; padding: 10px 40px 60px; }
section { margin-top: 34px; }
h2 { font-size: 1.35rem; border-bottom: 2px solid var(--accent); padding-bottom: 4px; margin-bottom: 10px; }
h3 { font-size: 1.05rem; margin: 20px 0 6px; }
p.lead { font-size: 1.02rem; }
.muted, figcaption, .note { color: var(--muted); }
.note { font-size: .88rem; }
.callout { border-left: 4px solid #d08a00; background: var(--warnbg); padding: 8px 14px; margin: 12px 0; }
.callout.info { border-color: var(--accent); background: #eef4fb; }
.callout.bad { border-color: var(--bad); background: #fdecec; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 10px; margin: 14px 0; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.card .k { font-size: .8rem; color: var(--muted); }
.card .v { font-size: 1.25rem; font-weight: 600; }
.card .s { font-size: .8rem; color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-size: .88rem; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.mono, span.mono { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .8rem; word-break: break-all; }
figure { margin: 14px 0 18px; }
figure svg.figure-svg { width: 100%; height: auto; display: block; }
figcaption { font-size: .85rem; margin-top: 4px; }
details > summary { cursor: pointer; color: var(--accent); }
pre.json { background: var(--panel); border: 1px solid var(--line); padding: 10px; font-size: .75rem; overflow: auto;
           max-height: 480px; }
.explorer { display: grid; grid-template-columns: minmax(0, 5fr) minmax(0, 6fr); gap: 18px; align-items: start; }
.explorer.single { grid-template-columns: minmax(0, 1fr); max-width: 900px; }
.explorer .panel { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px; }
.explorer .controls { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin-bottom: 6px; font-size: .88rem; }
.explorer select { font: inherit; padding: 2px 4px; }
#front-chart svg, #plan-map svg { width: 100%; height: auto; display: block; }
#front-chart circle.pt { cursor: pointer; }
#front-chart circle.pt:focus { outline: none; stroke: #000; stroke-width: 2.5px; }
#plan-map path { stroke: #ffffff; stroke-width: .6; vector-effect: non-scaling-stroke; }
#plan-map path:hover { stroke: #000; stroke-width: 1.5; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: .8rem; margin-top: 6px; }
.legend span.sw { display: inline-block; width: 12px; height: 12px; border: 1px solid #888; margin-right: 4px;
                  vertical-align: -2px; }
#zone-info { min-height: 2.6em; font-size: .82rem; color: var(--muted); }
.print-only { display: none; }
.pill { display: inline-block; background: #eef4fb; color: var(--accent); border-radius: 9px; padding: 0 8px; font-size: .8rem; }
footer { color: var(--muted); font-size: .8rem; border-top: 1px solid var(--line); padding: 12px 40px; }
@media (max-width: 860px) { .explorer { grid-template-columns: 1fr; } main { padding: 10px 16px; } }
@media print {
  nav.toc, .explorer .controls, .screen-only { display: none !important; }
  .print-only { display: block; }
  header.cover { background: none; color: #000; padding: 0 0 10px; border-bottom: 2px solid #000; }
  header.cover p { color: #000; }
  section { break-inside: auto; } figure { break-inside: avoid; }
  main { max-width: none; padding: 0; }
  details { display: block; } details > * { display: block; }
}
"""

JS = r"""
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("sinkplan-data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var state = { point: DATA.initial, mode: "category" };
  var TEXT = DATA.text || {};
  function T(key, english) { return TEXT[key] || english; }

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]); }
    if (parent) parent.appendChild(e);
    return e;
  }
  function fmt(v, unit) {
    if (v === null || v === undefined || !isFinite(v)) return "\u2013";
    if (unit === "CNY") {
      var a = Math.abs(v), sign = v < 0 ? "\u2212" : "";
      if (a >= 1e6) return sign + "\u00a5" + (a / 1e6).toLocaleString("en-US", {maximumFractionDigits: 2, minimumFractionDigits: 2}) + " M";
      if (a >= 1e4) return sign + "\u00a5" + Math.round(a / 1e3).toLocaleString("en-US") + " k";
      return sign + "\u00a5" + Math.round(a).toLocaleString("en-US");
    }
    var digits = Math.abs(v) >= 100 || v === 0 ? 0 : (Math.abs(v) >= 10 ? 1 : 2);
    var text = Math.abs(v).toLocaleString("en-US", {maximumFractionDigits: digits, minimumFractionDigits: digits});
    return (v < 0 ? "\u2212" : "") + text + (unit ? " " + unit : "");
  }
  function niceTicks(lo, hi, n) {
    if (!(hi > lo)) { hi = lo + 1; }
    var span = hi - lo, step = Math.pow(10, Math.floor(Math.log10(span / n)));
    var err = span / n / step;
    if (err >= 7.5) step *= 10; else if (err >= 3.5) step *= 5; else if (err >= 1.5) step *= 2;
    var out = [], t = Math.ceil(lo / step) * step;
    for (; t <= hi + step * 1e-9; t += step) out.push(t);
    return out;
  }
  function axisFmt(v, unit) {
    if (unit === "CNY") return (v / 1e6).toLocaleString("en-US", {maximumFractionDigits: 1});
    return v.toLocaleString("en-US", {maximumFractionDigits: Math.abs(v) < 10 ? 1 : 0});
  }
  function axisUnit(unit) { return unit === "CNY" ? T("millionCny", "\u00a5 M") : unit; }

  // ------------------------------------------------------------------ front chart
  function drawFront() {
    var box = document.getElementById("front-chart");
    if (!box || DATA.kind !== "front") return;
    var W = 560, H = 400, m = {l: 70, r: 16, t: 14, b: 48};
    var svg = el("svg", {viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": T("frontAria", "Pareto front; choose a point")});
    box.appendChild(svg);
    var ox = DATA.objectives[1], oy = DATA.objectives[0];
    var xs = DATA.points.map(function (p) { return p.values[1]; });
    var ys = DATA.points.map(function (p) { return p.values[0]; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    var px = (x1 - x0) * 0.06 || Math.abs(x0) * 0.05 || 1, py = (y1 - y0) * 0.08 || Math.abs(y0) * 0.05 || 1;
    x0 -= px; x1 += px; y0 -= py; y1 += py;
    function X(v) { return m.l + (v - x0) / (x1 - x0) * (W - m.l - m.r); }
    function Y(v) { return H - m.b - (v - y0) / (y1 - y0) * (H - m.t - m.b); }
    niceTicks(x0, x1, 6).forEach(function (t) {
      el("line", {x1: X(t), x2: X(t), y1: m.t, y2: H - m.b, stroke: "#eeeeee"}, svg);
      var tx = el("text", {x: X(t), y: H - m.b + 15, "text-anchor": "middle", "font-size": 11, fill: "#444"}, svg);
      tx.textContent = axisFmt(t, ox.unit);
    });
    niceTicks(y0, y1, 6).forEach(function (t) {
      el("line", {x1: m.l, x2: W - m.r, y1: Y(t), y2: Y(t), stroke: "#eeeeee"}, svg);
      var ty = el("text", {x: m.l - 6, y: Y(t) + 4, "text-anchor": "end", "font-size": 11, fill: "#444"}, svg);
      ty.textContent = axisFmt(t, oy.unit);
    });
    el("line", {x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, stroke: "#666"}, svg);
    el("line", {x1: m.l, x2: m.l, y1: m.t, y2: H - m.b, stroke: "#666"}, svg);
    var lx = el("text", {x: (m.l + W - m.r) / 2, y: H - 10, "text-anchor": "middle", "font-size": 12}, svg);
    lx.textContent = ox.label + (ox.unit ? " [" + axisUnit(ox.unit) + "]" : "") +
      (ox.sense > 0 ? "  " + T("lessBetter", "(less is better)") : (ox.sense < 0 ? "  " + T("moreBetter", "(more is better)") : ""));
    var ly = el("text", {x: 14, y: (m.t + H - m.b) / 2, "text-anchor": "middle", "font-size": 12,
                         transform: "rotate(-90 14 " + ((m.t + H - m.b) / 2) + ")"}, svg);
    ly.textContent = oy.label + " [" + axisUnit(oy.unit) + "]";
    var order = DATA.points.map(function (p, i) { return i; }).sort(function (a, b) { return xs[a] - xs[b]; });
    el("polyline", {points: order.map(function (i) { return X(xs[i]) + "," + Y(ys[i]); }).join(" "),
                    fill: "none", stroke: "#9ecae1", "stroke-width": 1.5}, svg);
    DATA.points.forEach(function (p, i) {
      var roles = p.roles || [];
      if (roles.indexOf("knee") >= 0) {
        el("rect", {x: X(xs[i]) - 9, y: Y(ys[i]) - 9, width: 18, height: 18, fill: "none", stroke: "#d62728",
                    "stroke-width": 1.6, transform: "rotate(45 " + X(xs[i]) + " " + Y(ys[i]) + ")"}, svg);
      }
      var c = el("circle", {cx: X(xs[i]), cy: Y(ys[i]), r: 6, fill: "#1f77b4", stroke: "#fff", "stroke-width": 1.2,
                            "class": "pt", tabindex: 0, role: "button", "data-point": i,
                            "aria-label": p.label + ": " + oy.label + " " + fmt(ys[i], oy.unit) + ", " + ox.label + " " + fmt(xs[i], ox.unit)}, svg);
      var t = el("title", {}, c);
      t.textContent = p.label + (roles.length ? " (" + roles.join(", ") + ")" : "") + "\n" +
        DATA.objectives.map(function (o, j) { return o.label + ": " + fmt(p.values[j], o.unit); }).join("\n") +
        "\n" + T("status", "status") + " " + p.status + ", " + T("gap", "gap") + " " + (p.gap === null ? "\u2013" : p.gap.toExponential(1));
      c.addEventListener("click", function () { select(i); });
      c.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); select(i); } });
    });
  }

  // ------------------------------------------------------------------ map
  var MODES = {
    category: {label: T("modeCategory", "What the plan does")},
    removals: {label: T("modeRemovals", "Net removals per ha over the horizon")},
    soil: {label: T("modeSoil", "Soil loss grade (SL 190-2007)")},
    credits: {label: T("modeCredits", "Earns credits under")},
    works: {label: T("modeWorks", "Works: soil measure (fill), landform (hatch), waste (outline)")}
  };
  function hatchFill(w, i) {
    if (!w.hatch || !w.hatch.length) return w.fill;
    var id = "works-hatch-" + i, svg = document.querySelector("#plan-map svg");
    if (svg && !document.getElementById(id)) {
      var NS = "http://www.w3.org/2000/svg";
      var defs = svg.querySelector("defs") || svg.insertBefore(document.createElementNS(NS, "defs"), svg.firstChild);
      var pat = document.createElementNS(NS, "pattern");
      pat.setAttribute("id", id); pat.setAttribute("patternUnits", "userSpaceOnUse");
      pat.setAttribute("width", "8"); pat.setAttribute("height", "8");
      var bg = document.createElementNS(NS, "rect");
      bg.setAttribute("width", "8"); bg.setAttribute("height", "8"); bg.setAttribute("fill", w.fill);
      pat.appendChild(bg);
      w.hatch.forEach(function (a) {
        var ln = document.createElementNS(NS, "line");
        ln.setAttribute("x1", "0"); ln.setAttribute("y1", "4"); ln.setAttribute("x2", "8"); ln.setAttribute("y2", "4");
        ln.setAttribute("stroke", "#222222"); ln.setAttribute("stroke-width", "1.2");
        ln.setAttribute("transform", "rotate(" + a + " 4 4)");
        pat.appendChild(ln);
      });
      defs.appendChild(pat);
    }
    return "url(#" + id + ")";
  }
  var SEQ = ["#f7fcf5", "#c7e9c0", "#74c476", "#31a354", "#006d2c", "#00441b"];
  var NEG = "#d6604d";

  function zoneColor(p, z) {
    if (state.mode === "category") return DATA.categories[p.cat[z]].color;
    if (state.mode === "soil") return DATA.grades[p.grade[z]].color;
    if (state.mode === "credits") return DATA.eligibility[p.elig[z]].color;
    if (state.mode === "works") return hatchFill(DATA.works[p.works[z]], p.works[z]);
    var v = p.removals[z] / DATA.zones[z].area;
    if (v < 0) return NEG;
    var b = DATA.removalBreaks, k = 0;
    while (k < b.length && v > b[k]) k++;
    return SEQ[Math.min(k, SEQ.length - 1)];
  }
  function legend(p) {
    var box = document.getElementById("map-legend");
    if (!box) return;
    box.textContent = "";
    function item(color, text) {
      var s = document.createElement("span");
      var sw = document.createElement("span"); sw.className = "sw"; sw.style.background = color;
      s.appendChild(sw); s.appendChild(document.createTextNode(text)); box.appendChild(s);
    }
    var used = {};
    if (state.mode === "category") {
      p.cat.forEach(function (c) { used[c] = 1; });
      DATA.categories.forEach(function (c, i) { if (used[i]) item(c.color, c.label); });
    } else if (state.mode === "soil") {
      p.grade.forEach(function (c) { used[c] = 1; });
      DATA.grades.forEach(function (c, i) { if (used[i]) item(c.color, c.label); });
    } else if (state.mode === "credits") {
      p.elig.forEach(function (c) { used[c] = 1; });
      DATA.eligibility.forEach(function (c, i) { if (used[i]) item(c.color, c.label); });
    } else if (state.mode === "works") {
      p.works.forEach(function (c) { used[c] = 1; });
      DATA.works.forEach(function (w, i) { if (used[i]) item(w.fill, w.label + (w.hatch.length ? " " + T("hatched", "(hatched)") : "") + (w.stroke ? " " + T("outlined", "(outlined)") : "")); });
    } else {
      item(NEG, T("netSource", "net source (< 0)"));
      var b = DATA.removalBreaks, lo = 0;
      for (var k = 0; k < SEQ.length; k++) {
        var hi = k < b.length ? b[k] : null;
        item(SEQ[k], hi === null ? "> " + fmt(lo, "") + " t CO2e/ha" : fmt(lo, "") + "\u2013" + fmt(hi, "") + " t CO2e/ha");
        if (hi === null) break;
        lo = hi;
      }
    }
  }
  function paintMap() {
    var p = DATA.points[state.point];
    var paths = document.querySelectorAll("#plan-map path[data-z]");
    for (var i = 0; i < paths.length; i++) {
      var z = +paths[i].getAttribute("data-z");
      paths[i].setAttribute("fill", zoneColor(p, z));
      var w = state.mode === "works" && DATA.works ? DATA.works[p.works[z]] : null;
      paths[i].style.stroke = w && w.stroke ? w.stroke : "";
      paths[i].style.strokeWidth = w && w.stroke ? "2.5" : "";
    }
    legend(p);
    var cap = document.getElementById("map-title");
    if (cap) cap.textContent = p.label + (p.roles && p.roles.length ? " (" + p.roles.join(", ") + ")" : "") + ": " + MODES[state.mode].label.toLowerCase();
  }
  function zoneInfo(z) {
    var p = DATA.points[state.point], zn = DATA.zones[z], box = document.getElementById("zone-info");
    if (!box) return;
    box.textContent = T("zone", "Zone") + " " + zn.id + " (" + zn.typeLabel + ", " + fmt(zn.area, "ha") + "): " + DATA.options[p.option[z]] +
      ". " + T("netRemovals", "Net removals") + " " + fmt(p.removals[z], "t CO2e") + ", " + T("cost", "cost") + " " + fmt(p.cost[z], "CNY") +
      ", " + T("soilLoss", "soil loss") + " " + fmt(p.soil[z] / zn.area, "t/ha/yr") + ", " + T("credits", "credits") + " " + fmt(p.credits[z], "t CO2e") + " (" + DATA.eligibility[p.elig[z]].label + ").";
  }
  function totalsTable() {
    var tb = document.getElementById("totals-body");
    if (!tb) return;
    var p = DATA.points[state.point], ref = DATA.points[DATA.reference];
    tb.textContent = "";
    DATA.metrics.forEach(function (m) {
      var tr = document.createElement("tr");
      var td0 = document.createElement("td"); td0.textContent = m.label; tr.appendChild(td0);
      var td1 = document.createElement("td"); td1.className = "num"; td1.textContent = fmt(p.totals[m.key], m.unit); tr.appendChild(td1);
      var td2 = document.createElement("td"); td2.className = "num";
      if (state.point !== DATA.reference) {
        var d = p.totals[m.key] - ref.totals[m.key];
        var tol = 1e-5 * Math.max(Math.abs(p.totals[m.key]), Math.abs(ref.totals[m.key]));
        if (Math.abs(d) <= tol) d = 0;
        td2.textContent = (d > 0 ? "+" : "") + fmt(d, m.unit);
      } else { td2.textContent = T("reference", "reference"); }
      tr.appendChild(td2);
      tb.appendChild(tr);
    });
    var h = document.getElementById("totals-title");
    if (h) h.textContent = T("totalsOf", "Totals of") + " " + p.label + (p.roles && p.roles.length ? " (" + p.roles.join(", ") + ")" : "") +
      " \u2014 " + T("status", "status") + " " + p.status + ", " + T("gap", "gap") + " " + (p.gap === null ? "\u2013" : p.gap.toExponential(1));
  }
  function select(i) {
    state.point = i;
    var pts = document.querySelectorAll("#front-chart circle.pt");
    for (var k = 0; k < pts.length; k++) {
      var on = +pts[k].getAttribute("data-point") === i;
      pts[k].setAttribute("r", on ? 9 : 6);
      pts[k].setAttribute("fill", on ? "#ff7f0e" : "#1f77b4");
      pts[k].setAttribute("aria-pressed", on ? "true" : "false");
    }
    var sel = document.getElementById("point-select");
    if (sel) sel.value = String(i);
    paintMap();
    totalsTable();
    document.body.setAttribute("data-selected-point", String(i));
  }

  function init() {
    drawFront();
    var sel = document.getElementById("point-select");
    if (sel) sel.addEventListener("change", function () { select(+sel.value); });
    var mode = document.getElementById("map-mode");
    if (mode) mode.addEventListener("change", function () { state.mode = mode.value; paintMap(); });
    var paths = document.querySelectorAll("#plan-map path[data-z]");
    for (var i = 0; i < paths.length; i++) {
      (function (z, node) {
        node.addEventListener("mouseenter", function () { zoneInfo(z); });
        node.addEventListener("focus", function () { zoneInfo(z); });
      })(+paths[i].getAttribute("data-z"), paths[i]);
    }
    select(state.point);
    document.body.setAttribute("data-report-ready", "1");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
"""
