"""The figures issue 22 asks of one benchmark run, and whether they meet its targets.

- the bundled build's wall time as a multiple of a bare ``import rdflib, pyoxigraph`` (≤ 3×);
- every size no slower than the baseline (``--baseline``): after ÷ before wall ≤ 1.00;
- the 1,000-article build's triples/s as a share of raw Oxigraph's load and dump (aim 0.5).
"""

from __future__ import annotations

BUNDLED_TARGET = 3.0
SHARE_AIM = 0.5


def bundled_lines(times: dict[str, dict[str, float]] | None) -> list[str]:
    """Render the bundled build beside the bare import (and the baseline's bundled build)."""
    if not times:
        return []
    bare, after = times["bare"], times["after"]

    def figure(t: dict[str, float]) -> str:
        return f"{t['median']:.2f} s median of {t['runs']:.0f} runs ({t['wall']:.2f} s best)"

    lines = [
        "- The two bundled articles, `kg build` end to end (Turtle, N-Triples, VoID, store), "
        f"the whole process: {figure(after)}, {after['rss_mib']:.0f} MiB peak RSS",
        f"- A bare `python -c 'import rdflib, pyoxigraph'` in the same rounds: {figure(bare)}",
        f"- **The bundled build ÷ the bare import: {after['median'] / bare['median']:.1f}×** "
        f"(medians; best ÷ best {after['wall'] / bare['wall']:.1f}×; target ≤ 3×)",
    ]
    if "before" in times:
        before = times["before"]
        lines.append(
            f"- The baseline's bundled build in the same rounds: {figure(before)}, "
            f"÷ the bare import {before['median'] / bare['median']:.1f}×; "
            f"after ÷ before {after['median'] / before['median']:.2f} (medians)"
        )
    return lines


def share(build: dict[str, object], raw: dict[str, object]) -> float:
    """Return a build's triples/s as a share of the raw Oxigraph load and dump's."""
    assert isinstance(build["wall"], float) and isinstance(raw["wall"], float)
    assert isinstance(build["triples"], int) and isinstance(raw["triples"], int)
    return (build["triples"] / build["wall"]) / (raw["triples"] / raw["wall"])


def share_lines(rows: list[dict[str, object]]) -> list[str]:
    """State the triples/s share of raw Oxigraph at 1,000 articles (or the largest size)."""
    sizes = [r["size"] for r in rows]
    if not rows:
        return []
    row = rows[sizes.index(1000)] if 1000 in sizes else rows[-1]
    o, n, r = row["ours"], row["nt_only"], row["raw"]
    assert isinstance(o, dict) and isinstance(n, dict) and isinstance(r, dict)
    return [
        f"- **Triples/s as a share of a raw pyoxigraph load and dump of the same triples**, "
        f"{row['size']:,} articles: **{share(n, r):.2f}** for the build to N-Triples only, "
        f"{share(o, r):.2f} for the build with the store (aim 0.5)"
    ]


def targets_table(
    rows: list[dict[str, object]], times: dict[str, dict[str, float]] | None
) -> list[str]:
    """Render the three targets as this run measured them: target, figure, met or not."""
    lines = ["", "| issue 22 target | measured in this run | met? |", "|---|---|---|"]
    if times:
        ratio = times["after"]["median"] / times["bare"]["median"]
        lines.append(
            f"| the bundled build ≤ {BUNDLED_TARGET:.0f}× a bare `import rdflib, pyoxigraph` "
            f"| {ratio:.1f}× (medians of {times['bare']['runs']:.0f}) | {_met(ratio <= BUNDLED_TARGET)} |"
        )
    compared = [r for r in rows if "before" in r]
    if compared:
        worst = max(_slowdowns(compared))
        which = "with the store" if worst[2] == "ours" else "to N-Triples only"
        lines.append(
            "| no size slower than the baseline (after ÷ before wall ≤ 1.00, each size, both "
            f"builds) | at worst {worst[0]:.2f} ({worst[1]} articles, {which}) | {_met(worst[0] <= 1.0)} |"
        )
    if rows:
        sizes = [r["size"] for r in rows]
        row = rows[sizes.index(1000)] if 1000 in sizes else rows[-1]
        n, r = row["nt_only"], row["raw"]
        assert isinstance(n, dict) and isinstance(r, dict)
        lines.append(
            f"| {row['size']:,} articles: triples/s ≥ {SHARE_AIM} of raw Oxigraph's load and dump "
            f"(N-Triples only) | {share(n, r):.2f} | {_met(share(n, r) >= SHARE_AIM)} |"
        )
    return lines if len(lines) > 3 else []


def _slowdowns(rows: list[dict[str, object]]) -> list[tuple[float, int, str]]:
    """Return after ÷ before wall, the size and the build, for both builds of every size."""
    found = []
    for row in rows:
        before, size = row["before"], row["size"]
        assert isinstance(before, dict) and isinstance(size, int)
        for key in ("ours", "nt_only"):
            now, then = row[key], before[key]
            assert isinstance(now, dict) and isinstance(then, dict)
            found.append((now["wall"] / then["wall"], size, key))
    return found


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"
