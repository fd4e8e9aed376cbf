"""The cockpit's pure chart helpers: an accessible name that reads the numbers out, escaped labels."""
from decimal import Decimal as D

from app.health.charts import bar_chart, colour_of, scatter_chart


def test_bar_chart_names_every_bar_and_escapes_labels():
    svg = str(bar_chart([("Gold <b>", 3, "green"), ("Silver", 0, "#546e7a")], "Partners per tier", "c1"))
    assert svg.startswith('<svg class="chart" role="img" aria-labelledby="c1"')
    assert '<title id="c1">Partners per tier: Gold &lt;b&gt; 3, Silver 0</title>' in svg
    assert "<b>" not in svg
    assert str(bar_chart([], "Empty", "c2")) == ""


def test_scatter_chart_reads_each_point_and_says_when_there_is_none():
    svg = str(scatter_chart([("Acme & Co", D("80.0"), D("30.5"))], "Fit against health", "c3"))
    assert 'role="img" aria-labelledby="c3"' in svg
    assert "Acme &amp; Co fit 80.0 health 30.5" in svg
    assert 'fill="#c62828"' in svg  # a red point: health below 50
    assert "no partner has both yet" in str(scatter_chart([], "Fit against health", "c4"))


def test_colour_bands():
    assert [colour_of(v) for v in (None, D("49.9"), D("50"), D("74.9"), D("75"))] == \
        [None, "red", "yellow", "yellow", "green"]


def test_viewer_sees_the_programme_but_an_empty_read_only_queue(app):
    from tests.conftest import login
    from tests.home.test_cockpit import _add_partners
    from tests.home.world import build

    w = build()
    _add_partners(w, 2, 0)  # data requests and partners at risk: nothing the viewer may act on
    client = app.test_client()
    login(client, w.emails["viewer"])
    html = client.get("/").get_data(as_text=True)
    assert "0 items" in html and "read-only" in html
    assert "The book at a glance" in html and "Margin the programme pays" in html
