"""The health trend chart names itself with a real <title> element (it once came out escaped, as text)."""
from decimal import Decimal

from app.health.charts import trend_chart


def test_the_trend_chart_title_is_an_element_holding_the_scores():
    svg = str(trend_chart([("2026-Q1", Decimal("56.4")), ("2026-Q2", Decimal("81.3"))]))
    assert '<title id="trend-title">Health score per closed quarter: 2026-Q1 56.4, 2026-Q2 81.3</title>' in svg
    assert "&lt;title" not in svg


def test_the_trend_chart_still_escapes_what_it_is_given():
    svg = str(trend_chart([("<b>Q1</b>", Decimal("50"))]))
    assert "<b>" not in svg and "&lt;b&gt;Q1&lt;/b&gt;" in svg
