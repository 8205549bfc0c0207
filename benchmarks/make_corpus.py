"""Write N synthetic articles in the sources' format, with their curated rows, from a seed.

    python benchmarks/make_corpus.py 100 --out /tmp/corpus-100 [--seed 7]

Both sports and both genders. Most articles are modern and complete, in the bundled articles'
layout: schedule, qualifying, first round with heats, quarterfinals with start sides,
semifinals and finals with group rows, a records table, names with diacritics and several
words, missing times with the article's reason, ties, notes codes and stripped record markers.
The others take the shapes of the family's real articles (issue 20; ``tests/data/family/``) at
the fixed mix ``MIX``, repeated every 20 articles: early editions (1908, 1916 and 1920 styles),
incomplete rows, outcomes instead of times, more record markers, other round and schedule
names, a ``Bracket`` section, an announced records table that is missing, a reserve who is a
medallist in no results row, and alias spellings with their roster rows. The seed draws the
teams, names and times. The facts are invented: test data. The folder gets ``sources/*.txt``
and ``mappings/`` (the project's mappings plus the rows of the synthetic events, whose sources
are marked as invented).
"""

from __future__ import annotations

import argparse
import random
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg_build.curated.tables import add_rows

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "https://example.org/synthetic-benchmark-data"
EVIDENCE = "invented benchmark data"
GENDERS = ("Men's", "Women's")
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
NOCS = list(COUNTRIES)
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
# Short first names an article may write for the full one (Tom for Thomas).
SHORT = {
    "Tomás": "Tom",
    "Grégoire": "Greg",
    "Paulína": "Paula",
    "Václav": "Vašek",
    "Ana Sofía": "Ana",
    "Jan Erik": "Jan",
    "Sverre Lunde": "Sverre",
}
_UNDECOMPOSED = str.maketrans({"ø": "o", "Ø": "O", "ß": "ss", "ł": "l", "Ł": "L"})


@dataclass(frozen=True)
class Shape:
    """How one article departs from the modern, complete layout (the default: none)."""

    style: str = "modern"  # or the early editions' "1908", "1916", "1920" (men's cycling)
    dates: str = "range"  # the infobox's form of the dates (CYCLING_DATES)
    rounds: tuple[str, str, str] = ("Qualifying", "First round", "Finals")  # cycling sections
    plain_schedule: bool = False  # a schedule of dates, no times, rounds named otherwise
    team_less: bool = False  # rows with a rank (and a time) but no team
    rank_only: bool = False  # rank-only rows in a finals group
    no_line_up: bool = False  # a team's row without athletes (`Unknown` or empty), DNS
    outcome: str = ""  # an outcome instead of the last team's time
    in_notes: bool = False  # ... in the notes cell, the time cell empty
    win_markers: bool = False  # `WR, OR` after the winning time and in the final's notes
    national_record: bool = False  # an `NR` note
    nation_column: bool = False  # finals with the athletes under Nation, Behind, Speed
    time_markers: bool = False  # `OR, TR` in a time cell
    world_best: bool = False  # `WB (sea level)` in the records table
    bracket: bool = False  # a Bracket section under Results
    announced_missing: bool = False  # the records section announces a table it lacks
    reserve: bool = False  # a medallist in no results row
    alias: str = ""  # an athlete written otherwise once ("short" first name, "plain" letters)


QUALIFICATIONS = ("Qualifications", "Heats", "Final")
MEDAL_RACES = ("Qualifying", "First round", "Medal races")
# The mix, by position in every 20 articles (0, 4, 8 …: men's cycling, 1, 5 …: women's
# cycling, 2, 6 …: men's skating, 3, 7 …: women's skating): 3 early editions (4, 12, 16);
# 5 modern articles that leave rows, line-ups or the records table out (1, 5, 7, 9, 11);
# 12 modern and complete, 9 of them with other shapes of the family (round and schedule
# names, markers, outcomes, a reserve, an alias, a Bracket section), 3 as the bundled ones.
MIX = (
    Shape(),
    Shape(team_less=True, outcome="OVL", win_markers=True, alias="short", dates="to"),
    Shape(time_markers=True, world_best=True),
    Shape(bracket=True, outcome="DSQ", in_notes=True),
    Shape(style="1908"),
    Shape(rank_only=True, nation_column=True, outcome="LAP", in_notes=True, national_record=True),
    Shape(reserve=True, alias="plain"),
    Shape(announced_missing=True, team_less=True),
    Shape(plain_schedule=True, rounds=QUALIFICATIONS, alias="short", outcome="DNF"),
    Shape(no_line_up=True, reserve=True, win_markers=True),
    Shape(time_markers=True),
    Shape(bracket=True, rank_only=True, no_line_up=True),
    Shape(style="1920", alias="short"),
    Shape(reserve=True, alias="plain", rounds=MEDAL_RACES, dates="labelled"),
    Shape(world_best=True, reserve=True),
    Shape(outcome="DNF", in_notes=True, alias="short"),
    Shape(style="1916"),
    Shape(
        plain_schedule=True,
        rounds=(QUALIFICATIONS[0], *MEDAL_RACES[1:]),
        dates="list",
        national_record=True,
        outcome="REL",
        win_markers=True,
    ),
    Shape(),
    Shape(),
)
CYCLING_DATES = {
    "range": "2–4 August {year}",
    "to": "2 to 4 August",
    "list": "2, 3 and 4 August {year}",
    "labelled": "2 August (qualifying), 3 August (first round), 4 August (finals)",
}
FINAL_GROUPS = (
    "Gold medal final",
    "Bronze medal final",
    "Fifth place final",
    "Seventh place final",
)


def shape_of(index: int) -> Shape:
    """Return the shape of the corpus's article number ``index``."""
    return MIX[index % len(MIX)]


@dataclass(frozen=True)
class Team:
    """A synthetic team: its NOC, its athletes (riders, a substitute, a reserve), a designation."""

    noc: str
    athletes: tuple[str, ...]
    designation: str = ""  # "I", "II" where an NOC entered two teams


@dataclass(frozen=True)
class Article:
    """An article's text and the other spellings it writes: (athlete, spelling)."""

    text: str
    aliases: tuple[tuple[str, str], ...] = ()


Alias = tuple[str, str] | None
Timed = list[tuple[Team, float]]


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


def _teams(
    rng: random.Random,
    size: int,
    gender: str,
    pools: dict[tuple[str, str], list[str]],
    two_teams: bool = False,
) -> list[Team]:
    """Deal 8 teams of ``size`` athletes, a substitute and a reserve; GER twice if asked."""
    # Disjoint pools: a name appears once in an event and always for the same NOC.
    if not two_teams:
        return [
            Team(noc, tuple(rng.sample(pools[noc, gender], size + 2)))
            for noc in rng.sample(NOCS, 8)
        ]
    teams = [
        Team(noc, tuple(rng.sample(pools[noc, gender], size + 2)))
        for noc in rng.sample([n for n in NOCS if n != "GER"], 6)
    ]
    both = rng.sample(pools["GER", gender], 2 * (size + 2))
    teams += [Team("GER", tuple(both[: size + 2]), "I"), Team("GER", tuple(both[size + 2 :]), "II")]
    rng.shuffle(teams)
    return teams


def _time(seconds: float, places: int) -> str:
    """Write ``m:ss.fff`` at ``places`` decimals (0: whole seconds, as early editions do)."""
    scale = 10**places
    minutes, rest = divmod(round(seconds * scale), 60 * scale)
    whole, fraction = divmod(rest, scale)
    return f"{minutes}:{whole:02d}" + (f".{fraction:0{places}d}" if places else "")


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


def _team_name(team: Team) -> str:
    """Return a team as a team cell writes it: ``Norway``, ``Germany II``."""
    name = COUNTRIES[team.noc]
    return f"{name} {team.designation}" if team.designation else name


def _alias(name: str, short: bool) -> str | None:
    """Return another spelling of a name: a short first name, or the name without diacritics."""
    if short:
        first = next((f for f in SHORT if name.startswith(f"{f} ")), None)
        return SHORT[first] + name[len(first) :] if first else None
    decomposed = unicodedata.normalize("NFKD", name.translate(_UNDECOMPOSED))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain if plain != name else None


def _alias_in(teams: list[Team], riders: int, kind: str) -> Alias:
    """Pick the first rider of the teams in order who can be written otherwise."""
    if not kind:
        return None
    names = [name for team in teams for name in team.athletes[:riders]]
    for short in (kind == "short", False):  # without diacritics if no first name is short
        for name in names:
            spelling = _alias(name, short)
            if spelling:
                return name, spelling
    return None


def _names(names: tuple[str, ...], alias: Alias = None) -> tuple[str, ...]:
    return tuple(alias[1] if alias and n == alias[0] else n for n in names)


def _medal_lines(medallists: list[tuple[Team, tuple[str, ...]]], noc_keys: bool) -> list[str]:
    """Write the infobox's medal lines; without NOC keys, a leading ``, `` (a stripped flag)."""
    lines = []
    for (team, names), medal in zip(medallists, ("Gold", "Silver", "Bronze"), strict=True):
        if noc_keys:
            lines += [f"- {medal}: {', '.join(names)}", f"- {medal}noc: {team.noc}"]
        else:
            lines.append(f"- {medal}: , {', '.join(names)}")
    return lines


# ---------------------------------------------------------------- modern cycling


def cycling(rng: random.Random, year: int, gender: str, teams: list[Team], shape: Shape) -> Article:
    """Return a track cycling article (qualifying, heats, medal finals) of the given shape."""
    base = rng.uniform(220, 232)
    order = sorted(teams, key=lambda _t: rng.random())
    qual = list(zip(order, _ascending(rng, base, 8, 0.2, 1.5), strict=True))
    finals = list(zip(order, _ascending(rng, base - 3, 8, 0.2, 1.2), strict=True))
    alias = _alias_in(order, 4, shape.alias)
    lines = [
        *_cycling_infobox(year, gender, finals, shape),
        *_cycling_schedule(shape),
        "==Results==",
        *_qualifying(qual, shape),
        *_first_round(qual, shape, alias),
        *_cycling_finals(finals, shape),
    ]
    return Article("\n".join(lines), (alias,) if alias else ())


def _cycling_infobox(year: int, gender: str, finals: Timed, shape: Shape) -> list[str]:
    title = f"Cycling at the {year} Summer Olympics – {gender} team pursuit"
    win = _time(finals[0][1], 3) + (" WR, OR" if shape.win_markers else "")
    medallists = [(team, tuple(sorted(team.athletes[:5]))) for team, _ in finals[:3]]
    if shape.reserve:  # a silver medallist who rode no round the tables show
        medallists[1] = (medallists[1][0], (*medallists[1][1], medallists[1][0].athletes[5]))
    return [
        f"= {title} =",
        "",
        "Infobox",
        f"- Event: {gender} team pursuit",
        f"- Games: {year} Summer",
        "- Venues: Synthetic Velodrome",
        f"- Dates: {CYCLING_DATES[shape.dates].format(year=year)}",
        f"- Competitors: {8 * 5 + shape.reserve}",
        "- Nations: 8",
        "- Teams: 8",
        f"- Win Value: {win}",
        *_medal_lines(medallists, noc_keys=True),
        f"- Prev: {year - 4}",
        f"- Next: {year + 4}",
        "",
        f"The {gender.lower()} team pursuit event took place from 2 to 4 August {year}.",
        "",
    ]


def _cycling_schedule(shape: Shape) -> list[str]:
    rows: list[tuple[str, ...]]
    if shape.plain_schedule:  # dates only; "Qualification" for the section "Qualifications"
        rows = [("Date", "Round"), ("2 August", "Qualification"), ("3 August", "Heats")]
        rows.append(("4 August", "Final"))
    else:
        rows = [("Date", "Time", "Round"), ("2 August", "17:02", "Qualifying")]
        rows += [("3 August", "16:22", "First round"), ("4 August", "17:45", "Finals")]
    return ["==Schedule==", "All times are local time.", "", *(_cells(*r) for r in rows), ""]


def _qualifying(qual: Timed, shape: Shape) -> list[str]:
    lines = [f"==={shape.rounds[0]}===", _cells("Rank", "Country", "Cyclists", "Result", "Notes")]
    for rank, (team, seconds) in enumerate(qual, 1):
        riders = " ".join(team.athletes[:4])
        lines.append(_cells(str(rank), "", riders, _time(seconds, 3), "OR" if rank == 1 else ""))
    if shape.team_less:  # teams the article does not name: one with its time, one rank only
        lines += [
            _cells("9", "", "", _time(qual[-1][1] + 1.7, 1), ""),
            _cells("10", "", "", "", ""),
        ]
    return [*lines, ""]


HEATS = (3, 4, 4, 3, 1, 2, 2, 1)


def _first_round(qual: Timed, shape: Shape, alias: Alias) -> list[str]:
    caught, partner = qual[1][0], qual[2][0]
    header = _cells("Rank", "Heat", "Country", "Cyclists", "Result", "Notes")
    lines = [f"==={shape.rounds[1]}===", header]
    for rank, (team, seconds) in enumerate(qual, 1):
        time = "" if team is caught else _time(seconds - 2, 3)
        notes = ", WR" if rank == 1 else ("NR" if shape.national_record and rank == 4 else "")
        if shape.outcome and rank == 8:
            time, notes = ("", shape.outcome) if shape.in_notes else (shape.outcome, notes)
        riders = " ".join(_names(team.athletes[:4], alias))
        lines.append(_cells(str(rank), str(HEATS[rank - 1]), "", riders, time, notes))
    return [
        *lines,
        "",
        f"{COUNTRIES[caught.noc]} caught the team from {COUNTRIES[partner.noc]}, "
        "but did not record a time.",
        "",
    ]


def _cycling_finals(finals: Timed, shape: Shape) -> list[str]:
    header = ("Rank", "Country", "Cyclists", "Result", "Notes")
    if shape.nation_column:  # flags stripped: the athletes under Nation
        header = ("Rank", "Nation", "Time", "Behind", "Speed (km/h)")
    lines = [f"==={shape.rounds[2]}===", _cells(*header)]
    for index, (team, seconds) in enumerate(finals):
        if index % 2 == 0:
            lines.append(_cells(FINAL_GROUPS[index // 2], *[""] * (len(header) - 1)))
        lines.append(_cells(*_final_row(index, team, seconds, finals, shape)))
    return lines


def _final_row(
    index: int, team: Team, seconds: float, finals: Timed, shape: Shape
) -> tuple[str, ...]:
    rank = str(index + 1)
    riders = " ".join((*team.athletes[:3], team.athletes[4]))
    time = "" if index in (2, 3) else _time(seconds, 3)
    if shape.rank_only and index in (4, 5):
        return (rank, "", "", "", "")
    if shape.no_line_up and index == 7:
        return (rank, COUNTRIES[team.noc], "Unknown", "DNS", "")
    if shape.nation_column:
        behind = round(seconds, 3) - round(finals[index - 1][1], 3)  # as the times are shown
        behind_text = f"+{behind:.3f}" if index % 2 and time else ""
        return (rank, riders, time, behind_text, f"{4000 / seconds * 3.6:.3f}" if time else "")
    return (rank, "", riders, time, "WR, OR" if shape.win_markers and index == 0 else "")


# ---------------------------------------------------------------- early cycling


def early_headings(
    rng: random.Random, year: int, gender: str, teams: list[Team], shape: Shape
) -> Article:
    """Return a 1908-style article: races as level-4 headings, no NOC keys, a reserve."""
    order = sorted(teams, key=lambda _t: rng.random())
    heats = [_race(rng, order[i], order[i + 1], 140) for i in range(0, 8, 2)]
    semis = [_race(rng, heats[i][0][0], heats[i + 1][0][0], 137) for i in (0, 2)]
    third = min((s[1] for s in semis), key=lambda entry: entry[1])
    final = _race(rng, semis[0][0][0], semis[1][0][0], 136)
    (gold, _), (silver, _) = final
    medallists = [(gold, (*gold.athletes[:4], gold.athletes[5]))]
    medallists += [(t, t.athletes[:4]) for t in (silver, third[0])]
    lines = [
        *_early_infobox(year, gender, "Date: July 17, {year}", 32, 8),
        *_medal_lines(medallists, noc_keys=False),
        f"- Next: {year + 4}",
        "",
        f"The men's team pursuit was held on 17 July {year}. Each nation could enter one team.",
        "",
        "==Results==",
        "===First round===",
    ]
    header = ("Rank", "Cyclists", "Nation", "Time", "Notes")
    for number, ((winner, w), (loser, t)) in enumerate(heats, 1):
        lost = ("–", "Unknown", "", "", "") if number == 1 else _early_row("2", loser, t, 0)
        lines += ["", f"====Heat {number}====", "", _cells(*header)]
        lines += [_cells(*_early_row("1", winner, w, 1)), _cells(*lost)]
    lines += ["", "===Semifinals==="]
    for number, ((winner, w), (loser, t)) in enumerate(semis, 1):
        place = "3" if loser is third[0] else "4"
        lines += ["", f"====Semifinal {number}====", "", _cells(*header)]
        lines += [
            _cells(*_early_row("1", winner, w, 1)),
            _cells(*_early_row(f"2 ({place})", loser, t, 1)),
        ]
    # The final's list templates rendered their first rider only.
    lines += ["", "===Final===", "", _cells("Rank", "Cyclists", "Time")]
    lines += [_cells(str(n), team.athletes[0], _time(t, 1)) for n, (team, t) in enumerate(final, 1)]
    return Article("\n".join(lines))


def _race(rng: random.Random, one: Team, other: Team, base: float) -> Timed:
    """Race two teams: the winner first, each with its time."""
    first, second = (one, other) if rng.random() < 0.5 else (other, one)
    winner = base + rng.uniform(0, 8)
    return [(first, winner), (second, winner + rng.uniform(2, 12))]


def _early_row(rank: str, team: Team, seconds: float, places: int) -> tuple[str, ...]:
    return (rank, " ".join(team.athletes[:4]), "", _time(seconds, places), "")


def _early_infobox(year: int, gender: str, dates: str, competitors: int, nations: int) -> list[str]:
    title = f"Cycling at the {year} Summer Olympics – {gender} team pursuit"
    return [
        f"= {title} =",
        "",
        "Infobox",
        f"- Event: {gender} team pursuit",
        f"- Games: {year} Summer",
        "- Venue: Synthetic Velodrome",
        f"- {dates.format(year=year)}",
        f"- Competitors: {competitors}",
        f"- Nations: {nations}",
        "- Longnames: yes",
    ]


def early_labels(
    rng: random.Random, year: int, gender: str, teams: list[Team], shape: Shape
) -> Article:
    """Return a 1920-style article: races labelled by a paragraph, lists with a leading ``, ``."""
    order = sorted(teams, key=lambda _t: rng.random())
    quarters = [_race(rng, order[i], order[i + 1], 318) for i in range(0, 8, 2)]
    semis = [_race(rng, quarters[i][0][0], quarters[i + 1][0][0], 312) for i in (0, 2)]
    third = min((s[1] for s in semis), key=lambda entry: entry[1])[0]
    final = _race(rng, semis[0][0][0], semis[1][0][0], 310)
    alias = _alias_in([final[0][0], final[1][0]], 4, shape.alias)
    medallists = [(t, t.athletes[:4]) for t in (final[0][0], final[1][0], third)]
    lines = [
        *_early_infobox(year, gender, "Dates: 9–10 August", 32, 8),
        *_medal_lines(medallists, noc_keys=True),
        f"- Prev: {year - 4}",
        f"- Next: {year + 4}",
        "",
        "The men's team pursuit event was part of the track cycling programme.",
        "",
        "==Results==",
    ]
    header = _cells("Place", "Cyclists", "Time", "Qual.")
    for title, races in (("Quarterfinals", quarters), ("Semifinals", semis)):
        lines += ["", f"==={title}==="]
        for number, ((winner, w), (loser, t)) in enumerate(races, 1):
            lost = _time(t, 1) if title == "Semifinals" else ""
            lines += ["", f"{title[:-1]} {number}", "", header]
            lines += [
                _cells("1", _listed(winner), _time(w, 1), "Q"),
                _cells("2", _listed(loser), lost, ""),
            ]
    lines += ["", "===Final===", "", "No third place race was held.", ""]
    lines += [_cells("Place", "Cyclists", "Time")]
    lines += [_cells("1", _listed(final[0][0], alias), _time(final[0][1], 1))]
    lines += [_cells("2", _listed(final[1][0], alias), "")]
    return Article("\n".join(lines), (alias,) if alias else ())


def _listed(team: Team, alias: Alias = None) -> str:
    """Write riders as a list whose flag was stripped: ``, A, B, C, D``."""
    return ", " + ", ".join(_names(team.athletes[:4], alias))


def early_two_teams(
    rng: random.Random, year: int, gender: str, teams: list[Team], shape: Shape
) -> Article:
    """Return a 1916-style article: Germany I and II, whole seconds, an equalled OR, a DNS."""
    order = sorted(teams, key=lambda _t: rng.random())
    heats = [_race(rng, order[i], order[i + 1], 300) for i in range(0, 8, 2)]
    winners = [winner for (winner, _), _ in heats]
    rng.shuffle(winners)  # at least 0.6 s apart: the whole seconds shown keep the order
    final = list(zip(winners, _ascending(rng, rng.uniform(298, 304), 4, 0.6, 5), strict=True))
    (gold, _), (silver, _), (bronze, _), _ = final
    medallists = [(gold, gold.athletes[:5]), (silver, silver.athletes[:4])]
    medallists.append((bronze, bronze.athletes[:4]))
    lines = [
        *_early_infobox(year, gender, "Dates: 3 August (heats), 5 August (final)", 33, 7),
        f"- Win Value: {_time(final[0][1], 0)}",
        *_medal_lines(medallists, noc_keys=True),
        f"- Prev: {year - 4}",
        f"- Next: {year + 4}",
        "",
        "The men's team pursuit was held over four laps. Germany entered two teams.",
        "",
        "==Results==",
        "===Heats===",
    ]
    for number, ((winner, w), (loser, t)) in enumerate(heats, 1):
        lines += ["", f"Heat {number}", ""]
        lines.append(_cells("Place", "Team", "Riders", "Time", "Time behind", "Qual."))
        lines.append(_cells("1", _team_name(winner), _riders(winner), _time(w, 0), "", "Q"))
        behind = f"+{round(t, 1) - round(w):.1f}"  # as the times are shown
        lines.append(_cells("2", _team_name(loser), _riders(loser), _time(t, 1), behind, ""))
    return Article("\n".join([*lines, "", "===Final===", "", *_two_teams_final(final, year)]))


def _two_teams_final(final: Timed, year: int) -> list[str]:
    """Write the final: an Olympic record of earlier Games equalled, a team that did not start."""
    (gold, first), (silver, second), (bronze, third), (absent, _) = final
    behind = f"+{round(second, 1) - round(first):.1f}"  # as the times are shown
    rows = [
        ("Place", "Team", "Riders", "Result", "Deficit", "Qual."),
        ("1", _team_name(gold), _riders(gold, True), _time(first, 0), "", f"=OR ({year - 8})"),
        ("2", _team_name(silver), _riders(silver), _time(second, 1), behind, ""),
        ("3", _team_name(bronze), _riders(bronze), _time(third, 1), "", ""),
        ("4", _team_name(absent), "", "DNS", "", ""),  # its line-up not given
    ]
    return [_cells(*row) for row in rows]


def _riders(team: Team, substitute: bool = False) -> str:
    names = (*team.athletes[:3], team.athletes[4 if substitute else 3])
    return " ".join(names)


# ---------------------------------------------------------------- speed skating


def skating(rng: random.Random, year: int, gender: str, teams: list[Team], shape: Shape) -> Article:
    """Return a speed skating article (quarterfinals to finals A–D) of the given shape."""
    base = rng.uniform(210, 230)
    order = sorted(teams, key=lambda _t: rng.random())
    qf = list(zip(order, _ascending(rng, base, 8, 0.01, 1.6), strict=True))
    if rng.random() < 0.3:  # a tie
        qf[5] = (qf[5][0], qf[4][1])
    sf_times = [qf[0][1] - 0.4, qf[0][1] + 0.3, qf[1][1] - 1.5, qf[1][1] - 0.2]
    sf = list(zip([qf[0][0], qf[3][0], qf[1][0], qf[2][0]], sf_times, strict=True))
    pairs = [(sf[0][0], sf[2][0]), (sf[1][0], sf[3][0]), (qf[4][0], qf[5][0]), (qf[6][0], qf[7][0])]
    final = []
    for first, second in pairs:
        start = base + rng.uniform(-1, 3)
        final += [(first, start), (second, start + rng.uniform(0.1, 3))]
    alias = _alias_in([team for team, _ in qf], 3, shape.alias)
    lines = [
        *_skating_infobox(year, gender, final, shape),
        *_records(sf[2], shape),
        "==Results==",
        *(_bracket(qf, sf, final) if shape.bracket else []),
        *_quarterfinals(qf, alias),
        *_semifinals(sf, shape),
        *_skating_finals(final, shape),
    ]
    return Article("\n".join(lines), (alias,) if alias else ())


def _line(team: Team, alias: Alias = None) -> str:
    return " ".join(_names(team.athletes[:3], alias))


def _skating_infobox(year: int, gender: str, final: Timed, shape: Shape) -> list[str]:
    title = f"Speed skating at the {year} Winter Olympics – {gender} team pursuit"
    medallists = [(team, team.athletes[:3]) for team, _ in final[:3]]
    if shape.reserve:  # a bronze medallist who skated no round the tables show
        medallists[2] = (medallists[2][0], medallists[2][0].athletes[:4])
    return [
        f"= {title} =",
        "",
        "Infobox",
        f"- Event: {gender} team pursuit",
        f"- Games: {year} Winter",
        "- Venue: Synthetic Oval,, Synthetic City",
        f"- Date: 13 and 15 February {year}",
        f"- Competitors: {24 + shape.reserve}",
        "- Nations: 8",
        "- Teams: 8",
        f"- Win Value: {_time(final[0][1], 2)}",
        *_medal_lines(medallists, noc_keys=True),
        f"- Prev: {year - 4}",
        f"- Next: {year + 4}",
        "",
        f"The {gender.lower()} team pursuit was held in February {year}.",
        "",
    ]


def _records(record: tuple[Team, float], shape: Shape) -> list[str]:
    if shape.announced_missing:  # the records template does not render in plain text
        return [
            "==Records==",
            "Prior to this competition, the existing world and Olympic records were as follows.",
            "",
        ]
    team, seconds = record
    markers = "OR WB (sea level) TR" if shape.world_best else "OR, TR"
    return [
        "==Records==",
        _cells("Date", "Round", "Athlete", "Country", "Time", "Record"),
        _cells("15 February", "SFB", _line(team), "", _time(seconds, 2), markers),
        "",
    ]


def _bracket(qf: Timed, sf: Timed, final: Timed) -> list[str]:
    """Write a bracket as its plain-text rendering flattens it: rank, country, time."""
    ranks = {team: rank for rank, (team, _) in enumerate(qf, 1)}
    cells = [f"{ranks[t]} {COUNTRIES[t.noc]} {_time(s, 2)}" for t, s in (*qf, *sf, *final[:4])]
    return ["===Bracket===", "", "Quarterfinal Semifinal Final", " ".join(cells), ""]


QF_NOTES = (
    "Semifinal 1",
    "Semifinal 2",
    "Semifinal 2",
    "Semifinal 1",
    "Final C",
    "Final C",
    "Final D",
    "Final D",
)


def _quarterfinals(qf: Timed, alias: Alias) -> list[str]:
    lines = [
        "===Quarterfinals===",
        "The quarterfinals were held on 13 February at 21:00.",
        "",
        _cells("Rank", "Heat", "", "Country", "Time", "Time behind", "Notes"),
    ]
    for rank, (team, seconds) in enumerate(qf, 1):
        behind = "" if rank == 1 else f"+{seconds - qf[0][1]:.2f}"
        side = "FC"[rank % 2]
        time = _time(seconds, 2)
        row = (str(rank), str(rank % 4 + 1), side, _line(team, alias), time, behind)
        lines.append(_cells(*row, QF_NOTES[rank - 1]))
    return [*lines, ""]


def _semifinals(sf: Timed, shape: Shape) -> list[str]:
    lines = [
        "===Semifinals===",
        "The semifinals were held on 15 February at 14:52.",
        "",
        _cells("Rank", "", "Country", "Time", "Deficit", "Notes"),
    ]
    for index, (team, seconds) in enumerate(sf):
        if index % 2 == 0:
            lines.append(_cells(f"Semifinal {index // 2 + 1}", "", "", "", "", ""))
        time = _time(seconds, 2)
        notes = "Final A" if index % 2 == 0 else "Final B"
        if index == 2:  # the records table's row: its markers in the time cell, or stripped
            time, notes = (f"{time} OR, TR", notes) if shape.time_markers else (time, ", Final A")
        deficit = "" if index % 2 == 0 else f"+{seconds - sf[index - 1][1]:.2f}"
        lines.append(_cells(str(index % 2 + 1), "FC"[index % 2], _line(team), time, deficit, notes))
    return [*lines, ""]


def _skating_finals(final: Timed, shape: Shape) -> list[str]:
    lines = [
        "===Finals===",
        "The finals were held on 15 February at 15:43.",
        "",
        _cells("Rank", "", "Country", "Time", "Deficit", "Notes"),
    ]
    for index, (team, seconds) in enumerate(final):
        if index % 2 == 0:
            lines.append(_cells(f"Final {'ABCD'[index // 2]}", "", "", "", "", ""))
        lines.append(_cells(*_skating_final_row(index, team, seconds, final, shape)))
    return lines


def _skating_final_row(
    index: int, team: Team, seconds: float, final: Timed, shape: Shape
) -> tuple[str, ...]:
    rank, side = str(index + 1), "FC"[index % 2]
    if shape.rank_only and index in (4, 5):
        return (rank, "", "", "", "", "")
    if index == 7 and shape.team_less:
        return (rank, side, "", "", "", "DNS")
    if index == 7 and shape.no_line_up:
        return (rank, side, COUNTRIES[team.noc], "", "", "DNS")
    if index == 7 and shape.outcome:
        return (rank, side, _line(team), "", "", shape.outcome)
    deficit = "–" if index % 2 == 0 else f"+{seconds - final[index - 1][1]:.2f}"
    return (rank, side, _line(team), _time(seconds, 2), deficit, "")


# ---------------------------------------------------------------- the corpus

Writer = Callable[[random.Random, int, str, list[Team], Shape], Article]
CYCLING: dict[str, Writer] = {
    "modern": cycling,
    "1908": early_headings,
    "1916": early_two_teams,
    "1920": early_labels,
}


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
        shape = shape_of(index)
        size = 4 if sport == "cycling" else 3
        teams = _teams(rng, size, gender, pools, two_teams=shape.style == "1916")
        write = CYCLING[shape.style] if sport == "cycling" else skating
        article = write(rng, year, gender, teams, shape)
        stem = f"{sport}-{year}-{gender.lower().replace(chr(39), '')}-team-pursuit"
        path = out / "sources" / f"{stem}.txt"
        path.write_text(article.text + "\n", encoding="utf-8")
        files.append(path)
        rosters += _roster_rows(stem, teams, article.aliases)
        venue = (
            ("Synthetic Velodrome", "Izu")
            if sport == "cycling"
            else ("Synthetic Oval", "Synthetic City")
        )
        venues.append(
            f"{stem}\t{venue[0]}\t{venue[1]}\tNowhere\t+09:00\tSynthetic Time\t{SOURCE}\t{EVIDENCE}"
        )
    add_rows(out / "mappings" / "curated" / "rosters.tsv", rosters)  # in the files' order
    add_rows(out / "mappings" / "curated" / "venues.tsv", venues)
    return files


def _roster_rows(stem: str, teams: list[Team], aliases: tuple[tuple[str, str], ...]) -> list[str]:
    """Return an event's roster rows: every athlete, and each other spelling the article writes."""
    nocs = {name: team.noc for team in teams for name in team.athletes}
    rows = [f"{stem}\t{name}\t\t{nocs[name]}\t{SOURCE}\t{EVIDENCE}" for name in nocs]
    also = f"{EVIDENCE}: the article also writes this spelling"
    rows += [
        f"{stem}\t{name}\t{spelling}\t{nocs[name]}\t{SOURCE}\t{also}" for name, spelling in aliases
    ]
    return rows


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
