"""The app's levers: which scenario key each slider sets, its range and its label.

Everything here is a pure function of lever values and a scenario: :func:`lever_overrides`
turns the levers into dotted scenario keys (the slider → scenario mapping),
:func:`scenario_with_levers` applies them, :func:`command_line` writes the ``edusim run``
command that gives the same scenario, and :func:`lever_label` names a lever at its value in
either language.
"""

from __future__ import annotations

import copy
import shlex
from dataclasses import dataclass
from typing import Any, Iterable, Literal, Mapping

from sim.scenario import Scenario, validate
from sim.scenario.keys import has_key, set_dotted, toml_value
from sim.viz.i18n import t

#: Scenario key prefix of the consolidation rule's size thresholds (pupils).
MIN_PUPILS = "policies.consolidation.rule.min_pupils"
#: Tiers whose schools get the beds of the ``beds`` lever.
BED_TIERS = ["township"]
#: Other measures of a teachers policy block that the subsidy lever creates: off.
SUBSIDY_ONLY: dict[str, Any] = {"reallocation": False, "rotation_share": 0.0}
#: Births-trend lever: the slider shows percent per year, the scenario holds a fraction.
PERCENT = 100.0


@dataclass(frozen=True)
class Lever:
    """One slider (or switch) of the app.

    Parameters
    ----------
    key : str
        Name of the lever in the levers dict.
    path : str
        Dotted scenario key the lever sets (checked against this version's schema).
    label : str
        i18n key of the lever's label.
    kind : {"int", "float", "bool"}
        ``"int"``, ``"float"`` or ``"bool"`` (a switch).
    min, max, step : float
        The slider's range and step, in slider units (the scenario's units times ``scale``).
    scale : float, default 1.0
        Slider value per scenario value (percent for the birth trend, else 1).
    """

    key: str
    path: str
    label: str
    kind: Literal["int", "float", "bool"]
    min: float = 0
    max: float = 1
    step: float = 1
    scale: float = 1.0


LEVERS: tuple[Lever, ...] = (
    Lever("closure", f"{MIN_PUPILS}.primary", "lever_closure", "int", 0, 200, 10),
    Lever("beds", "policies.boarding.expansion", "lever_beds", "int", 0, 300, 25),
    Lever("min_grade", "boarding.min_grade", "lever_min_grade", "int", 1, 9, 1),
    Lever("buses", "policies.busing", "lever_buses", "bool"),
    Lever(
        "subsidy",
        "policies.teachers.rural_subsidy_yuan_per_month",
        "lever_subsidy",
        "int",
        0,
        1000,
        100,
    ),
    Lever("town_pull", "migration.town_constant", "lever_town_pull", "float", -6.0, 0.0, 0.5),
    Lever(
        "births",
        "demography.births_trend_per_year",
        "lever_births",
        "float",
        -5.0,
        3.0,
        0.5,
        scale=PERCENT,
    ),
)
LEVER_BY_KEY = {lever.key: lever for lever in LEVERS}


def lever_available(key: str) -> bool:
    """Whether this version's scenarios have the key a lever sets (else it is disabled).

    Parameters
    ----------
    key : str
        Lever name (a :attr:`Lever.key`).

    Returns
    -------
    bool
        True when the scenario schema has the lever's :attr:`Lever.path`.

    Raises
    ------
    KeyError
        ``key`` is not a lever.
    """
    return has_key(LEVER_BY_KEY[key].path)


def lever_defaults(base: Scenario) -> dict[str, Any]:
    """The levers as the scenario ``base`` sets them (the app opens with these).

    Parameters
    ----------
    base : Scenario
        The scenario the app starts from.

    Returns
    -------
    dict
        One value per lever: closure threshold (pupils, 0 = no rule), beds added (0), the
        youngest boarding grade, buses (bool), rural subsidy (yuan per month), the county
        town's constant (utility) and the births trend (fraction per year).
    """
    pol = base.policies
    rule = pol.consolidation.rule if pol.consolidation is not None else None
    teachers = getattr(pol, "teachers", None)
    subsidy = getattr(teachers, "rural_subsidy_yuan_per_month", 0) if teachers is not None else 0
    return {
        "closure": int(rule.min_pupils.primary) if rule is not None else 0,
        "beds": 0,
        "min_grade": int(base.boarding.min_grade),
        "buses": pol.busing is not None,
        "subsidy": int(subsidy or 0),
        "town_pull": float(base.migration.town_constant),
        "births": float(base.demography.births_trend_per_year),
    }


def _closure(threshold: int, base: Scenario) -> dict[str, Any]:
    consolidation = base.policies.consolidation
    has_rule = consolidation is not None and consolidation.rule is not None
    if threshold <= 0:
        return {"policies.consolidation.rule": None} if has_rule else {}
    out: dict[str, Any] = {
        f"{MIN_PUPILS}.teaching_point": threshold,
        f"{MIN_PUPILS}.primary": threshold,
    }
    if not has_rule:  # a rule created here leaves junior and nine-year schools alone
        out[f"{MIN_PUPILS}.junior"] = 0
        out[f"{MIN_PUPILS}.nine_year"] = 0
    return out


def _beds(beds: int, base: Scenario) -> dict[str, Any]:
    if beds <= 0:
        return {}
    entry = {"year": base.start_year, "select": {"tiers": list(BED_TIERS)}, "beds": beds}
    boarding = base.policies.boarding
    if boarding is None:  # the slider is then the only source of new beds
        return {"policies.boarding.beds_for_need": False, "policies.boarding.expansion": [entry]}
    return {"policies.boarding.expansion": [e.model_dump() for e in boarding.expansion] + [entry]}


def _min_grade(grade: int, base: Scenario) -> dict[str, Any]:
    out: dict[str, Any] = {"boarding.min_grade": grade}
    boarding = base.policies.boarding
    if boarding is not None and boarding.min_grade is not None:
        out["policies.boarding.min_grade"] = grade
    return out


def _buses(on: bool, base: Scenario) -> dict[str, Any]:
    has_block = base.policies.busing is not None
    if on and not has_block:
        return {"policies.busing": {}}
    if not on and has_block:
        return {"policies.busing": None}
    return {}


def _subsidy(yuan_per_month: int, base: Scenario) -> dict[str, Any]:
    if not lever_available("subsidy"):
        return {}
    has_block = getattr(base.policies, "teachers", None) is not None
    out: dict[str, Any] = {}
    if yuan_per_month > 0 or has_block:
        out["policies.teachers.rural_subsidy_yuan_per_month"] = yuan_per_month
    if yuan_per_month > 0 and not has_block:  # the new block pays the subsidy and nothing else
        for key, value in SUBSIDY_ONLY.items():
            if has_key(f"policies.teachers.{key}"):
                out[f"policies.teachers.{key}"] = value
    return out


def lever_overrides(levers: Mapping[str, Any], base: Scenario) -> dict[str, Any]:
    """The scenario keys (dotted) and values that the levers set on top of ``base``.

    - ``closure`` N > 0: the consolidation rule closes village primaries and teaching points
      under N pupils (``policies.consolidation.rule.min_pupils``; a rule created here leaves
      junior and nine-year schools alone); 0 removes the rule.
    - ``beds`` N > 0: every township school gets N more boarding beds in the first year
      (an entry of ``policies.boarding.expansion``; a boarding policy created here does not
      also build beds for need, so the slider is the only source of new beds).
    - ``min_grade``: ``boarding.min_grade`` (and the boarding policy's own, when it sets one).
    - ``buses``: the ``policies.busing`` block is present (its defaults) or absent.
    - ``subsidy``: ``policies.teachers.rural_subsidy_yuan_per_month``, only where the schema
      has it; a teachers policy created here switches its other measures off
      (:data:`SUBSIDY_ONLY`), so the slider shows the subsidy's own effect.
    - ``town_pull``: ``migration.town_constant``; ``births``: ``demography.births_trend_per_year``.

    Parameters
    ----------
    levers : mapping of str to Any
        Lever values by lever name; a lever left out keeps the scenario's value.
    base : Scenario
        The scenario the levers act on.

    Returns
    -------
    dict
        Dotted scenario key → value, in lever order; None removes a block.
    """
    out: dict[str, Any] = {}
    if "closure" in levers:
        out.update(_closure(int(levers["closure"]), base))
    if "beds" in levers:
        out.update(_beds(int(levers["beds"]), base))
    if "min_grade" in levers:
        out.update(_min_grade(int(levers["min_grade"]), base))
    if "buses" in levers:
        out.update(_buses(bool(levers["buses"]), base))
    if "subsidy" in levers:
        out.update(_subsidy(int(levers["subsidy"]), base))
    if "town_pull" in levers:
        out["migration.town_constant"] = float(levers["town_pull"])
    if "births" in levers:
        out["demography.births_trend_per_year"] = float(levers["births"])
    return out


def scenario_with_levers(base: Scenario, levers: Mapping[str, Any]) -> Scenario:
    """``base`` with the levers applied.

    Parameters
    ----------
    base : Scenario
        The scenario the app starts from.
    levers : mapping of str to Any
        Lever values by lever name (see :func:`lever_overrides`).

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        A lever value the schema refuses.
    """
    data = copy.deepcopy(base.model_dump())
    for key, value in lever_overrides(levers, base).items():
        set_dotted(data, key, value)
    return validate(data)


def command_line(
    scenario_name: str | None, overrides: Iterable[str], levers: Mapping[str, Any], base: Scenario
) -> tuple[str, list[str]]:
    """``edusim run`` with the ``--set`` options that give the same scenario as the levers.

    Parameters
    ----------
    scenario_name : str or None
        Bundled name or file the app was started with (None: ``base.name``).
    overrides : iterable of str
        The app's own ``--set`` strings, repeated first.
    levers : mapping of str to Any
        Lever values; only those that differ from :func:`lever_defaults` add options.
    base : Scenario
        The scenario the app starts from.

    Returns
    -------
    tuple[str, list[str]]
        The shell-quoted command, and the dotted keys of blocks it cannot express (a lever
        that removes a block the scenario has: the user deletes it from the file).
    """
    defaults = lever_defaults(base)
    changed = {k: v for k, v in levers.items() if k in defaults and v != defaults[k]}
    args = ["edusim", "run", scenario_name or base.name]
    removed = []
    sets = list(overrides)
    for key, value in lever_overrides(changed, base).items():
        if value is None:
            removed.append(key)
        else:
            sets.append(f"{key}={toml_value(value)}")
    for item in sets:
        args += ["--set", item]
    return " ".join(shlex.quote(a) for a in args), removed


def lever_label(key: str, value: Any, lang: str) -> str:
    """The label of a lever at a value, the value in the text.

    A slider's thumb shows raw numbers only, so the label carries the value in its units.

    Parameters
    ----------
    key : str
        Lever name.
    value : Any
        The lever's value, in scenario units (the births trend as a fraction per year).
    lang : str
        ``"en"`` or ``"zh"``.

    Returns
    -------
    str
        The label text.

    Raises
    ------
    KeyError
        ``key`` is not a lever.
    """
    if key == "closure":
        if int(value) > 0:
            return t("lever_closure", lang, value=int(value))
        return t("lever_closure_off", lang)
    if key == "births":
        return t("lever_births", lang, value=f"{PERCENT * float(value):+.1f}%")
    if key == "town_pull":
        return t("lever_town_pull", lang, value=f"{float(value):+.1f}")
    if key == "subsidy":
        return t("lever_subsidy", lang, value=f"{int(value):,}")
    return t(LEVER_BY_KEY[key].label, lang, value=value)
