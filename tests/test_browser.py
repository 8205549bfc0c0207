"""The query page and the entity pages in a real headless Chromium (Debian's, no download).

Screenshots are kept in out/test-artifacts/ for people to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from kg_build.cli import cli
from tests.conftest import ROOT
from tests.servers import kg_server, require_or_skip

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


def test_query_page_runs_a_question_and_leads_to_an_athlete(site_url: str) -> None:
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
        page = browser.new_page(viewport={"width": 1280, "height": 900})
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
        browser.close()
    assert (ARTIFACTS / "query-page.png").stat().st_size > 10_000
