"""Write N synthetic articles in the sources' format, with their curated rows, from a seed.

    python benchmarks/make_corpus.py 100 --out /tmp/corpus-100 [--seed 7]

Both sports and both genders, every table shape of the real articles (schedule, qualifying,
first round with heats, quarterfinals with start sides, semifinals and finals with group rows,
a records table), names with diacritics and several words, missing times with the article's
reason, ties, notes codes and stripped record markers. The facts are invented: test data.
The folder gets ``sources/*.txt`` and ``mappings/`` (the project's mappings plus the rows of
the synthetic events, whose sources are marked as invented).
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from kg_build.curated import add_rows

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "https://example.org/synthetic-benchmark-data"
NOCS = ["AUS", "CAN", "CHN", "DEN", "GBR", "GER", "ITA", "KOR", "NED", "NOR", "NZL", "SUI", "USA"]
GENDERS = ("Men's", "Women's")
FIRST = [
    "Åsa",
    "Björn",
    "Chloé",
    "Dário",
    "Élodie",
    "Felix",
    "Grégoire",
    "Hana",
    "Iñigo",
    "Jérôme",
    "Kåre",
    "Léa",
    "Magnús",
    "Noé",
    "Øyvind",
    "Paulína",
    "Quentin",
    "Renée",
    "Søren",
    "Tomás",
    "Ülle",
    "Václav",
    "Wiktor",
    "Xosé",
    "Yūki",
    "Zoë",
    "Ana Sofía",
    "Jan Erik",
    "Marie-Ève",
    "Sverre Lunde",
]
LAST = [
    "Groß",
    "Haître",
    "Thièry",
    "Engebråten",
    "O'Brien",
    "De Vries",
    "Van der Linde",
    "Núñez",
    "Øvrebø",
    "Šimek",
    "Łukasik",
    "Çelik",
    "Dvořák",
    "Jäger",
    "Müller",
    "Lønne",
    "Castaño",
    "Bianchi",
    "Kowalczyk",
    "Petrović",
    "Oliveira",
    "Nakamura",
    "Park",
    "Dubois",
    "Larsen",
    "Rossi",
    "Andersen",
    "Kim",
    "Chen",
    "Smith",
]


@dataclass(frozen=True)
class Team:
    """A synthetic team: its NOC and its athletes in the order they race."""

    noc: str
    athletes: tuple[str, ...]


def _pools(rng: random.Random) -> dict[tuple[str, str], list[str]]:
    """Deal every first-last name to one NOC and gender, so a name is one person throughout.

    Names of the bundled articles' athletes are left out: a synthetic namesake would share
    their IRI and contradict their curated row.
    """
    with (ROOT / "mappings" / "curated" / "rosters.tsv").open(encoding="utf-8") as handle:
        real = {line.split("\t")[1] for line in handle.read().splitlines()[1:] if line}
    names = [f"{first} {last}" for first in FIRST for last in LAST if f"{first} {last}" not in real]
    rng.shuffle(names)
    slots = [(noc, gender) for noc in NOCS for gender in GENDERS]
    pools: dict[tuple[str, str], list[str]] = {slot: [] for slot in slots}
    for index, name in enumerate(names):
        pools[slots[index % len(slots)]].append(name)
    return pools


def _time(seconds: float, places: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:0{3 + places}.{places}f}"


def _teams(
    rng: random.Random, size: int, gender: str, pools: dict[tuple[str, str], list[str]]
) -> list[Team]:
    # Disjoint pools: a name appears once in an event and always for the same NOC.
    return [
        Team(noc, tuple(rng.sample(pools[noc, gender], size + 1))) for noc in rng.sample(NOCS, 8)
    ]


def _ascending(
    rng: random.Random, start: float, count: int, low: float, high: float
) -> list[float]:
    """Return ``count`` times from ``start``, each slower than the one before."""
    times = [start]
    for _ in range(count - 1):
        times.append(times[-1] + rng.uniform(low, high))
    return times


def _cells(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def cycling(rng: random.Random, year: int, gender: str, teams: list[Team]) -> tuple[str, str]:
    """Return the title and text of a track cycling article (qualifying, heats, medal finals)."""
    title = f"Cycling at the {year} Summer Olympics – {gender} team pursuit"
    base = rng.uniform(220, 232)
    order = sorted(teams, key=lambda _t: rng.random())
    qual = list(zip(order, _ascending(rng, base, 8, 0.2, 1.5), strict=True))
    lineup = {t.noc: " ".join(t.athletes[:4]) for t in teams}
    final_lineup = {t.noc: " ".join((*t.athletes[:3], t.athletes[4])) for t in teams}
    caught = qual[1][0]
    lines = [
        f"= {title} =",
        "",
        "Infobox",
        f"- Event: {gender} team pursuit",
        f"- Games: {year} Summer",
        "- Venues: Synthetic Velodrome",
        f"- Dates: 2–4 August {year}",
        f"- Competitors: {8 * 5}",
        "- Nations: 8",
        "- Teams: 8",
    ]
    finals = list(zip([t for t, _ in qual], _ascending(rng, base - 1, 8, 0.2, 1.2), strict=True))
    win = finals[0][1]
    lines += [f"- Win Value: {_time(win, 3)}"]
    for (team, _), medal in zip(finals[:3], ("Gold", "Silver", "Bronze"), strict=True):
        names = sorted(set(team.athletes[:4]) | {team.athletes[4]})
        lines += [f"- {medal}: {', '.join(names)}", f"- {medal}noc: {team.noc}"]
    lines += [
        f"- Prev: {year - 4}",
        f"- Next: {year + 4}",
        "",
        f"The {gender.lower()} team pursuit event took place from 2 to 4 August {year}.",
        "",
        "==Schedule==",
        "All times are local time.",
        "",
        _cells("Date", "Time", "Round"),
        _cells("2 August", "17:02", "Qualifying"),
        _cells("3 August", "16:22", "First round"),
        _cells("4 August", "17:45", "Finals"),
        "",
        "==Results==",
        "===Qualifying===",
        _cells("Rank", "Country", "Cyclists", "Result", "Notes"),
    ]
    for rank, (team, seconds) in enumerate(qual, 1):
        lines.append(
            _cells(str(rank), "", lineup[team.noc], _time(seconds, 3), "OR" if rank == 1 else "")
        )
    lines += [
        "",
        "===First round===",
        _cells("Rank", "Heat", "Country", "Cyclists", "Result", "Notes"),
    ]
    heats = {0: 3, 3: 3, 1: 4, 2: 4, 4: 1, 7: 1, 5: 2, 6: 2}
    for rank, (team, seconds) in enumerate(qual, 1):
        time = "" if team is caught else _time(seconds - 2, 3)
        lines.append(
            _cells(
                str(rank),
                str(heats[rank - 1]),
                "",
                lineup[team.noc],
                time,
                ", WR" if rank == 1 else "",
            )
        )
    partner = qual[2][0]
    lines += [
        "",
        f"{_country(caught.noc)} caught the team from {_country(partner.noc)}, but did not record a time.",
        "",
        "===Finals===",
        _cells("Rank", "Country", "Cyclists", "Result", "Notes"),
    ]
    groups = ["Gold medal final", "Bronze medal final", "Fifth place final", "Seventh place final"]
    for index, (team, seconds) in enumerate(finals):
        if index % 2 == 0:
            lines.append(_cells(groups[index // 2], "", "", "", ""))
        no_time = index in (2, 3)
        lines.append(
            _cells(
                str(index + 1), "", final_lineup[team.noc], "" if no_time else _time(seconds, 3), ""
            )
        )
    return title, "\n".join(lines) + "\n"


def skating(rng: random.Random, year: int, gender: str, teams: list[Team]) -> tuple[str, str]:
    """Return the title and text of a speed skating article (quarterfinals to finals A–D)."""
    title = f"Speed skating at the {year} Winter Olympics – {gender} team pursuit"
    base = rng.uniform(210, 230)
    order = sorted(teams, key=lambda _t: rng.random())
    qf = list(zip(order, _ascending(rng, base, 8, 0.01, 1.6), strict=True))
    if rng.random() < 0.3:  # a tie
        qf[5] = (qf[5][0], qf[4][1])
    line = {t.noc: " ".join(t.athletes[:3]) for t in teams}
    sf_times = [qf[0][1] - 0.4, qf[0][1] + 0.3, qf[1][1] - 1.5, qf[1][1] - 0.2]
    sf = list(zip([qf[0][0], qf[3][0], qf[1][0], qf[2][0]], sf_times, strict=True))
    pairs = [(sf[0][0], sf[2][0]), (sf[1][0], sf[3][0]), (qf[4][0], qf[5][0]), (qf[6][0], qf[7][0])]
    final = []
    for first, second in pairs:
        start = base + rng.uniform(-1, 3)
        final += [(first, start), (second, start + rng.uniform(0.1, 3))]
    record_team, record_time = sf[2][0], sf[2][1]
    lines = [
        f"= {title} =",
        "",
        "Infobox",
        f"- Event: {gender} team pursuit",
        f"- Games: {year} Winter",
        "- Venue: Synthetic Oval,, Synthetic City",
        f"- Date: 13 and 15 February {year}",
        "- Competitors: 24",
        "- Nations: 8",
        "- Teams: 8",
        f"- Win Value: {_time(final[0][1], 2)}",
    ]
    for (team, _), medal in zip(final[:3], ("Gold", "Silver", "Bronze"), strict=True):
        lines += [f"- {medal}: {', '.join(team.athletes[:3])}", f"- {medal}noc: {team.noc}"]
    lines += [
        f"- Prev: {year - 4}",
        f"- Next: {year + 4}",
        "",
        f"The {gender.lower()} team pursuit was held in February {year}.",
        "",
        "==Records==",
        _cells("Date", "Round", "Athlete", "Country", "Time", "Record"),
        _cells("15 February", "SFB", line[record_team.noc], "", _time(record_time, 2), "OR, TR"),
        "",
        "==Results==",
        "===Quarterfinals===",
        "The quarterfinals were held on 13 February at 21:00.",
        "",
        _cells("Rank", "Heat", "", "Country", "Time", "Time behind", "Notes"),
    ]
    outcome = [
        "Semifinal 1",
        "Semifinal 2",
        "Semifinal 2",
        "Semifinal 1",
        "Final C",
        "Final C",
        "Final D",
        "Final D",
    ]
    for rank, (team, seconds) in enumerate(qf, 1):
        behind = "" if rank == 1 else f"+{seconds - qf[0][1]:.2f}"
        lines.append(
            _cells(
                str(rank),
                str((rank % 4) + 1),
                "FC"[rank % 2],
                line[team.noc],
                _time(seconds, 2),
                behind,
                outcome[rank - 1],
            )
        )
    lines += [
        "",
        "===Semifinals===",
        "The semifinals were held on 15 February at 14:52.",
        "",
        _cells("Rank", "", "Country", "Time", "Deficit", "Notes"),
    ]
    for index, (team, seconds) in enumerate(sf):
        if index % 2 == 0:
            lines.append(_cells(f"Semifinal {index // 2 + 1}", "", "", "", "", ""))
        recorded = team is record_team
        notes = ", Final A" if recorded else ("Final A" if index % 2 == 0 else "Final B")
        deficit = "" if index % 2 == 0 else f"+{seconds - sf[index - 1][1]:.2f}"
        lines.append(
            _cells(
                str(index % 2 + 1),
                "FC"[index % 2],
                line[team.noc],
                _time(seconds, 2),
                deficit,
                notes,
            )
        )
    lines += [
        "",
        "===Finals===",
        "The finals were held on 15 February at 15:43.",
        "",
        _cells("Rank", "", "Country", "Time", "Deficit", "Notes"),
    ]
    for index, (team, seconds) in enumerate(final):
        if index % 2 == 0:
            lines.append(_cells(f"Final {'ABCD'[index // 2]}", "", "", "", "", ""))
        deficit = "–" if index % 2 == 0 else f"+{seconds - final[index - 1][1]:.2f}"
        lines.append(
            _cells(str(index + 1), "FC"[index % 2], line[team.noc], _time(seconds, 2), deficit, "")
        )
    return title, "\n".join(lines) + "\n"


COUNTRIES = {
    "AUS": "Australia",
    "CAN": "Canada",
    "CHN": "China",
    "DEN": "Denmark",
    "GBR": "Great Britain",
    "GER": "Germany",
    "ITA": "Italy",
    "KOR": "South Korea",
    "NED": "Netherlands",
    "NOR": "Norway",
    "NZL": "New Zealand",
    "SUI": "Switzerland",
    "USA": "United States",
}


def _country(noc: str) -> str:
    return COUNTRIES[noc]


def make_corpus(count: int, out: Path, seed: int = 7) -> list[Path]:
    """Write ``count`` articles and their curated rows under ``out``; return the article files."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "sources").mkdir(parents=True)
    shutil.copytree(ROOT / "mappings", out / "mappings")
    rosters, venues, files = [], [], []
    pools = _pools(rng)
    for index in range(count):
        year = 2100 + index // 4
        sport = ("cycling", "speed-skating")[(index // 2) % 2]
        gender = GENDERS[index % 2]
        teams = _teams(rng, 4 if sport == "cycling" else 3, gender, pools)
        _title, text = (cycling if sport == "cycling" else skating)(rng, year, gender, teams)
        stem = f"{sport}-{year}-{gender.lower().replace(chr(39), '')}-team-pursuit"
        path = out / "sources" / f"{stem}.txt"
        path.write_text(text, encoding="utf-8")
        files.append(path)
        rosters += [
            f"{stem}\t{name}\t\t{t.noc}\t{SOURCE}\tinvented benchmark data"
            for t in teams
            for name in t.athletes
        ]
        venue = (
            ("Synthetic Velodrome", "Izu")
            if sport == "cycling"
            else ("Synthetic Oval", "Synthetic City")
        )
        venues.append(
            f"{stem}\t{venue[0]}\t{venue[1]}\tNowhere\t+09:00\tSynthetic Time\t{SOURCE}\tinvented benchmark data"
        )
    add_rows(out / "mappings" / "curated" / "rosters.tsv", rosters)  # in the files' order
    add_rows(out / "mappings" / "curated" / "venues.tsv", venues)
    return files


def main() -> None:
    """Parse the command line and write the corpus."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="how many articles")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (replaced)")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    args = parser.parse_args()
    files = make_corpus(args.count, args.out, args.seed)
    print(f"wrote {len(files)} articles to {args.out}/sources/")


if __name__ == "__main__":
    main()
