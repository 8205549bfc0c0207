"""IRIs: one slug rule for accents and apostrophes, stable templates."""

from __future__ import annotations

import pytest

from kg_build.rdf.iris import Iris, slug


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kelland O'Brien", "kelland-obrien"),
        ("Kelland O\u2019Brien", "kelland-obrien"),
        ("Felix Groß", "felix-gross"),
        ("Vincent De Haître", "vincent-de-haitre"),
        ("Hallgeir Engebråten", "hallgeir-engebraten"),
        ("Cyrille Thièry", "cyrille-thiery"),
        ("Kari Øvrebø Lunde", "kari-ovrebo-lunde"),
        ("Men's team pursuit", "mens-team-pursuit"),
        ("Chung Jae-won", "chung-jae-won"),
        ("  First  round ", "first-round"),
    ],
)
def test_slug(text: str, expected: str) -> None:
    assert slug(text) == expected


def test_templates_under_a_configurable_base() -> None:
    iris = Iris("https://example.org/kg/")
    event = iris.event(2020, "Cycling", "Men's team pursuit")
    assert event == "https://example.org/kg/event/2020-cycling-mens-team-pursuit"
    first = iris.round(event, "First round")
    assert iris.heat(first, 3) == f"{event}/round/first-round/heat/3"
    assert iris.result(first, "ita") == f"{event}/round/first-round/result/ITA"
    assert iris.person("Sverre Lunde Pedersen") != iris.person("Rasmus Pedersen")
    assert iris.noc("ROC") == "https://example.org/kg/noc/ROC"
