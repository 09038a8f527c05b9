#!/usr/bin/env python
"""Build SinkPlan's three example sites: synthetic zoning files plus a settings TOML beside each.

Run from anywhere::

    python scripts/make_sites.py                 # (re)write sites/<site>/zones.* and settings.toml
    python scripts/make_sites.py --check         # also build every site twice and compare
    python scripts/make_sites.py --preview DIR   # also draw a PNG map of each site into DIR

Sites (see ``sites/README.md``):

``loess_dump``
    External dump of an open-pit coal mine on the Loess Plateau, Antaibao/Pingshuo type, Shanxi:
    four stacked benches (slope faces between berm platforms, a top platform), a sector of
    regraded gentle faces, coal-gangue heaps (some burning), an adjacent pit floor with its wall.
    GeoPackage, layer ``zones``, EPSG:32649 (UTM 49N).
``eastern_subsidence``
    Coal-mining subsidence land on the Huainan/Huaibei plain, Anhui: bowl-shaped subsidence pools
    split into shallow / middle / deep zones, shelter-belt fringes around them, farmland blocks,
    two gangue heaps beside a mine yard, a few contaminated zones. GeoPackage, EPSG:32650.
``inner_mongolia_grassland``
    Grassland open pit at the Shengli coalfield near Xilinhot: pit floor, two pit-wall benches,
    an external dump with platforms and slopes. GeoJSON in EPSG:4326 (lon/lat), so a reader has
    to reproject it, and slope given as ``slope_pct`` instead of ``slope_deg``.

All geometry is synthetic. It is built in a local metric frame by *partitioning* nested outlines:
inward offsets of an irregular footprint give the bench faces (rings) and berms; rings are cut
into sectors by the Voronoi cells of points spaced along their centre line; open areas are cut
by the Voronoi cells of k-means-relaxed seed points. Pieces below ``MERGE_BELOW_M2`` are merged
into the neighbour they share most boundary with. Finally all zones are noded together
(``node_coverage``) so that neighbours share edges vertex for vertex, which makes the set an exact
polygon coverage: valid, non-overlapping, asserted by ``assert_partition`` before anything is
written, and re-checked on the files as read back.

Attributes follow docs/science.md §1.1. Slope faces get ``slope_length_m`` = the horizontal width of the
face measured on the polygon (RUSLE λ is the horizontal projection) and ``slope_deg`` =
atan(bench height / width), so geometry and attributes agree. Every random draw comes from one
``numpy.random.Generator`` per site with a fixed seed, and GEOS operations are deterministic, so
two runs give identical attribute tables and geometries (``--check`` verifies it).

Settings: ``budget_cny`` is a per-hectare allowance times the site area, meant to bind (the TOML
comments price the obvious works with the costs of docs/science.md §4.4), and ``topsoil_stock_m3`` covers
``TOPSOIL_SHARE`` of the platforms and pit floors that are not farmland, plus the heaps, at
``TOPSOIL_DEPTH_M`` (scarce on purpose). Values marked "assumed" in the TOML comments are
engineering choices for the example, not sourced figures. GeoPackages get a fixed timestamp, so
reruns are byte-identical.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
from shapely import affinity
from shapely.geometry import MultiPoint, Polygon

ROOT = Path(__file__).resolve().parents[1]
SITES_DIR = ROOT / "sites"
sys.path.insert(0, str(ROOT))
from optimizer.models.carbon import GRID_T_CO2_PER_MWH_NORTH_CHINA_2022  # noqa: E402 - the one home of the factor

GRID_M = 0.01  # precision grid of every overlay operation [m]; vertices land on a 1 cm grid
MIN_ZONE_M2 = 2_000.0  # smallest allowed zone, 0.2 ha [m²]
MAX_ZONE_M2 = 150_000.0  # largest allowed zone, 15 ha [m²]
MERGE_BELOW_M2 = 2_600.0  # pieces smaller than this are merged into a neighbour [m²]
SLIVER_WIDTH_M = 0.05  # unowned faces thinner than this are construction slivers, not gaps [m]
OVERLAP_TOL_M2 = 1e-3  # largest pairwise overlap accepted by the final check [m²]
LONLAT_DECIMALS = 7  # GeoJSON coordinate precision, 1e-7° ≈ 1 cm
GPKG_TIMESTAMP = "2026-01-01T00:00:00Z"  # gpkg_contents.last_change written into every GeoPackage

TOPSOIL_SHARE = 0.30  # topsoil stock covers this share of platform + pit-floor area (assumed)
TOPSOIL_DEPTH_M = 0.30  # ... at this depth [m] (assumed)

ID_PREFIX = {"platform": "P", "slope": "S", "subsidence_pool": "W", "waste_heap": "H", "pit_floor": "F"}
TYPE_ORDER = ["platform", "slope", "waste_heap", "pit_floor", "subsidence_pool"]


# --------------------------------------------------------------------------------------------
# geometry helpers (local metric frame, metres)
# --------------------------------------------------------------------------------------------


def polygons_of(geom) -> list[Polygon]:
    """Polygon parts of any geometry (made valid first), empty ones dropped."""
    if geom is None or geom.is_empty:
        return []
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type == "Polygon":
        return [geom] if geom.area > 0 else []
    if hasattr(geom, "geoms"):
        return [p for part in geom.geoms for p in polygons_of(part)]
    return []


def largest(geom) -> Polygon:
    """The largest polygon part of ``geom``."""
    parts = polygons_of(geom)
    if not parts:
        raise ValueError("geometry has no polygon part")
    return max(parts, key=lambda p: p.area)


def inter(a, b):
    return shapely.intersection(a, b, grid_size=GRID_M)


def diff(a, b):
    return shapely.difference(a, b, grid_size=GRID_M)


def union(*geoms):
    return shapely.union_all(list(geoms), grid_size=GRID_M)


def snap(geom):
    """Geometry with its vertices on the ``GRID_M`` grid (valid output)."""
    return shapely.set_precision(geom, GRID_M)


def inset(poly, distance_m: float, *, mitre: bool = True):
    """Inward offset by ``distance_m``; mitred joins keep a bench outline's straight edges."""
    if mitre:
        return snap(shapely.buffer(poly, -distance_m, join_style="mitre", mitre_limit=3.0))
    return snap(shapely.buffer(poly, -distance_m, quad_segs=8))


def opening(poly, radius_m: float):
    """Morphological opening: rounds convex corners, removes necks thinner than 2·radius."""
    return inter(poly.buffer(-radius_m, quad_segs=8).buffer(radius_m, quad_segs=8), poly)


def closing(poly, radius_m: float):
    """Morphological closing: rounds concave corners, fills notches narrower than 2·radius."""
    return snap(poly.buffer(radius_m, quad_segs=8).buffer(-radius_m, quad_segs=8))


def random_convex(rng, center, half_axes_m, rotation_deg: float, n_points: int, jitter: float = 0.12) -> Polygon:
    """Convex hull of ``n_points`` at random angles on a jittered ellipse: a 'truncated pyramid' plan."""
    angles = np.sort(rng.uniform(0.0, 2 * np.pi, n_points))
    # make sure no gap between successive corners exceeds ~100° (keeps the hull near the ellipse)
    angles = np.sort(np.concatenate([angles, np.arange(0.0, 2 * np.pi, np.radians(90.0)) + rng.uniform(0, 0.5)]))
    radius = 1.0 + rng.uniform(-jitter, jitter, angles.size)
    x = half_axes_m[0] * radius * np.cos(angles)
    y = half_axes_m[1] * radius * np.sin(angles)
    hull = MultiPoint(np.column_stack([x, y])).convex_hull
    hull = affinity.rotate(hull, rotation_deg, origin=(0, 0))
    return snap(affinity.translate(hull, *center))


def smooth_blob(rng, center, radius_m: float, *, aspect: float = 1.0, rotation_deg: float = 0.0,
                roughness: float = 0.18, n_harmonics: int = 6, n_vertices: int = 180) -> Polygon:
    """Smooth irregular closed shape: a circle whose radius carries random low harmonics."""
    theta = np.linspace(0.0, 2 * np.pi, n_vertices, endpoint=False)
    r = np.ones_like(theta)
    for n in range(2, n_harmonics + 1):
        r += roughness * rng.normal() / n * np.cos(n * theta + rng.uniform(0, 2 * np.pi))
    r = np.clip(r, 0.45, None) * radius_m
    x = r * np.cos(theta) * math.sqrt(aspect)
    y = r * np.sin(theta) / math.sqrt(aspect)
    blob = affinity.rotate(Polygon(np.column_stack([x, y])), rotation_deg, origin=(0, 0))
    return largest(snap(affinity.translate(blob, *center)))


def rounded_rect(center, length_m: float, width_m: float, rotation_deg: float, corner_m: float) -> Polygon:
    """Rectangle with rounded corners (mine yards, pits)."""
    half_l, half_w = length_m / 2 - corner_m, width_m / 2 - corner_m
    core = Polygon([(-half_l, -half_w), (half_l, -half_w), (half_l, half_w), (-half_l, half_w)])
    rect = affinity.rotate(core.buffer(corner_m, quad_segs=8), rotation_deg, origin=(0, 0))
    return snap(affinity.translate(rect, *center))


def wedge(center, radius_m: float, start_deg: float, end_deg: float) -> Polygon:
    """Circular sector from ``center`` between two compass-free math angles (degrees, CCW from +x)."""
    a = np.radians(np.linspace(start_deg, end_deg, 64))
    pts = [tuple(center)] + [(center[0] + radius_m * math.cos(t), center[1] + radius_m * math.sin(t)) for t in a]
    return snap(Polygon(pts))


def sample_points(rng, region, n: int) -> np.ndarray:
    """``n`` uniform random points inside ``region`` (rejection sampling on its bounding box)."""
    minx, miny, maxx, maxy = region.bounds
    chunks, count = [], 0
    while count < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(2 * n, 2))
        xy = xy[shapely.contains_xy(region, xy[:, 0], xy[:, 1])]
        chunks.append(xy)
        count += len(xy)
    return np.concatenate(chunks)[:n]


def kmeans_seeds(rng, region, k: int, iterations: int = 30) -> np.ndarray:
    """``k`` evenly spread seeds in ``region``: Lloyd's k-means on a dense random sample."""
    pts = sample_points(rng, region, max(250 * k, 2_000))
    centers = pts[rng.choice(len(pts), size=k, replace=False)].copy()
    for _ in range(iterations):
        d2 = ((pts[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
        label = d2.argmin(axis=1)
        for j in range(k):
            members = pts[label == j]
            if len(members):
                centers[j] = members.mean(axis=0)
    return centers


def voronoi_clip(region, seeds: np.ndarray) -> list[Polygon]:
    """Voronoi cells of ``seeds`` clipped to ``region`` (cells may split into several parts)."""
    if len(seeds) < 2:
        return polygons_of(region)
    envelope = region.envelope.buffer(1_000.0)
    cells = shapely.get_parts(shapely.voronoi_polygons(MultiPoint(seeds), extend_to=envelope, ordered=True))
    pieces: list[Polygon] = []
    for cell in cells:
        pieces.extend(polygons_of(inter(cell, region)))
    return pieces


def shared_length_m(a, b) -> float:
    """Length of the boundary ``a`` and ``b`` share [m]."""
    return shapely.length(shapely.intersection(a.boundary, b.boundary, grid_size=GRID_M))


def clean_pieces(rng, pieces: list[Polygon], target_m2: float) -> list[Polygon]:
    """Merge slivers into their longest-shared-boundary neighbour; split pieces above 15 ha."""
    pieces = [p for g in pieces for p in polygons_of(g)]
    while True:
        small = sorted((i for i, p in enumerate(pieces) if p.area < MERGE_BELOW_M2), key=lambda i: pieces[i].area)
        merged = False
        for i in small:
            tree = shapely.STRtree(pieces)
            candidates = [j for j in tree.query(pieces[i], predicate="intersects") if j != i]
            lengths = [(shared_length_m(pieces[i], pieces[j]), j) for j in candidates]
            lengths = [(length, j) for length, j in lengths if length > 0.0]
            if not lengths:
                continue
            _, j = max(lengths)
            joined = polygons_of(union(pieces[i], pieces[j]))
            if len(joined) != 1:
                continue
            pieces[j] = joined[0]
            del pieces[i]
            merged = True
            break
        if not merged:
            break
    out: list[Polygon] = []
    for p in pieces:
        if p.area < MIN_ZONE_M2:
            continue  # an isolated sliver: left as a gap
        if p.area > MAX_ZONE_M2:
            k = math.ceil(p.area / min(target_m2, 0.8 * MAX_ZONE_M2))
            out.extend(clean_pieces(rng, voronoi_clip(p, kmeans_seeds(rng, p, k)), target_m2))
        else:
            out.append(p)
    return out


def partition_area(rng, region, target_m2: float) -> list[Polygon]:
    """Cut an open area into irregular cells of about ``target_m2`` (Voronoi of k-means seeds)."""
    out: list[Polygon] = []
    for part in polygons_of(region):
        k = max(1, round(part.area / target_m2))
        pieces = [part] if k == 1 else voronoi_clip(part, kmeans_seeds(rng, part, k))
        out.extend(clean_pieces(rng, pieces, target_m2))
    return out


def partition_band(rng, band, spacing_m: float, guide_inset_m: float) -> list[Polygon]:
    """Cut a ring-like band into sectors about ``spacing_m`` long.

    Seeds are spaced along the band's outer edge moved ``guide_inset_m`` inwards, so the Voronoi
    cuts run across the band, roughly perpendicular to it.
    """
    out: list[Polygon] = []
    for part in polygons_of(band):
        guide_poly = part.buffer(-guide_inset_m)
        guide = largest(guide_poly).exterior if not guide_poly.is_empty else part.exterior
        length = guide.length
        n = round(length / spacing_m)
        if n < 2:
            out.extend(clean_pieces(rng, [part], spacing_m * spacing_m))
            continue
        start = rng.uniform(0.0, length)
        offsets = (start + (np.arange(n) + rng.uniform(-0.2, 0.2, n)) * length / n) % length
        pts = shapely.get_coordinates(shapely.line_interpolate_point(guide, offsets))
        out.extend(clean_pieces(rng, voronoi_clip(part, pts), spacing_m * 60.0))
    return out


def band_width_m(poly) -> float:
    """Mean width of a band-shaped sector [m]: solves area = w·l, perimeter = 2l + 2w for w."""
    a, half_p = poly.area, poly.length / 2.0
    disc = max(half_p * half_p - 4.0 * a, 0.0)
    return (half_p - math.sqrt(disc)) / 2.0


def node_coverage(geoms: list[Polygon], grid: float = GRID_M, sliver_width: float = SLIVER_WIDTH_M) -> list[Polygon]:
    """Rebuild the zones from their jointly noded boundaries so neighbours share every vertex.

    Zones built by separate overlay operations can meet in T-junctions (a vertex of one lying on
    an edge of the other) that a 1 cm grid turns into mm-wide overlaps or gaps. Noding all
    boundaries together, polygonizing, and giving each face back to the zone that contains it
    yields an exact coverage. Faces in no zone that are thin slivers (mean width below
    ``SLIVER_WIDTH_M``) go to the zone they touch along the longest stretch, so neighbours touch;
    wider unowned faces (roads, villages, yards) stay gaps. ``grid`` and ``sliver_width`` are in
    the units of the coordinates (metres by default; degrees for lon/lat).
    """
    lines = shapely.union_all(shapely.boundary(np.array(geoms, dtype=object)), grid_size=grid)
    faces = np.array([f for f in shapely.get_parts(shapely.polygonize(shapely.get_parts(lines))) if f.area > 0],
                     dtype=object)
    points = shapely.point_on_surface(faces)
    tree = shapely.STRtree(geoms)
    face_idx, zone_idx = tree.query(points, predicate="within")
    owner = np.full(len(faces), -1)
    for f, z in zip(face_idx, zone_idx):
        if owner[f] < 0:
            owner[f] = z
    for f in np.flatnonzero(owner < 0):
        face = faces[f]
        if 2.0 * face.area / face.length >= sliver_width:
            continue
        near = tree.query(face, predicate="dwithin", distance=sliver_width)
        contact = [(shapely.length(shapely.intersection(face.boundary, geoms[z].buffer(sliver_width))), z)
                   for z in near]
        if contact:
            owner[f] = max(contact)[1]
    rebuilt = []
    for z, original in enumerate(geoms):
        mine = faces[owner == z]
        merged = shapely.coverage_union_all(mine)
        parts = polygons_of(merged)
        if len(parts) != 1:
            raise AssertionError(f"zone {z} fell apart into {len(parts)} parts while noding")
        # noding moves the boundary by at most a sliver's width: |Δ area| <= width × perimeter
        if abs(parts[0].area - original.area) > sliver_width * original.length:
            raise AssertionError(f"zone {z} changed area while noding: {original.area:.2f} -> {parts[0].area:.2f} m²")
        rebuilt.append(parts[0])
    return rebuilt


def assert_partition(geoms, label: str, *, check_area: bool = True) -> None:
    """Every zone a valid Polygon (of 0.2–15 ha), no pairwise overlap, and an exact coverage."""
    geoms = np.asarray(list(geoms), dtype=object)
    problems = []
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        problems.append(f"{invalid.sum()} invalid geometries: {shapely.is_valid_reason(geoms[invalid])[:3]}")
    kinds = Counter(g.geom_type for g in geoms)
    if set(kinds) != {"Polygon"}:
        problems.append(f"geometry types {dict(kinds)}")
    area = shapely.area(geoms)
    if check_area and (area.min() < MIN_ZONE_M2 * 0.999 or area.max() > MAX_ZONE_M2):
        problems.append(f"zone area outside 0.2–15 ha: {area.min() / 1e4:.3f}–{area.max() / 1e4:.3f} ha")
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    overlap = shapely.area(shapely.intersection(geoms[left[keep]], geoms[right[keep]]))
    worst = float(overlap.max()) if overlap.size else 0.0
    if worst > (OVERLAP_TOL_M2 if check_area else 0.0):
        problems.append(f"pairwise overlap up to {worst:.4f} m² ({(overlap > OVERLAP_TOL_M2).sum()} pairs)")
    if not shapely.coverage_is_valid(geoms):
        problems.append("not an exact coverage (neighbours do not share their edges vertex for vertex)")
    if problems:
        raise AssertionError(f"{label}: " + "; ".join(problems))


# --------------------------------------------------------------------------------------------
# zones and sites
# --------------------------------------------------------------------------------------------


@dataclass
class Zone:
    geom: Polygon
    zone_type: str
    slope_deg: float
    slope_length_m: float  # NaN when not meaningful
    soil_depth_cm: float
    burning: str = "none"
    water_depth_m: float = float("nan")
    contaminated: bool = False
    land_designation: str = "mining_land"


@dataclass
class Site:
    name: str  # folder under sites/
    title: str
    region: str
    epsg_utm: int  # projected CRS the geometry is built in
    anchor_lonlat: tuple[float, float]
    seed: int
    file_name: str  # zones.gpkg or zones.geojson
    slope_as_percent: bool = False
    zones: list[Zone] = field(default_factory=list)


def face_zone(rng, geom, height_m: float, angle_range: tuple[float, float], **attrs) -> Zone:
    """A slope-face zone: λ = measured horizontal width, angle = atan(local height / λ)."""
    width = band_width_m(geom)
    local_height = height_m * (1.0 + 0.05 * rng.standard_normal())
    angle = float(np.clip(math.degrees(math.atan2(local_height, width)), *angle_range))
    return Zone(geom, "slope", round(angle, 1), round(width, 1), **attrs)


def pick(rng, lo: float, hi: float, digits: int = 1) -> float:
    """A uniform draw in [lo, hi), rounded."""
    return round(float(rng.uniform(lo, hi)), digits)


def flat_length_m(rng, geom, cap_m: float = 150.0) -> float:
    """Plausible RUSLE λ on a flat-ish zone: a share of its size, capped (drains, bunds) [m]."""
    return round(min(math.sqrt(geom.area) * rng.uniform(0.4, 0.7), cap_m), 1)


def heap_length_m(geom) -> float:
    """Flank length of a conical heap: 0.8 × its equivalent radius, at most 60 m [m]."""
    return round(min(math.sqrt(geom.area / math.pi) * 0.8, 60.0), 1)


def build_benches(rng, footprint, benches, *, regraded=None, berm_wobble_m=60.0):
    """Stack benches on ``footprint`` like truncated pyramids.

    ``benches``: list of (height_m, face_angle_deg, berm_width_m or None for the top level).
    ``regraded``: optional (wedge polygon, gentle angle_deg, set of bench indices) where the face
    is cut back to a gentler angle, widening it into the berm behind.
    Returns (faces, berms, top): faces[k] is the face ring of bench k with its width, berms[k] the
    platform ring behind it (None for the last), top the top platform.
    """
    outline = footprint
    faces, berms = [], []
    for k, (height_m, angle_deg, berm_m) in enumerate(benches):
        width = height_m / math.tan(math.radians(angle_deg))
        inner = inset(outline, width)
        if regraded is not None and k in regraded[2]:
            gentle_width = height_m / math.tan(math.radians(regraded[1]))
            inner = union(diff(inner, regraded[0]), inter(inset(outline, gentle_width), regraded[0]))
        inner = largest(inner)
        faces.append(diff(outline, inner))
        if berm_m is None:
            berms.append(None)
            top = inner
            break
        core = inset(inner, berm_m)
        # the next bench is the inset core, shifted and tilted a little: berms come out uneven
        c = core.centroid
        wobble = affinity.rotate(affinity.scale(core, 1.10, 1.10, origin=c), rng.uniform(-5, 5), origin=c)
        wobble = affinity.translate(wobble, *rng.uniform(-berm_wobble_m, berm_wobble_m, 2))
        upper = largest(opening(inter(core, wobble), 40.0))
        berms.append(diff(inner, upper))
        outline = upper
    return faces, berms, top


def build_loess_dump(site: Site) -> None:
    """Antaibao-type external dump (stepped mound), gangue heaps, pit floor and pit wall."""
    rng = np.random.default_rng(site.seed)
    # footprint: two overlapping convex plans (main body + a lobe), corners rounded
    body = random_convex(rng, (0.0, 0.0), (860.0, 500.0), 18.0, 9)
    lobe = random_convex(rng, (-520.0, -330.0), (430.0, 320.0), -20.0, 8)
    footprint = largest(opening(closing(union(body, lobe), 90.0), 60.0))

    # benches: height [m], face angle [deg], berm width [m]; Antaibao-type faces 30–36° (assumed)
    benches = [(11.0, 32.0, 70.0), (13.0, 33.0, 60.0), (17.0, 34.0, 55.0), (15.0, 35.0, None)]
    c = footprint.centroid
    start = rng.uniform(0.0, 360.0)
    regrade = (wedge((c.x, c.y), 3_000.0, start, start + 80.0), 18.5, {0, 1})
    faces, berms, top = build_benches(rng, footprint, benches, regraded=regrade)

    # pit: north of the dump beyond a 250 m haul corridor; one wall face, then the floor
    pit = random_convex(rng, (c.x + 150.0, footprint.bounds[3] + 480.0), (540.0, 240.0), 12.0, 10, jitter=0.08)
    pit = largest(opening(diff(pit, footprint.buffer(250.0)), 70.0))
    pit_wall_height = 20.0
    pit_floor = largest(inset(pit, pit_wall_height / math.tan(math.radians(34.0)), mitre=False))
    pit_wall = diff(pit, pit_floor)

    # gangue heaps: two on the top platform, four along the dump foot
    top_core = inset(top, 110.0, mitre=False)
    heaps = []
    for center in kmeans_seeds(rng, top_core, 2):
        blob = smooth_blob(rng, center, rng.uniform(65.0, 85.0), aspect=rng.uniform(1.0, 1.5),
                           rotation_deg=rng.uniform(0, 180))
        heaps.append(largest(inter(blob, inset(top, 20.0, mitre=False))))
    keep_out = union(footprint.buffer(35.0), pit.buffer(60.0))
    ring = footprint.buffer(180.0).exterior
    for frac in (0.08, 0.30, 0.52, 0.74):
        p = ring.interpolate(frac * ring.length)
        blob = smooth_blob(rng, (p.x, p.y), rng.uniform(75.0, 115.0), aspect=rng.uniform(1.1, 1.7),
                           rotation_deg=rng.uniform(0, 180))
        heaps.append(largest(diff(blob, keep_out)))
    top_rest = diff(top, union(*heaps))

    zones = site.zones
    # faces of the dump benches: level 0 and 1 in the wedge are regraded (gentle)
    for k, face in enumerate(faces):
        height = benches[k][0]
        for g in partition_band(rng, face, 180.0, 10.0):
            gentle = k in regrade[2] and inter(g, regrade[0]).area > 0.5 * g.area
            angle_range = (15.0, 20.0) if gentle else (25.0, 38.0)
            soil_cm = float(rng.integers(10, 31) if k == 0 else rng.integers(0, 16))
            zones.append(face_zone(rng, g, height, angle_range, soil_depth_cm=soil_cm,
                                   land_designation="planned_afforestation_land" if k == 0 else "mining_land"))
    # berm platforms: the lowest berm was covered with loess and handed over for afforestation
    soil_by_level = [(25, 41), (15, 31), (5, 21)]
    for k, berm in enumerate(berms):
        if berm is None:
            continue
        for g in partition_band(rng, berm, 300.0, 15.0):
            zones.append(Zone(g, "platform", pick(rng, 1.0, 3.0), round(min(band_width_m(g), 150.0), 1),
                              float(rng.integers(*soil_by_level[k])),
                              land_designation="planned_afforestation_land" if k == 0 else "mining_land"))
    for g in partition_area(rng, top_rest, 40_000.0):
        zones.append(Zone(g, "platform", pick(rng, 0.5, 2.0), flat_length_m(rng, g),
                          float(rng.integers(0, 11))))
    # heaps: burning grades fixed so every grade appears; big heaps split into ~1.5 ha zones, the
    # largest part keeps the heap's grade, the others burn one grade less
    grades = ["low", "medium", "high", "none", "medium", "low"]
    lower = {"high": "medium", "medium": "low", "low": "none", "none": "none"}
    for h, (heap, grade) in enumerate(zip(heaps, grades)):
        parts = partition_area(rng, heap, 15_000.0) if heap.area > 22_000.0 else [heap]
        parts.sort(key=lambda p: p.area, reverse=True)
        for i, g in enumerate(parts):
            burning = grade if i == 0 else lower[grade]
            zones.append(Zone(g, "waste_heap", pick(rng, 30.0, 37.0), heap_length_m(g),
                              0.0 if burning != "none" else float(rng.integers(10, 31)), burning=burning,
                              contaminated=grade == "high" or h == 1))
    for g in partition_band(rng, pit_wall, 300.0, 10.0):
        zones.append(face_zone(rng, g, pit_wall_height, (25.0, 38.0), soil_depth_cm=0.0))
    floor_cells = partition_area(rng, pit_floor, 50_000.0)
    hot = shapely.union_all([z.geom for z in zones if z.burning == "high"])
    nearest = min(range(len(floor_cells)), key=lambda i: floor_cells[i].distance(hot))
    for i, g in enumerate(floor_cells):
        zones.append(Zone(g, "pit_floor", pick(rng, 0.5, 3.0), flat_length_m(rng, g),
                          0.0, contaminated=i == nearest))


def build_eastern_subsidence(site: Site) -> None:
    """Huainan-type subsidence land: pools by depth, shelter-belt fringes, farmland, two heaps."""
    rng = np.random.default_rng(site.seed)
    field_angle = 12.0  # field and road grid orientation [deg CCW from east] (assumed)
    strike = 35.0  # coal-seam strike; subsidence basins stretch along it [deg] (assumed)
    area = rounded_rect((0.0, 0.0), 2_700.0, 1_950.0, field_angle, 150.0)

    villages = [smooth_blob(rng, (-1_050.0, 700.0), 150.0, aspect=1.4, rotation_deg=field_angle),
                smooth_blob(rng, (1_080.0, -650.0), 120.0, aspect=1.2, rotation_deg=field_angle)]
    yard = rounded_rect((950.0, 620.0), 280.0, 190.0, field_angle, 15.0)  # mine industrial yard
    heap_a = smooth_blob(rng, (700.0, 700.0), 120.0, aspect=1.4, rotation_deg=60.0)
    heap_b = smooth_blob(rng, (1_120.0, 330.0), 80.0, aspect=1.2, rotation_deg=10.0)
    heaps = [largest(diff(h, yard.buffer(15.0))) for h in (heap_a, heap_b)]
    heaps[1] = largest(diff(heaps[1], heaps[0].buffer(20.0)))
    built = union(*villages, yard, *heaps)

    main = union(smooth_blob(rng, (-250.0, -120.0), 540.0, aspect=2.3, rotation_deg=strike, roughness=0.25),
                 smooth_blob(rng, (280.0, 170.0), 380.0, aspect=1.8, rotation_deg=strike + 15.0, roughness=0.25))
    second = smooth_blob(rng, (-1_020.0, -380.0), 260.0, aspect=1.5, rotation_deg=strike - 10.0, roughness=0.25)
    third = smooth_blob(rng, (380.0, -650.0), 190.0, aspect=1.5, rotation_deg=strike + 20.0, roughness=0.25)
    allowed = diff(inset(area, 120.0, mitre=False), built.buffer(180.0))
    pools = [largest(opening(closing(inter(p, allowed), 60.0), 40.0)) for p in (main, second, third)]
    pools[1] = largest(opening(diff(pools[1], pools[0].buffer(160.0)), 40.0))
    pools[2] = largest(opening(diff(pools[2], union(pools[0], pools[1]).buffer(160.0)), 40.0))
    all_pools = union(*pools)

    zones = site.zones
    # pools are bowl-shaped, so depth grows inward: a 40 m margin 0.5–1.5 m deep, a middle belt to
    # 160 m from the shore 1.5–3.5 m, a core 3.5–6 m (assumed). Depth levels too small to hold a
    # zone are left to the level outside them.
    for pool in pools:
        levels = []
        for inset_m, depth, spacing in [(0.0, (0.5, 1.5), 350.0), (40.0, (1.5, 3.5), 420.0), (160.0, (3.5, 6.0), None)]:
            region = pool if inset_m == 0.0 else inset(pool, inset_m, mitre=False)
            region = union(*[p for p in polygons_of(region) if p.area >= 4 * MIN_ZONE_M2])
            if region.is_empty:
                break
            levels.append((region, depth, spacing))
        for i, (region, depth, spacing) in enumerate(levels):
            if i + 1 < len(levels):
                pieces = partition_band(rng, diff(region, levels[i + 1][0]), spacing, 15.0)
            else:
                pieces = partition_area(rng, region, 70_000.0)
            for g in pieces:
                zones.append(Zone(g, "subsidence_pool", pick(rng, 0.3, 2.0), float("nan"), float(rng.integers(20, 36)),
                                  water_depth_m=pick(rng, *depth)))

    # shelter-belt fringe around the pools, 70 m wide, planned for afforestation
    fringe = diff(inter(all_pools.buffer(70.0), area), union(all_pools, built.buffer(15.0)))
    for g in partition_band(rng, fringe, 420.0, 20.0):
        zones.append(Zone(g, "platform", pick(rng, 1.5, 3.0), pick(rng, 40.0, 70.0), float(rng.integers(20, 36)),
                          land_designation="planned_afforestation_land"))

    # farmland: a slightly irregular field grid between 10 m roads, laid out in field axes (u along,
    # v across) and rotated by the field angle
    road_lines = [shapely.LineString([(-3_000.0, v0), (3_000.0, v0)]) for v0 in (-100.0, 700.0)] + [
        shapely.LineString([(u0, -3_000.0), (u0, 3_000.0)]) for u0 in (-600.0, 500.0)]
    roads = shapely.union_all([line.buffer(5.0) for line in road_lines])
    roads = snap(affinity.rotate(roads, field_angle, origin=(0, 0)))
    c, s = math.cos(math.radians(field_angle)), math.sin(math.radians(field_angle))
    farm = diff(area, union(all_pools.buffer(70.0), built.buffer(15.0), roads))
    u, v = np.meshgrid(np.arange(-1_600.0, 1_600.0, 360.0), np.arange(-1_200.0, 1_200.0, 255.0))
    u = u + rng.uniform(-25.0, 25.0, u.shape)
    v = v + rng.uniform(-20.0, 20.0, v.shape)
    lattice = np.column_stack([(u * c - v * s).ravel(), (u * s + v * c).ravel()])
    cells = []
    for part in polygons_of(farm):
        cells.extend(clean_pieces(rng, voronoi_clip(part, lattice), 60_000.0))
    for g in cells:
        zones.append(Zone(g, "platform", pick(rng, 0.2, 2.0), flat_length_m(rng, g, 200.0),
                          float(rng.integers(30, 41)), land_designation="farmland"))

    # heaps (not burning in this wet climate, one smouldering a little) and contamination around them
    for h, heap in enumerate(heaps):
        parts = partition_area(rng, heap, 25_000.0) if heap.area > 35_000.0 else [heap]
        for i, g in enumerate(parts):
            zones.append(Zone(g, "waste_heap", pick(rng, 28.0, 36.0), heap_length_m(g),
                              0.0, burning="low" if (h == 0 and i == 0) else "none", contaminated=True))
    heap_union = union(*heaps)
    farmland = [z for z in zones if z.land_designation == "farmland"]
    for z in sorted(farmland, key=lambda z: z.geom.distance(heap_union))[:3]:
        z.contaminated = True


def build_inner_mongolia(site: Site) -> None:
    """Shengli-type grassland open pit (floor, two wall benches) and its external dump."""
    rng = np.random.default_rng(site.seed)
    strike = 35.0  # pit and dump elongated along the coal-seam strike, NE-SW [deg] (assumed)
    pit = largest(opening(random_convex(rng, (-700.0, 450.0), (900.0, 360.0), strike, 12, jitter=0.06), 90.0))
    dump = union(random_convex(rng, (650.0, -520.0), (720.0, 430.0), strike, 10, jitter=0.10),
                 random_convex(rng, (150.0, -850.0), (380.0, 260.0), strike - 25.0, 8, jitter=0.10))
    dump = largest(diff(opening(closing(dump, 80.0), 60.0), pit.buffer(220.0)))

    # pit walls: two 20 m benches at 30–36° with a 35 m berm; the dump: a gentle regraded lower
    # face (grazing), a 75 m berm, a steeper upper face, a wide top (all assumed)
    pit_benches = [(20.0, 31.0, 35.0), (20.0, 35.0, None)]
    dump_benches = [(15.0, 20.0, 75.0), (15.0, 28.0, None)]
    pit_faces, pit_berms, pit_floor = build_benches(rng, pit, pit_benches, berm_wobble_m=0.0)
    dump_faces, dump_berms, dump_top = build_benches(rng, dump, dump_benches, berm_wobble_m=40.0)

    zones = site.zones
    for face in pit_faces:
        for g in partition_band(rng, face, 380.0, 10.0):
            zones.append(face_zone(rng, g, 20.0, (25.0, 38.0), soil_depth_cm=0.0))
    for g in partition_band(rng, pit_berms[0], 450.0, 10.0):
        zones.append(Zone(g, "platform", pick(rng, 1.0, 3.0), round(band_width_m(g), 1), float(rng.integers(0, 6))))
    for g in partition_area(rng, pit_floor, 80_000.0):
        zones.append(Zone(g, "pit_floor", pick(rng, 0.5, 2.0), flat_length_m(rng, g), 0.0))
    for k, face in enumerate(dump_faces):
        angles = (17.0, 23.0) if k == 0 else (25.0, 33.0)
        for g in partition_band(rng, face, 350.0, 10.0):
            zones.append(face_zone(rng, g, 15.0, angles, soil_depth_cm=float(rng.integers(0, 16))))
    for g in partition_band(rng, dump_berms[0], 450.0, 15.0):
        zones.append(Zone(g, "platform", pick(rng, 1.0, 3.0), round(min(band_width_m(g), 150.0), 1),
                          float(rng.integers(10, 31))))
    top_cells = partition_area(rng, dump_top, 60_000.0)
    for i, g in enumerate(top_cells):
        zones.append(Zone(g, "platform", pick(rng, 0.5, 2.0), flat_length_m(rng, g),
                          float(rng.integers(15, 31)),
                          land_designation="planned_afforestation_land" if i % 2 == 0 else "mining_land"))


# --------------------------------------------------------------------------------------------
# tables, files, settings
# --------------------------------------------------------------------------------------------


def to_frame(site: Site) -> gpd.GeoDataFrame:
    """Zones → GeoDataFrame in the site's UTM CRS, ids numbered per type, geometry noded."""
    x0, y0 = pyproj.Transformer.from_crs(4326, site.epsg_utm, always_xy=True).transform(*site.anchor_lonlat)
    x0, y0 = round(x0), round(y0)  # whole metres keep vertices on the 1 cm grid
    zones = sorted(site.zones, key=lambda z: TYPE_ORDER.index(z.zone_type))  # stable: keeps build order per type
    geoms = [shapely.set_precision(affinity.translate(z.geom, x0, y0), GRID_M) for z in zones]
    geoms = node_coverage(geoms)
    counters: Counter = Counter()
    ids = []
    for z in zones:
        counters[z.zone_type] += 1
        ids.append(f"{ID_PREFIX[z.zone_type]}-{counters[z.zone_type]:03d}")
    slope_deg = np.array([z.slope_deg for z in zones])
    table = {
        "zone_id": ids,
        "zone_type": [z.zone_type for z in zones],
    }
    if site.slope_as_percent:
        table["slope_pct"] = np.round(100.0 * np.tan(np.radians(slope_deg)), 1)
    else:
        table["slope_deg"] = slope_deg
    table.update({
        "slope_length_m": [z.slope_length_m for z in zones],
        "soil_depth_cm": [z.soil_depth_cm for z in zones],
        "burning": [z.burning for z in zones],
        "water_depth_m": [z.water_depth_m for z in zones],
        "contaminated": np.array([z.contaminated for z in zones], dtype=bool),
        "land_designation": [z.land_designation for z in zones],
    })
    return gpd.GeoDataFrame(pd.DataFrame(table), geometry=geoms, crs=f"EPSG:{site.epsg_utm}")


def _line(key: str, value: str, comment: str = "") -> str:
    """One TOML line, comment aligned at column 32."""
    text = f"{key} = {value}"
    return f"{text:<31} # {comment}" if comment else text


def budget_reference_lines(frame: gpd.GeoDataFrame) -> list[str]:
    """Comment lines pricing the obvious works with the published costs of docs/science.md §4.4, to show
    the budget binds."""
    area_ha = frame.area / 1e4
    flat = frame.zone_type.isin(["platform", "pit_floor"]) & (frame.land_designation != "farmland")
    rows = [
        ("burning heaps, full treatment 0.75-0.9M/ha", area_ha[frame.burning != "none"].sum(), 750_000, 900_000),
        ("other heaps, loess capping 97k/ha",
         area_ha[(frame.zone_type == "waste_heap") & (frame.burning == "none")].sum(), 97_000, 97_000),
        ("flat non-farmland ground, 100k-360k/ha", area_ha[flat].sum(), 100_000, 360_000),
        ("wetland on the pools, 278k/ha", area_ha[frame.zone_type == "subsidence_pool"].sum(), 278_000, 278_000),
    ]
    lines = []
    for label, ha, lo, hi in rows:
        if ha > 0:
            cost = f"{lo * ha / 1e6:.1f}M" if lo == hi else f"{lo * ha / 1e6:.1f}-{hi * ha / 1e6:.1f}M"
            lines.append(f"#   {label}: {ha:.1f} ha -> {cost} CNY")
    return lines


def settings_toml(site: Site, frame: gpd.GeoDataFrame) -> str:
    """The site's settings.toml text, with resource figures derived from its geometry."""
    area_ha = frame.area / 1e4
    total_ha = float(area_ha.sum())
    # ground that needs a soil cover: platforms and pit floors not already farmland, and heaps
    needs_cover = (frame.zone_type.isin(["platform", "pit_floor"]) & (frame.land_designation != "farmland")) | (
        frame.zone_type == "waste_heap")
    cover_ha = float(area_ha[needs_cover].sum())
    topsoil_m3 = round(TOPSOIL_SHARE * cover_ha * 1e4 * TOPSOIL_DEPTH_M, -3)
    p = SETTINGS[site.name]
    budget = round(p["budget_cny_per_ha"] * total_ha, -6)
    lines = [
        f'# Settings for the synthetic example site "{site.name}", written by scripts/make_sites.py',
        "# (edit that script, not this file). Keys and meanings: docs/science.md §1.2, §2-§5.",
        f"# {len(frame)} zones, {total_ha:.1f} ha; zoning file: {site.file_name}.",
        "",
        "[site]",
        _line("name", f'"{site.title}"'),
        _line("region", f'"{site.region}"', "loess_plateau | eastern_plain | inner_mongolia_steppe"),
    ]
    if site.file_name.endswith(".gpkg"):
        lines.append(_line("layer", '"zones"', "GeoPackage layer"))
    lines += [
        "",
        "[climate]",
        _line("annual_rainfall_mm", str(p["rainfall_mm"]), p["rainfall_note"]),
        _line("climate", f'"{p["climate"]}"', "from rainfall and temperature: cold | semi_arid | sub_humid | "
              "humid_temperate | humid_subtropical"),
        _line("slope_steepness_method", f'"{p["steepness"]}"', "mccool | liu" + p["steepness_note"]),
        "# rainfall_erosivity_mj_mm_per_ha_h_yr, soil_erodibility_t_ha_h_per_ha_mj_mm,",
        "# tolerable_soil_loss_t_per_ha_yr may be given to override the region preset",
        "",
        "[accounting]",
        _line("horizon_yr", "40"),
        _line("start_year", "2026"),
        _line("discount_rate", "0.05"),
        _line("standards", '["CCER", "VCS"]'),
        _line("buffer_fraction", "0.15", "Verra AFOLU risk range 0.10-0.20 (docs/science.md §5.3)"),
        _line("monitoring_level", '"standard"', "basic | standard | intensive"),
        _line("subsidence_water_as", '"wetland"', "wetland | open_water" + p["water_note"]),
        *p.get("grid_comment", []),
        _line("grid_emission_factor_t_per_mwh", str(p["grid_factor"]), p["grid_note"]),
        "",
        "[carbon_price]",
        _line("path", '"growing"', "flat | growing | table"),
        _line("start_cny_per_t", "60.0", "CCER about 60-80 CNY/t in 2025 (docs/science.md §5.4)"),
        _line("growth_per_yr", "0.03", "assumed"),
        "",
        "[resources]",
        f"# budget: {p['budget_cny_per_ha'] / 1e3:.0f}k CNY/ha x {total_ha:.0f} ha (assumed), meant to bind;",
        "# compare the published costs of docs/science.md §4.4:",
        *budget_reference_lines(frame),
        _line("budget_cny", f"{budget / 1e7:.1f}e7"),
        f"# topsoil: covers {TOPSOIL_SHARE:.0%} of the {cover_ha:.0f} ha of platforms, pit floor and heaps (farmland"
        f" excluded) at {TOPSOIL_DEPTH_M * 100:.0f} cm: scarce on purpose",
        _line("topsoil_stock_m3", f"{topsoil_m3:.0f}"),
        _line("gangue_stock_m3", str(p["gangue_m3"]), p["gangue_note"]),
        "",
        "[soil]",
        _line("soil_soc_g_per_kg", str(p["soc_g_per_kg"]), p["soc_note"]),
        "",
    ]
    return "\n".join(lines)


# Per-site settings; "assumed" marks choices made for the example, not sourced figures.
SETTINGS = {
    "loess_dump": dict(
        rainfall_mm=430, rainfall_note="Pingshuo; R about 1,180 by Ning et al. 2020 (docs/science.md §3.2)",
        climate="auto", steepness="liu",
        steepness_note="; Liu et al. 1994 was fitted on steep Loess Plateau slopes",
        water_note=" (no pools on this site)",
        grid_factor=GRID_T_CO2_PER_MWH_NORTH_CHINA_2022, grid_note="North China grid 2022 (docs/science.md §2.6)",
        budget_cny_per_ha=150_000, gangue_m3=0, gangue_note="no subsidence to backfill here",
        soc_g_per_kg=4.0, soc_note="raw loess cover (assumed)", soc_t_per_ha=8.0,
    ),
    "eastern_subsidence": dict(
        rainfall_mm=900, rainfall_note="Huainan about 930, Huaibei about 830 (assumed)",
        climate="auto", steepness="mccool", steepness_note="",
        water_note="",
        grid_factor=0.5306, grid_note="national grid 2023; no East China figure recorded (docs/science.md §2.6)",
        budget_cny_per_ha=60_000, gangue_m3=300000,
        gangue_note="heaps + mine output, for backfilling pools (assumed)",
        soc_g_per_kg=8.0, soc_note="plain farmland topsoil (assumed)", soc_t_per_ha=16.0,
    ),
    "inner_mongolia_grassland": dict(
        rainfall_mm=290, rainfall_note="Xilinhot (assumed)",
        climate="auto", steepness="mccool", steepness_note="",
        water_note=" (no pools on this site)",
        grid_factor=GRID_T_CO2_PER_MWH_NORTH_CHINA_2022, grid_note="North China grid 2022 (docs/science.md §2.6)",
        grid_comment=["# Xilingol is served by the western Inner Mongolia grid, counted in the North China",
                      "# regional grid;",
                      "# PV yield here is high, 1,500-2,000 kWh/kWp/yr (docs/science.md §1.2): a PV-friendly site"],
        budget_cny_per_ha=90_000, gangue_m3=0, gangue_note="overburden only, no gangue heaps",
        soc_g_per_kg=5.0, soc_note="spoil mixed with stripped chestnut soil (assumed)", soc_t_per_ha=10.0,
    ),
}


def make_site_definitions() -> list[Site]:
    return [
        Site("loess_dump", "Antaibao-type open-pit coal dump, Loess Plateau (synthetic)", "loess_plateau",
             32649, (112.40, 39.50), seed=20_260_101, file_name="zones.gpkg"),
        Site("eastern_subsidence", "Huainan-type coal-mining subsidence land, Huaihe plain (synthetic)",
             "eastern_plain", 32650, (116.80, 32.70), seed=20_260_102, file_name="zones.gpkg"),
        Site("inner_mongolia_grassland", "Shengli-type grassland open pit and dump, Xilinhot (synthetic)",
             "inner_mongolia_steppe", 32650, (116.00, 43.98), seed=20_260_103, file_name="zones.geojson",
             slope_as_percent=True),
    ]


BUILDERS = {
    "loess_dump": build_loess_dump,
    "eastern_subsidence": build_eastern_subsidence,
    "inner_mongolia_grassland": build_inner_mongolia,
}


def build(site: Site) -> gpd.GeoDataFrame:
    """Build one site's zone table (UTM CRS) and check it is an exact partition."""
    site.zones = []
    BUILDERS[site.name](site)
    frame = to_frame(site)
    assert_partition(frame.geometry.values, site.name)
    assert frame.zone_id.is_unique
    return frame


def to_lonlat(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326 on a ``LONLAT_DECIMALS`` grid, still an exact valid coverage.

    Rounding vertices to 1e-7° can fold a narrow spike over itself (valid in metres, invalid in
    degrees), so the zones are noded again on the lon/lat grid.
    """
    out = frame.to_crs(4326)
    grid = 10.0 ** -LONLAT_DECIMALS
    out.geometry = node_coverage(list(out.geometry.values), grid=grid, sliver_width=5 * grid)
    assert_partition(out.geometry.values, "lon/lat copy", check_area=False)
    return out


def write(site: Site, frame: gpd.GeoDataFrame, out_dir: Path) -> Path:
    folder = out_dir / site.name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    path = folder / site.file_name
    if site.file_name.endswith(".gpkg"):
        # a fixed GeoPackage timestamp makes reruns byte-identical (no churn in git)
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_TIMESTAMP})
        frame.to_file(path, layer="zones", driver="GPKG", engine="pyogrio")
    else:
        # GeoJSON has no column types: an all-null column would come back as text, so omit it
        frame = frame.drop(columns=[c for c in frame.columns if c != "geometry" and frame[c].isna().all()])
        to_lonlat(frame).to_file(path, driver="GeoJSON", engine="pyogrio",
                                 layer_options={"COORDINATE_PRECISION": LONLAT_DECIMALS})
    (folder / "settings.toml").write_text(settings_toml(site, frame), encoding="utf-8")
    return path


def check_written(site: Site, path: Path, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Read the file back, reproject geographic data to UTM, and re-run the partition checks."""
    import tomllib

    back = gpd.read_file(path, layer="zones" if path.suffix == ".gpkg" else None)
    # validity and coverage in the file's own CRS too: rounding lon/lat can break what UTM hides
    assert_partition(back.geometry.values, f"{path} (as read)", check_area=not back.crs.is_geographic)
    if back.crs.is_geographic:
        back = back.to_crs(back.estimate_utm_crs())
    assert back.crs.to_epsg() == site.epsg_utm, f"{site.name}: CRS {back.crs.to_epsg()} != {site.epsg_utm}"
    assert list(back.zone_id) == list(frame.zone_id)
    for column in back.columns.drop("geometry"):
        assert column in ("zone_id", "zone_type", "burning", "land_designation") or back[column].dtype != object, \
            f"{site.name}: column {column} reads back as {back[column].dtype}"
    assert_partition(back.geometry.values, f"{path} (read back)")
    # rounding lon/lat to 1e-7° moves vertices by up to ~1 cm: |Δ area| <= 2 cm × perimeter
    area_change = np.abs(back.area.values - frame.area.values) / frame.length.values
    assert area_change.max() < 0.02, f"{site.name}: area changed by {area_change.max():.4f} m²/m on the round trip"
    settings = tomllib.loads((path.parent / "settings.toml").read_text(encoding="utf-8"))
    assert settings["site"]["region"] == site.region
    return back


def same(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> bool:
    table_a, table_b = pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry"))
    same_geometry = list(shapely.to_wkb(a.geometry.values)) == list(shapely.to_wkb(b.geometry.values))
    return table_a.equals(table_b) and same_geometry


def draw(site: Site, frame: gpd.GeoDataFrame, out_dir: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"platform": "#c8d98a", "slope": "#d9a066", "subsidence_pool": "#6fa8dc", "waste_heap": "#555555",
              "pit_floor": "#b7a89a"}
    fig, ax = plt.subplots(figsize=(10, 8))
    frame.plot(ax=ax, color=[colors[t] for t in frame.zone_type], edgecolor="black", linewidth=0.3)
    for _, row in frame[frame.burning != "none"].iterrows():
        ax.annotate(row.burning, row.geometry.representative_point().coords[0], fontsize=6, color="red", ha="center")
    ax.set_title(f"{site.name}: {len(frame)} zones, {frame.area.sum() / 1e4:.0f} ha")
    ax.set_aspect("equal")
    fig.savefig(out_dir / f"{site.name}.png", dpi=130, bbox_inches="tight")
    plt.close(fig)


def summary(site: Site, back: gpd.GeoDataFrame) -> str:
    area_ha = back.area / 1e4
    crs = f"EPSG:{site.epsg_utm}" if site.file_name.endswith(".gpkg") else f"EPSG:4326, read as EPSG:{site.epsg_utm}"
    lines = [f"{site.name}: {len(back)} zones, {area_ha.sum():.1f} ha, file CRS {crs}"]
    for t in TYPE_ORDER:
        sel = back.zone_type == t
        if sel.any():
            lines.append(f"  {t:<16} {sel.sum():4d} zones {area_ha[sel].sum():8.1f} ha "
                         f"(zone {area_ha[sel].min():.2f}–{area_ha[sel].max():.2f} ha)")
    burning = Counter(back.burning[back.burning != "none"])
    lines.append(f"  burning {dict(sorted(burning.items()))}, contaminated {int(back.contaminated.sum())}, "
                 f"land {dict(Counter(back.land_designation))}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=SITES_DIR, help="output folder (default: sites/)")
    parser.add_argument("--check", action="store_true", help="build every site twice and compare (determinism)")
    parser.add_argument("--preview", type=Path, help="folder for PNG maps of the sites")
    args = parser.parse_args(argv)
    for site, twin in zip(make_site_definitions(), make_site_definitions()):
        frame = build(site)
        if args.check:
            assert same(frame, build(twin)), f"{site.name}: two builds differ"
            print(f"{site.name}: a second build is identical")
        path = write(site, frame, args.out)
        back = check_written(site, path, frame)
        if args.preview:
            args.preview.mkdir(parents=True, exist_ok=True)
            draw(site, back, args.preview)
        print(summary(site, back))
        print(f"  -> {path.relative_to(args.out.parent) if args.out.parent in path.parents else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
