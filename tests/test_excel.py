"""Tables a spreadsheet opens safely: no cell of a CSV or XLSX SinkPlan writes is read as a formula;
``--excel`` writes UTF-8 with BOM and a units row (or .xlsx); SinkPlan reads its own tables back."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from optimizer.cli import main
from optimizer.io import excel
from optimizer.io.plans import read_plan

EVIL = ["=HYPERLINK(\"http://x\",\"y\")", "-S07", "@SUM(A1)", "+A2"]


def _excel_would_evaluate(cell: str) -> bool:
    """What Excel and LibreOffice do with a CSV cell: a formula when it starts with = + - @ and
    is not a plain number."""
    if not cell or cell[0] not in "=+-@\t\r":
        return False
    try:
        float(cell)
        return False
    except ValueError:
        return True


def test_neutralise_prefixes_formula_text_and_leaves_numbers():
    df = pd.DataFrame({"id": EVIL + ["-12.5", "ok", "\tx"], "v": [1.0, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0]})
    out = excel.neutralise(df)
    assert list(out["id"]) == ["'" + e for e in EVIL] + ["-12.5", "ok", "'\tx"]
    assert list(out["v"]) == list(df["v"])            # numbers are numbers
    assert list(excel.restore(out)["id"]) == list(df["id"])


def test_units_from_column_names():
    assert excel.unit_of("removals_tco2e") == "t CO2e"
    assert excel.unit_of("removals_tco2e_per_ha") == "t CO2e/ha"
    assert excel.unit_of("soil_loss_t_per_ha_yr") == "t/(ha·yr)"
    assert excel.unit_of("cost_cny") == "CNY"
    assert excel.unit_of("topsoil_m3") == "m³"
    assert excel.unit_of("zone_id") == ""


@pytest.fixture(scope="module")
def evil_runs(tmp_path_factory):
    import geopandas as gpd
    from shapely.geometry import box

    d = tmp_path_factory.mktemp("evil")
    gdf = gpd.GeoDataFrame(
        {"zone_id": EVIL, "zone_type": ["platform", "slope", "slope", "platform"],
         "slope_deg": [2.0, 20.0, 25.0, 3.0], "slope_length_m": [40.0, 20.0, 25.0, 40.0],
         "owner": ["=cmd|' /C calc'!A0", "张三", "李四", "@owner"], "notes": ["ok", "", "-", "+x"]},
        geometry=[box(400_000 + 100 * i, 4_370_000, 400_100 + 100 * i, 4_370_100) for i in range(4)],
        crs="EPSG:32649")
    site = d / "zones.gpkg"
    gdf.to_file(site, engine="pyogrio")
    out = {}
    for mode in ("plain", "csv", "xlsx"):
        args = ["optimize", str(site), "--maximize", "removals", "--out", str(d / mode), "-q"]
        if mode != "plain":
            args += ["--excel", mode]
        assert main(args) == 0, mode
        out[mode] = d / mode
    return out


def _cells(path):
    text = path.read_bytes().decode("utf-8-sig")
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def test_no_csv_cell_is_a_formula(evil_runs):
    for folder in evil_runs.values():
        for f in folder.glob("*.csv"):
            bad = [c for c in _cells(f) if _excel_would_evaluate(c)]
            assert not bad, (f, bad[:5])


def test_plain_csv_has_no_bom_and_excel_csv_has_bom_and_units(evil_runs):
    assert not (evil_runs["plain"] / "plan.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    raw = (evil_runs["csv"] / "plan.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, units = rows[0], rows[1]
    assert units[0] == excel.UNIT_ROW_MARK
    assert units[header.index("removals_tco2e")] == "t CO2e"
    assert units[header.index("area_ha")] == "ha"
    assert "张三" in raw.decode("utf-8-sig")


def test_plans_read_back_with_their_ids_and_attributes(evil_runs):
    plain = read_plan(evil_runs["plain"] / "plan.csv")
    for mode in ("csv", "xlsx"):
        p = read_plan(evil_runs[mode] / "plan.csv")
        assert list(p.zones["zone_id"]) == list(plain.zones["zone_id"])
        pd.testing.assert_series_equal(p.zones["removals_tco2e"], plain.zones["removals_tco2e"])
    assert sorted(plain.zones["zone_id"]) == sorted(EVIL)
    assert set(plain.zones["owner"]) == {"=cmd|' /C calc'!A0", "张三", "李四", "@owner"}
    z = plain.zones.set_index("zone_id")
    assert z["removals_tco2e_per_ha"].to_numpy() == pytest.approx((z["removals_tco2e"] / z["area_ha"]).to_numpy())
    assert "slope_deg" in z.columns and "land_designation" in z.columns


def test_xlsx_has_units_and_no_formula(evil_runs):
    from openpyxl import load_workbook

    wb = load_workbook(evil_runs["xlsx"] / "plan.xlsx")
    assert {"plan", "trajectories", "run_settings"} <= set(wb.sheetnames)
    ws = wb["plan"]
    header = [c.value for c in ws[1]]
    units = [c.value for c in ws[2]]
    assert units[header.index("cost_cny")] == "CNY"
    for row in ws.iter_rows():
        for c in row:
            assert c.data_type != "f", (c.coordinate, c.value)
            if isinstance(c.value, str):
                assert not _excel_would_evaluate(c.value), (c.coordinate, c.value)
    ids = [r[0].value for r in ws.iter_rows(min_row=3)]
    assert sorted(ids) == sorted("'" + e for e in EVIL)


def test_compare_tables_for_excel(evil_runs, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "cmp"
    assert main(["compare", str(evil_runs["plain"]), str(evil_runs["csv"]), "--out", str(out), "--excel", "xlsx",
                 "--formats", "png"]) == 0
    raw = (out / "compare_zones.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert not [c for c in _cells(out / "compare_zones.csv") if _excel_would_evaluate(c)]
    wb = load_workbook(out / "compare.xlsx")
    assert {"totals", "zones"} <= set(wb.sheetnames)
    assert all(c.data_type != "f" for row in wb["zones"].iter_rows() for c in row)
