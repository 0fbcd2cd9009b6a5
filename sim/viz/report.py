"""One self-contained HTML report of a run, a comparison or a sweep.

:func:`write_report` reads an output folder, (re)draws its figures into ``figures/``, and
writes ``report.html`` beside them: the figures embedded as base64 PNGs, a few generated
sentences with the headline numbers, tables, the scenario (TOML) and the manifest (JSON).
The file has no external link, script, font or style sheet, so it opens offline in any
browser and can be mailed as it is.

Folders recognised:

- a run (``edusim run``): ``manifest.json`` and ``county.parquet``;
- a comparison (``edusim compare``): ``frontier.csv``, ``summary.csv`` or
  ``county_long.parquet``;
- a sweep (``edusim sweep``): ``sweep.json`` (tables from ``analysis/`` when present).
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from sim.errors import EdusimError
from sim.experiment.compare import side_by_side
from sim.experiment.storage import SweepStore
from sim.metrics import hollow_risk
from sim.outputs import write_text
from sim.results import RunResult
from sim.scenario.keys import to_toml
from sim.viz import style
from sim.viz.figures import (
    load_comparison,
    write_compare_figures,
    write_run_figures,
    write_sweep_figures,
)
from sim.viz.frontier import pareto_front
from sim.viz.timeseries import band_table

REPORT_FILE = "report.html"

CAPTIONS = {
    "county_map.png": "The county at the first and last year. Marker area is proportional to "
    "pupils (schools) and residents (settlements); orange schools are hollow, grey crosses are "
    "closed schools.",
    "timeseries.png": "Key county metrics by year: the line is the mean over replicates, the band "
    "its 95% interval.",
    "school_pupils.png": "Pupils of each school by year, one panel per tier. Orange segments: the "
    "school is hollow that year; thick lines: schools that became hollow during the run.",
    "tradeoff.png": "The run's path in the trade-off plane: hollow share against the share of "
    "pupils with hard access (open circle: first year; point with 95% intervals: final year).",
    "frontier.png": "Final-year hollow share against hard-access share, one point per scenario "
    "with 95% intervals; the dashed line joins the scenarios no other beats on both (lower left "
    "is better).",
    "main_effects.png": "Main effect of each varied input: mean output per bin of the input (95% "
    "interval); grey dots are single runs.",
}


def detect(folder: str | Path) -> str:
    """Tell which kind of output folder ``folder`` is.

    Parameters
    ----------
    folder : str or Path
        An output folder (see the module docstring for the files that mark each kind).

    Returns
    -------
    str
        ``"run"``, ``"compare"`` or ``"sweep"``.

    Raises
    ------
    EdusimError
        The folder is missing or is not a run, comparison or sweep folder.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise EdusimError(f"{folder}: no such directory")
    if (folder / "manifest.json").is_file() and (folder / "county.parquet").is_file():
        return "run"
    if any((folder / f).is_file() for f in ("frontier.csv", "summary.csv", "county_long.parquet")):
        return "compare"
    if (folder / "sweep.json").is_file():
        return "sweep"
    raise EdusimError(
        f"{folder}: not a run (manifest.json + county.parquet), comparison (frontier.csv, "
        "summary.csv, county_long.parquet) or sweep (sweep.json) folder"
    )


def write_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write the HTML report of a run, comparison or sweep folder; return its path.

    Parameters
    ----------
    folder : str or Path
        The output folder (kind detected from its files; see the module docstring).
    out : str or Path, optional
        Report file (default ``<folder>/report.html``).

    Returns
    -------
    Path
        The report file written.

    Raises
    ------
    EdusimError
        The folder is missing or is not a run, comparison or sweep folder.
    """
    folder = Path(folder)
    kind = detect(folder)
    builder = {"run": _run_report, "compare": _compare_report, "sweep": _sweep_report}[kind]
    title, body = builder(folder)
    target = Path(out) if out is not None else folder / REPORT_FILE
    write_text(target, _page(title, body))
    return target


# ---------------------------------------------------------------- runs


def _run_report(folder: Path) -> tuple[str, str]:
    try:
        result = RunResult.load(folder)
    except (OSError, ValueError) as exc:  # unreadable file
        raise EdusimError(f"{folder}: cannot read the run ({exc})") from None
    figures = write_run_figures(result, folder)
    manifest = result.manifest
    scenario = manifest.get("scenario", {})
    name = manifest.get("scenario_name") or scenario.get("name", "run")
    county = result.county
    n_reps = int(county["replicate"].nunique()) if "replicate" in county else 1
    years = sorted(county["year"].unique())
    parts = [
        _header(
            f"Run: {name}",
            [
                ("scenario", name),
                ("years", f"{years[0]}–{years[-1]} ({len(years)} school years)"),
                ("replicates", n_reps),
                ("seed", manifest.get("seed", "")),
                ("edusim", manifest.get("version", "")),
            ],
            scenario.get("description"),
        ),
        _section("Headline", "".join(f"<p>{html.escape(s)}</p>" for s in run_headline(county))),
        _section("Figures", "".join(_figure(p) for p in figures)),
        _section(
            "County metrics, first and last year",
            "<p>Mean over replicates with the 95% interval of the mean in brackets.</p>"
            + _table(metrics_table(county)),
        ),
    ]
    panel = result.schools
    if len(panel):
        risk = hollow_risk(panel, within_years=len(years))
        parts.append(
            _section(
                "Schools most at risk of becoming hollow",
                _school_note(n_reps) + _table(school_table(panel, risk)),
            )
        )
    parts.append(_section("Events", _events_html(result.events)))
    parts.append(_section("Scenario", _details("Scenario as resolved (TOML)", to_toml(scenario))))
    rest = {k: v for k, v in manifest.items() if k != "scenario"}
    parts.append(
        _section(
            "Manifest",
            _details(
                "manifest.json (without the scenario)",
                json.dumps(rest, indent=2, ensure_ascii=False, default=str),
            ),
        )
    )
    parts.append(_files_footer(folder))
    return f"edusim run report — {name}", "\n".join(parts)


def _change(metric: str, a: float, b: float) -> str:
    """Describe the change of ``metric`` from ``a`` to ``b`` in words.

    E.g. "rose from 35% to 80% (+45 points)", "fell from 2,972 to 1,726 (−42%)", "stayed at 23".
    """
    fa, fb = style.format_value(metric, a), style.format_value(metric, b)
    if fa == fb:
        return f"stayed at {fb}"
    verb = "rose" if b > a else "fell"
    if style.metric_kind(metric) == "share":
        pts = 100 * (b - a)
        diff = (
            f"{'+' if pts > 0 else '−'}{abs(pts):.1f} points"
            if abs(pts) < 10
            else f"{'+' if pts > 0 else '−'}{abs(pts):.0f} points"
        )
    elif a:
        rel = 100 * (b - a) / abs(a)
        diff = f"{'+' if rel > 0 else '−'}{abs(rel):.0f}%"
    else:
        diff = ""
    return f"{verb} from {fa} to {fb}" + (f" ({diff})" if diff else "")


def run_headline(county: pd.DataFrame) -> list[str]:
    """A few sentences with the headline numbers of a run (means over replicates).

    Parameters
    ----------
    county : pandas.DataFrame
        The run's county table (columns ``year``, the metrics, optionally ``replicate``).

    Returns
    -------
    list of str
        Sentences on pupils, schools and the hollow share, access and commutes, the county
        town's share and dropouts, and cost per pupil (those whose metrics the table has).
    """
    metrics = [m for m in style.METRICS if m in county.columns]
    means = county.groupby("year")[metrics].mean()
    first, last = int(means.index.min()), int(means.index.max())
    a, b = means.loc[first], means.loc[last]
    n_reps = int(county["replicate"].nunique()) if "replicate" in county else 1
    avg = f", mean of {n_reps} replicates" if n_reps > 1 else ""

    def has(*names: str) -> bool:
        return all(m in means.columns for m in names)

    out = []
    if has("pupils"):
        out.append(
            f"Over {first}–{last} ({last - first + 1} school years{avg}) pupils "
            f"{_change('pupils', a['pupils'], b['pupils'])}."
        )
    s = []
    if has("schools_open"):
        s.append(f"open schools {_change('schools_open', a['schools_open'], b['schools_open'])}")
    if has("hollow_share", "hollow_schools"):
        s.append(
            f"the hollow share {_change('hollow_share', a['hollow_share'], b['hollow_share'])} "
            f"({a['hollow_schools']:,.0f} → {b['hollow_schools']:,.0f} hollow schools)"
        )
    if s:
        out.append(_sentence("; ".join(s)))
    s = []
    if has("hard_access_share"):
        s.append(
            "the share of pupils with hard access (long commute, boarding too young or dropping "
            f"out) {_change('hard_access_share', a['hard_access_share'], b['hard_access_share'])}"
        )
    if has("mean_commute_min"):
        s.append(
            "the mean day commute "
            f"{_change('mean_commute_min', a['mean_commute_min'], b['mean_commute_min'])}"
        )
    if s:
        out.append(_sentence("; ".join(s)))
    s = []
    if has("county_town_pupil_share"):
        s.append(
            "county-town schools hold "
            f"{style.format_value('county_town_pupil_share', b['county_town_pupil_share'])} "
            f"of pupils in {last} "
            f"({style.format_value('county_town_pupil_share', a['county_town_pupil_share'])} "
            f"in {first})"
        )
    if has("dropouts"):
        total = (
            county.groupby("replicate")["dropouts"].sum().mean()
            if "replicate" in county
            else county["dropouts"].sum()
        )
        s.append(f"{total:,.0f} pupils dropped out over the period")
    if s:
        out.append(_sentence("; ".join(s)))
    if has("cost_per_pupil"):
        out.append(
            f"Cost per pupil {_change('cost_per_pupil', a['cost_per_pupil'], b['cost_per_pupil'])}."
        )
    return out


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _interval(metric: str, mean: float, lo: float, hi: float) -> str:
    text = style.format_value(metric, mean)
    if np.isfinite(lo) and np.isfinite(hi) and hi > lo:
        text += f" [{style.format_value(metric, lo)}, {style.format_value(metric, hi)}]"
    return text


def metrics_table(county: pd.DataFrame) -> pd.DataFrame:
    """Every known metric of a run in its first and last year.

    Parameters
    ----------
    county : pandas.DataFrame
        The run's county table.

    Returns
    -------
    pandas.DataFrame
        Columns metric, meaning, unit, then the first and the last year, each as
        mean [95% interval] over replicates ("n/a" where missing).
    """
    metrics = [m for m in style.METRICS if m in county.columns]
    first, last = int(county["year"].min()), int(county["year"].max())
    bands = band_table(county[county["year"].isin([first, last])], metrics, "year").set_index(
        ["year", "metric"]
    )
    rows = []
    for m in metrics:
        label, unit, _ = style.METRICS[m]
        row = {"metric": m, "meaning": label, "unit": unit}
        for y in (first, last):
            r = bands.loc[(y, m)] if (y, m) in bands.index else None
            row[str(y)] = _interval(m, r["mean"], r["lo"], r["hi"]) if r is not None else "n/a"
        rows.append(row)
    return pd.DataFrame(rows)


def school_table(panel: pd.DataFrame, risk: pd.DataFrame, top: int = 20) -> pd.DataFrame:
    """The schools most at risk of becoming hollow, ordered by hollow risk, then years hollow.

    Parameters
    ----------
    panel : pandas.DataFrame
        The run's school panel (one row per school and year, optionally per replicate).
    risk : pandas.DataFrame
        Hollow risk per school (:func:`sim.metrics.hollow_risk`).
    top : int, default 20
        How many schools to list.

    Returns
    -------
    pandas.DataFrame
        Columns school, level, tier, mean pupils in the first and last year, mean years
        hollow, share of replicates hollow / closed in the last year, hollow risk (texts).
    """
    first, last = panel["year"].min(), panel["year"].max()
    info = (
        panel[panel["year"] == first]
        .drop_duplicates("school_id")
        .set_index("school_id")[["level", "tier"]]
        .astype(str)
    )
    end = panel[panel["year"] == last].groupby("school_id")
    reps = panel.groupby("school_id")["replicate"].nunique() if "replicate" in panel else 1
    years_hollow = panel.groupby("school_id")["hollow"].sum() / reps
    table = risk.set_index("school_id").assign(years_hollow=years_hollow)
    table = table.sort_values(
        ["hollow_risk", "years_hollow", "name"], ascending=[False, False, True]
    ).head(top)
    idx = table.index
    return pd.DataFrame(
        {
            "school": table["name"].astype(str),
            "level": info["level"].reindex(idx).str.replace("_", " "),
            "tier": info["tier"].reindex(idx).str.replace("_", " "),
            f"pupils {first}": panel[panel["year"] == first]
            .groupby("school_id")["pupils"]
            .mean()
            .reindex(idx)
            .map(lambda v: f"{v:,.0f}"),
            f"pupils {last}": end["pupils"].mean().reindex(idx).map(lambda v: f"{v:,.0f}"),
            "years hollow": table["years_hollow"].map(lambda v: f"{v:.1f}"),
            f"hollow in {last}": end["hollow"].mean().reindex(idx).map(lambda v: f"{100 * v:.0f}%"),
            f"closed by {last}": end["status"]
            .agg(lambda s: (s.astype(str) == "closed").mean())
            .reindex(idx)
            .map(lambda v: f"{100 * v:.0f}%"),
            "hollow risk": table["hollow_risk"].map(lambda v: f"{100 * v:.0f}%"),
        }
    ).reset_index(drop=True)


def _school_note(n_reps: int) -> str:
    return (
        "<p>Hollow risk: the share of replicates in which the school is hollow in some year of "
        f"the run. Pupils and years hollow: mean over {n_reps} "
        f"replicate{'s' if n_reps != 1 else ''}. The 20 schools with the highest risk, then the "
        "most years hollow.</p>"
    )


def _events_html(events: pd.DataFrame) -> str:
    if events is None or not len(events):
        return "<p>No events were logged.</p>"
    counts = events.groupby("kind").size().rename("events").reset_index()
    if "replicate" in events:
        counts["per replicate"] = (counts["events"] / max(events["replicate"].nunique(), 1)).map(
            lambda v: f"{v:,.1f}"
        )
    first_rep = (
        events[events["replicate"] == events["replicate"].min()]
        if "replicate" in events
        else events
    )
    shown = first_rep.drop(columns=[c for c in ("replicate",) if c in first_rep]).head(200)
    note = f"<p>The first {len(shown)} of {len(first_rep)} events of the first replicate:</p>"
    return _table(counts) + _details(
        f"Event log ({len(first_rep)} events, first replicate)", None, note + _table(shown)
    )


# ---------------------------------------------------------------- comparisons


def _compare_report(folder: Path) -> tuple[str, str]:
    tables = load_comparison(folder)
    figures = write_compare_figures(folder)
    labels, manifest = tables["labels"], tables["manifest"]
    summary, frontier = tables["summary"], tables["frontier"]
    title = " vs ".join(labels) if labels else folder.name
    parts = [
        _header(
            f"Comparison: {title}",
            [
                ("scenarios", ", ".join(labels)),
                ("replicates", manifest.get("replicates", "")),
                ("seed", manifest.get("seed", "")),
                ("edusim", manifest.get("version", "")),
                ("overrides", ", ".join(manifest.get("overrides", []) or []) or "none"),
            ],
            "All scenarios are run with the same seeds (common random numbers), so differences "
            "are measured on paired replicates.",
        )
    ]
    parts.append(
        _section(
            "Headline",
            "".join(
                f"<p>{html.escape(s)}</p>" for s in compare_headline(frontier, summary, labels)
            ),
        )
    )
    parts.append(_section("Figures", "".join(_figure(p) for p in figures)))
    if frontier is not None and len(frontier):
        parts.append(_section("Frontier (final year)", _table(frontier_table(frontier))))
    if summary is not None and len(summary):
        wide = side_by_side(summary, labels)
        wide.insert(1, "meaning", [style.metric_label(m) for m in wide["metric"]])
        parts.append(
            _section(
                "Side by side",
                "<p>Final-year value or cumulative sum over the years; mean [95% interval] over "
                "replicates; Δ = paired difference from "
                f"{html.escape(labels[0]) if labels else 'the first scenario'}.</p>"
                + _table(wide)
                + _details("Every metric", None, _table(side_by_side(summary, labels, metrics=[]))),
            )
        )
    scenarios = manifest.get("scenarios", {}) or {}
    if scenarios:
        ordered = [s for s in labels if s in scenarios] + [s for s in scenarios if s not in labels]
        diff = scenario_differences({s: scenarios[s] for s in ordered})
        body = (
            ("<p>Keys that differ between the scenarios:</p>" + _table(diff))
            if len(diff)
            else "<p>The scenarios are identical.</p>"
        )
        body += "".join(_details(f"{s} (TOML)", to_toml(scenarios[s])) for s in ordered)
        parts.append(_section("Scenarios", body))
    rest = {k: v for k, v in manifest.items() if k != "scenarios"}
    parts.append(
        _section(
            "Manifest",
            _details(
                "manifest.json (without the scenarios)",
                json.dumps(rest, indent=2, ensure_ascii=False, default=str),
            ),
        )
    )
    parts.append(_files_footer(folder))
    return f"edusim comparison — {title}", "\n".join(parts)


def compare_headline(
    frontier: pd.DataFrame | None, summary: pd.DataFrame | None, labels: Sequence[str]
) -> list[str]:
    """Sentences: who is lowest on each axis, who is on the frontier, paired differences.

    Parameters
    ----------
    frontier : pandas.DataFrame or None
        The comparison's frontier table (final-year hollow and hard-access shares per scenario,
        ``*_mean``, ``*_lo``, ``*_hi``).
    summary : pandas.DataFrame or None
        The comparison's summary table (paired differences from the first scenario).
    labels : sequence of str
        The scenarios' labels; the first is the reference.

    Returns
    -------
    list of str
        The sentences (one saying there is no frontier table when there is none).
    """
    if frontier is None or not len(frontier):
        return ["No frontier table: the comparison has no hollow_share / hard_access_share."]
    f = frontier.assign(scenario=frontier["scenario"].astype(str)).set_index("scenario")
    year = int(f["year"].max()) if "year" in f else None
    n = int(f["n"].max()) if "n" in f else 1
    out = [
        f"Final year {year}"
        + (f", mean of {n} replicates with 95% intervals." if n > 1 else ", one replicate.")
    ]
    h, a = "hollow_share", "hard_access_share"
    best_h, best_a = f[f"{h}_mean"].idxmin(), f[f"{a}_mean"].idxmin()
    out.append(
        f"Lowest hollow share: {best_h} "
        f"({_interval(h, *f.loc[best_h, [f'{h}_mean', f'{h}_lo', f'{h}_hi']])}); "
        f"lowest hard-access share: {best_a} "
        f"({_interval(a, *f.loc[best_a, [f'{a}_mean', f'{a}_lo', f'{a}_hi']])})."
    )
    front = pareto_front(f[f"{a}_mean"].to_numpy(), f[f"{h}_mean"].to_numpy())
    names = [f.index[i] for i in front]
    if len(f) > 1:
        out.append(f"Not beaten on both by any other scenario (the frontier): {', '.join(names)}.")
    if summary is not None and len(summary) and labels:
        ref = labels[0]
        fin = summary[summary["statistic"] == "final"].set_index(["scenario", "metric"])
        for s in labels[1:]:
            bits = []
            for m, word in ((h, "hollow share"), (a, "hard-access share")):
                if (s, m) not in fin.index:
                    continue
                r = fin.loc[(s, m)]
                bits.append(
                    f"the {word} by {_points(r['diff_mean'])} "
                    f"[{_points(r['diff_lo'])}, {_points(r['diff_hi'])}]"
                    + ("" if r["diff_lo"] <= 0 <= r["diff_hi"] else " (interval excludes 0)")
                )
            if bits:
                out.append(f"Against {ref}, {s} changes " + " and ".join(bits) + ".")
    return out


def _points(x: float) -> str:
    pts = 100 * float(x)
    return f"{'+' if pts > 0 else '−' if pts < 0 else ''}{abs(pts):.1f} points"


def frontier_table(frontier: pd.DataFrame) -> pd.DataFrame:
    """The frontier table for the report: shares as mean [95% interval].

    Parameters
    ----------
    frontier : pandas.DataFrame
        The comparison's frontier table.

    Returns
    -------
    pandas.DataFrame
        Columns scenario, year, replicates, hollow share and hard-access share (texts).
    """
    return pd.DataFrame(
        {
            "scenario": frontier["scenario"].astype(str),
            "year": frontier["year"] if "year" in frontier else "",
            "replicates": frontier["n"] if "n" in frontier else "",
            "hollow share": [
                _interval(
                    "hollow_share",
                    r["hollow_share_mean"],
                    r["hollow_share_lo"],
                    r["hollow_share_hi"],
                )
                for _, r in frontier.iterrows()
            ],
            "hard-access share": [
                _interval(
                    "hard_access_share",
                    r["hard_access_share_mean"],
                    r["hard_access_share_lo"],
                    r["hard_access_share_hi"],
                )
                for _, r in frontier.iterrows()
            ],
        }
    )


def _flatten(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping) and v:
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def scenario_differences(scenarios: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Key and each scenario's value, for the keys whose values differ.

    ``name``, ``description`` and ``extends`` are left out.

    Parameters
    ----------
    scenarios : mapping of str to mapping
        Each scenario's resolved keys (nested tables), by label.

    Returns
    -------
    pandas.DataFrame
        Column ``key`` (dotted) and one column per scenario ("—" where a scenario lacks the
        key); empty when the scenarios agree.
    """
    flat = {s: _flatten(d) for s, d in scenarios.items()}
    keys = sorted(set().union(*[set(f) for f in flat.values()])) if flat else []
    rows = []
    for k in keys:
        if k in ("name", "description", "extends"):
            continue
        values = [
            json.dumps(flat[s].get(k), ensure_ascii=False, sort_keys=True, default=str)
            for s in flat
        ]
        if len(set(values)) > 1:
            rows.append({"key": k, **{s: flat[s].get(k, "—") for s in flat}})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- sweeps


def _sweep_report(folder: Path) -> tuple[str, str]:
    store = SweepStore(folder)
    spec = store.read_spec()  # a damaged sweep.json is an ExperimentError: exit 2
    name = spec.get("scenario", {}).get("name", folder.name)
    figures = write_sweep_figures(folder)
    total, finished = len(store.read_design()), len(store.finished())
    parts = [
        _header(
            f"Sweep: {name}",
            [
                ("design", spec.get("design", "")),
                ("points", spec.get("points", "")),
                ("replicates", spec.get("replicates", "")),
                ("varied", "; ".join(spec.get("vary", []))),
                ("seed", spec.get("seed", "")),
                ("edusim", spec.get("version", "")),
            ],
            None,
        )
    ]
    if finished < total:
        parts.append(
            _section(
                "Unfinished sweep",
                f"<p>{total - finished} of {total} runs are missing: the sweep is unfinished "
                "(continue it with the same <code>edusim sweep</code> command and "
                "<code>--resume</code>); what follows covers the finished runs only.</p>",
            )
        )
    parts.append(
        _section(
            "Figures", "".join(_figure(p) for p in figures) or "<p>No finished run to draw.</p>"
        )
    )
    analysis = folder / "analysis"
    if (analysis / "sobol.csv").is_file():
        parts.append(
            _section("Sobol indices", _table(pd.read_csv(analysis / "sobol.csv").round(3)))
        )
    if (analysis / "runs.parquet").is_file():
        runs = pd.read_parquet(analysis / "runs.parquet")
        counts = (
            runs["status"].value_counts().rename_axis("status").rename("runs").reset_index()
            if "status" in runs
            else pd.DataFrame()
        )
        parts.append(
            _section(
                "Runs",
                _table(counts) + _details(f"Every run ({len(runs)})", None, _table(runs.head(500))),
            )
        )
    else:
        parts.append(
            _section(
                "Runs",
                "<p>Run <code>edusim analyze</code> on this folder for the runs table and Sobol "
                "indices.</p>",
            )
        )
    parts.append(
        _section(
            "Sweep specification",
            _details("sweep.json", json.dumps(spec, indent=2, ensure_ascii=False, default=str)),
        )
    )
    parts.append(_files_footer(folder))
    return f"edusim sweep report — {name}", "\n".join(parts)


# ---------------------------------------------------------------- HTML


CSS = """
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, "Noto Sans CJK SC", \
"Microsoft YaHei", sans-serif;
       max-width: 1180px; margin: 0 auto; padding: 1.5em 2em 3em; color: #1a1a1a; \
line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 2px solid #0072B2; padding-bottom: 0.15em; \
margin-top: 1.8em; }
.meta { color: #444; margin: 0.3em 0 1em; }
.meta span { margin-right: 1.4em; white-space: nowrap; }
.desc { color: #333; font-style: italic; white-space: pre-line; }
figure { margin: 1.2em 0 2em; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { color: #444; font-size: 0.92em; margin-top: 0.4em; }
table { border-collapse: collapse; font-size: 0.88em; margin: 0.6em 0 1em; }
th, td { border: 1px solid #d0d0d0; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #eef4f9; }
tr:nth-child(even) td { background: #f8f8f8; }
.tablewrap { overflow-x: auto; }
pre { background: #f5f5f5; border: 1px solid #ddd; padding: 0.8em; overflow-x: auto; \
font-size: 0.85em; }
details { margin: 0.6em 0; }
summary { cursor: pointer; color: #0072B2; font-weight: bold; }
footer { margin-top: 3em; color: #666; font-size: 0.85em; }
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _header(title: str, meta: Iterable[tuple[str, Any]], description: str | None) -> str:
    spans = "".join(
        f"<span><b>{html.escape(str(k))}:</b> {html.escape(str(v))}</span>" for k, v in meta
    )
    desc = f'<p class="desc">{html.escape(description.strip())}</p>' if description else ""
    return f'<header><h1>{html.escape(title)}</h1><div class="meta">{spans}</div>{desc}</header>'


def _section(title: str, body: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2>\n{body}\n</section>"


def _figure(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    caption = CAPTIONS.get(Path(path).name, "")
    alt = html.escape(Path(path).stem.replace("_", " "))
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{alt}">'
        f"<figcaption><b>{html.escape(Path(path).name)}</b> — "
        f"{html.escape(caption)}</figcaption></figure>\n"
    )


def _table(frame: pd.DataFrame) -> str:
    if frame is None or not len(frame):
        return "<p>(empty)</p>"
    return (
        '<div class="tablewrap">'
        + frame.to_html(index=False, border=0, escape=True, na_rep="—")
        + "</div>"
    )


def _details(summary: str, text: str | None, raw_html: str | None = None) -> str:
    inner = raw_html if raw_html is not None else f"<pre>{html.escape(text or '')}</pre>"
    return f"<details><summary>{html.escape(summary)}</summary>{inner}</details>"


def _files_footer(folder: Path) -> str:
    files = sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.name != REPORT_FILE
    )
    listing = ", ".join(html.escape(f) for f in files[:60]) + (" …" if len(files) > 60 else "")
    return (
        f"<footer>Generated by edusim from <code>{html.escape(str(folder))}</code>. "
        f"Files in the folder: {listing}.</footer>"
    )
