"""CLI verb ``validation``: hold the fitted model and the null model against later facts.

One call into ``sim.experiment.validation`` for the data, then ``sim.viz.validation`` for the
figure, as ``edusim calibrate`` draws its fit.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import typer

from sim.cli.app import app, console, user_errors
from sim.cli.experiment import _print_frame, run_with_bar, say, where_runs

#: ``sim.experiment.validation.DEFAULT_REPLICATES`` (not imported here: ``--help`` stays quick).
DEFAULT_REPLICATES = 10

VALIDATION_HELP = (
    "Run a scenario (e.g. a fitted overlay) and the null model (no behaviour) with "
    "replicates and hold both against the facts after the calibration period.\n\n"
    "Writes OUT/validation.csv (each fact: observed, tolerance, model and null model mean with "
    "95% interval, within tolerance, which is closer, mapping, source), validation.md, "
    "validation.png and validation.json (enough to rerun); with --docs also that Markdown page "
    "and images/<stem>.png beside it. --out must be new or empty, or an earlier validation "
    "replaced with --force. Exit status 2, before any run, on a bad scenario, facts file or "
    "option or a refused folder (nothing written), 1 when a run fails."
)


def _default_out(plan) -> Path:  # noqa: ANN001 - Validation
    return Path("outputs") / f"validation-{plan.scenario.name}-{plan.facts.name}"


@app.command("validation", help=VALIDATION_HELP)
def validation_command(
    scenario: str = typer.Argument(..., help="Scenario or fitted overlay (bundled name or file)."),
    facts: Path = typer.Option(..., "--facts", help="Facts file (TOML): observations after the "
                               "calibration period, each with its tolerance and mapping."),
    replicates: int = typer.Option(DEFAULT_REPLICATES, "--replicates", "-r",
                                   help="Replicates of the model and of the null model."),
    seed: int | None = typer.Option(None, "--seed", help="Root seed (default: the scenario's)."),
    set_: list[str] = typer.Option([], "--set", help="Override a key: dotted.key=value."),
    workers: int | None = typer.Option(
        None, "--workers", help="Worker processes (default: one per CPU; 0 = in this process)."),
    scheduler: str | None = typer.Option(
        None, "--scheduler",
        help="Dask scheduler address, e.g. tcp://host:8786 (needs the edusim\\[cluster] extra)."),
    out: Path | None = typer.Option(
        None, "--out", help="Output folder (default outputs/validation-<scenario>-<facts>)."),
    force: bool = typer.Option(False, "--force", help="Replace an earlier validation in --out."),
    docs: Path | None = typer.Option(
        None, "--docs", help="Also write the report to this Markdown file (e.g. "
        "docs/validation.md; replaced only when this command wrote it) and its figure to "
        "images/ beside it."),
) -> None:
    """Validate a scenario against later facts (the help text is VALIDATION_HELP)."""
    from sim.experiment.executors import make_executor
    from sim.experiment.locks import FolderLock, lock_beside
    from sim.experiment.validation import (
        FIGURE_NAME,
        check_docs_out,
        check_validation_out,
        plan_validation,
        write_docs,
        write_validation,
    )
    from sim.viz.validation import write_validation_figure

    with user_errors():
        executor = make_executor(workers, scheduler)
        plan = plan_validation(scenario, facts, overrides=set_, replicates=replicates, seed=seed)
        folder = out if out is not None else _default_out(plan)
        check_validation_out(folder, force)
        if docs is not None:
            check_docs_out(docs)
        console.print(
            f"validation of {plan.scenario.name} against {plan.facts.name}: "
            f"{len(plan.facts.facts)} facts; {plan.replicates} replicates of the model and of "
            f"the null model = {2 * plan.replicates} runs of {plan.years} years; on "
            f"{where_runs(workers, scheduler)} → {folder}", highlight=False)
        with FolderLock(lock_beside(folder), folder, "validation") as lock:
            if lock.took_over:
                say(lock.took_over)
            result = _run(plan, executor)
            write_validation(result, folder, force=force,
                             figures=lambda staged: write_validation_figure(result, staged))
            if docs is not None:  # the figure drawn once, into the folder, and copied
                figure = folder / FIGURE_NAME
                write_docs(result, docs, lambda path: shutil.copyfile(figure, path))
    _print_table(result)
    wrote = f" and {docs}" if docs is not None else ""
    console.print(f"wrote {folder}{wrote}", highlight=False)


def _run(plan, executor):  # noqa: ANN001, ANN202 - Validation, Executor
    """Run the validation with a progress bar (``run_with_bar``: Ctrl-C 130, failure 1)."""
    from sim.experiment.validation import run_validation

    return run_with_bar("validation",
                        lambda progress: run_validation(plan, executor, progress=progress))


def _print_table(result) -> None:  # noqa: ANN001 - ValidationResult
    """Print each fact: observed ± tolerance, model and null model with intervals, the score."""
    from sim.experiment.validation import summary

    t = result.table

    def interval(name: str) -> list[str]:
        return [f"{m:.3f} [{lo:.3f}, {hi:.3f}]" if m == m else "—"
                for m, lo, hi in zip(t[f"{name}_mean"], t[f"{name}_lo"], t[f"{name}_hi"])]

    def mark(values, comparable) -> list[str]:  # noqa: ANN001
        return [("yes" if v else "no") if c else "n/c" for v, c in zip(values, comparable)]

    frame = t.assign(
        observed=[f"{o:.3f} ± {tol:.3f}" for o, tol in zip(t["observed"], t["tolerance"])],
        model=interval("model"), null=interval("null"),
        model_ok=mark(t["model_within"], t["comparable"]),
        null_ok=mark(t["null_within"], t["comparable"]),
    )[["fact", "year", "observed", "model", "model_ok", "null", "null_ok"]]
    _print_frame(frame, title=f"validation: mean [95% interval] over {result.plan.replicates} "
                 "replicates; within tolerance (n/c: not comparable)")
    c = summary(t)
    console.print(
        f"model within tolerance on {c['model_within']} of {c['comparable']} comparable facts, "
        f"null model on {c['null_within']}; model closer on {c['model_closer']}, null on "
        f"{c['null_closer']} ({result.runs} runs, {result.seconds:.0f} s)", highlight=False)
