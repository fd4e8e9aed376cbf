"""The IPP editor's row parsing and the chart geometry (pure helpers, no app)."""
from decimal import Decimal as D

from app.ipp import charts, forms
from app.ipp.scoring import default_template, validate_criteria


def test_options_lines_parse_and_a_line_without_points_is_reported():
    assert forms.parse_options("gold = 10\n\n silver=4 \nbronze") == [
        {"value": "gold", "points": "10"}, {"value": "silver", "points": "4"}, {"value": "bronze"}]


def test_rows_round_trip_the_template():
    rows = forms.rows_from_criteria(default_template())
    raw, index_of = forms.criteria_from_rows(rows)
    assert index_of == list(range(8))  # the three blank rows are skipped
    original, _ = validate_criteria(default_template())
    assert validate_criteria(raw) == (original, {})


def test_removed_rows_are_dropped_and_errors_land_on_their_rows():
    rows = forms.rows_from_criteria(default_template(), blanks=0)
    rows[0]["remove"] = True
    rows[2]["weight"] = "0"
    rows[4]["options"] = "emea = 10\nna"
    raw, index_of = forms.criteria_from_rows(rows)
    assert len(raw) == 7 and index_of[0] == 1
    _, errors = validate_criteria(raw)
    general = forms.attach_errors(rows, index_of, errors)
    assert general == {}
    assert rows[2]["errors"] == {"weight": "must be greater than 0"}
    assert rows[4]["errors"] == {"options": "line 2: is required"}


def test_history_chart_maps_scores_onto_the_plot():
    chart = charts.history_chart([
        {"kind": "vendor", "fit_score": D("0"), "label": "a"},
        {"kind": "vendor", "fit_score": D("100"), "label": "b"},
        {"kind": "self", "fit_score": D("50"), "label": "c"}])
    vendor = next(s for s in chart.series if s.name == "vendor")
    assert [p.y for p in vendor.points] == [204.0, 12.0]  # bottom and top of the plot area
    assert vendor.points[0].x < vendor.points[1].x
    assert [label for _, label in chart.gridlines] == ["0", "40", "60", "80", "100"]


def test_bar_chart_scales_to_the_largest_count():
    width, height, bars = charts.bar_chart([("Ideal", "strategic", 4, "ideal"),
                                            ("Not a fit", "digital", 2, "not_a_fit"),
                                            ("None", "-", 0, "unassessed")])
    assert bars[0].width == 2 * bars[1].width and bars[2].width == 0
    assert height == 16 + 3 * 34 and bars[0].colour == charts.BAND_COLOURS["ideal"]
