"""The query page and the entity pages in a real headless Chromium (Debian's, no download).

Checked by what a person sees: visible text in tables and the chart, where links lead, and
that no two labels of the chart overlap on screen. Screenshots are kept in
out/test-artifacts/ for people to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from kg_build.cli import cli
from tests.conftest import ROOT
from tests.servers import kg_server, require_or_skip

if TYPE_CHECKING:  # imported where used: playwright is loaded only when Chromium is there
    from playwright.sync_api import FloatRect, Page

ARTIFACTS = ROOT / "out" / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    result = CliRunner().invoke(
        cli, ["-q", "build", "-o", str(folder / "g.ttl"), "--store", str(folder / "store")]
    )
    assert result.exit_code == 0, result.stderr
    with kg_server(folder / "store") as url:
        yield url


@pytest.fixture
def page() -> Iterator[Page]:
    """Yield a page of a headless Debian Chromium, 1280 × 900."""
    chromium = shutil.which("chromium")
    if chromium is None:
        require_or_skip("Debian's chromium is not installed (apt-get install chromium)")
    assert chromium is not None
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        yield browser.new_page(viewport={"width": 1280, "height": 900})
        browser.close()


def test_query_page_runs_a_question_and_leads_to_an_athlete(site_url: str, page: Page) -> None:
    page.goto(f"{site_url}/")
    page.select_option("#cq", label="03-final-ranking")
    page.wait_for_selector(".yasr table tbody tr", timeout=30_000)
    rows = page.locator(".yasr table tbody tr").all_inner_texts()
    assert any("ITA" in row and "Cycling" in row for row in rows)
    assert any("NOR" in row and "Speed skating" in row for row in rows)
    page.screenshot(path=str(ARTIFACTS / "query-page.png"), full_page=True)
    page.goto(f"{site_url}/results/2020-cycling-mens-team-pursuit.html")
    page.locator("h2:has-text('Finals') + table a", has_text="ITA").click()
    page.get_by_role("link", name="Filippo Ganna").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Filippo Ganna"
    assert page.url.endswith("/page/person/filippo-ganna.html")
    page.screenshot(path=str(ARTIFACTS / "athlete-page.png"), full_page=True)
    assert (ARTIFACTS / "query-page.png").stat().st_size > 10_000


def _overlapping(boxes: list[FloatRect]) -> list[tuple[int, int]]:
    """Return the pairs of on-screen boxes that overlap (by more than half a pixel)."""
    found = []
    for i, a in enumerate(boxes):
        for j, b in enumerate(boxes[i + 1 :], i + 1):
            width = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
            height = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
            if width > 0.5 and height > 0.5:
                found.append((i, j))
    return found


def test_profile_and_chart_read_as_a_person_sees_them(site_url: str, page: Page) -> None:
    page.goto(f"{site_url}/page/person/filippo-ganna.html")
    assert page.locator("p.profile").inner_text().startswith("NOC: Italy (ITA)")
    races = page.locator("table.races")
    assert races.locator("thead th").all_inner_texts() == [
        *("Round", "Race", "Date", "Time", "Seconds", "Rank", "Records", "Team's result")
    ]
    first_round = races.locator("tbody tr", has_text="First round")
    assert first_round.is_visible()
    assert first_round.locator("td").all_inner_texts() == [
        *("First round", "Heat 3", "2021-08-03", "3:42.307", "222.307", "1", "WR", "ITA")
    ]
    assert page.locator("table.medals tbody td").first.inner_text() == "Gold"
    records = page.locator("table.records tbody tr").first.locator("td").all_inner_texts()
    assert records[:3] == ["World record (WR)", "3:42.307 (222.307 s)", "First round"]
    shown = page.locator("main").inner_text()
    assert "WorldRecord" not in shown and "OlympicRecord" not in shown
    page.screenshot(path=str(ARTIFACTS / "athlete-profile.png"), full_page=True)

    first_round.get_by_role("link", name="First round").click()
    page.wait_for_load_state()
    assert page.url.endswith("/results/2020-cycling-mens-team-pursuit.html#first-round")
    chart = page.locator("svg.chart")
    titles = chart.locator("text.axis-title")
    assert titles.all_text_contents() == ["Time (seconds)", "Round"]
    assert all(titles.nth(i).is_visible() for i in range(2))
    assert chart.locator("text.round").all_text_contents() == [
        *("Qualifying", "First round", "Finals")
    ]
    label = chart.locator("text.point-label", has_text="ITA 3:42.032")
    assert label.is_visible()
    point = chart.locator("g.point", has=page.locator("text", has_text="ITA 3:42.032"))
    assert point.locator("title").text_content() == (
        "ITA: 3:42.032 (222.032 s), Finals, Gold medal final"
    )
    point.hover()
    labels = chart.locator("text.point-label")
    boxes = [box for box in (labels.nth(i).bounding_box() for i in range(labels.count())) if box]
    assert len(boxes) == 21 and _overlapping(boxes) == []
    chart.screenshot(path=str(ARTIFACTS / "results-chart.png"))
