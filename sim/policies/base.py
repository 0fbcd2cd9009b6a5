"""The policy interface: a scenario block plus yearly hooks.

A policy acts on the model only through ``sim.state`` tables and ``sim.behaviour`` functions,
logs an event for every action (``model.log_event``) and never reaches into another policy:
what one needs from another the owner publishes in ``model.effects``
(``sim.state.PolicyEffects``), and helpers several policies use live in
``sim.policies.common``.
"""

from __future__ import annotations

from typing import ClassVar

from sim.behaviour.schools import ClassStructure
from sim.scenario.schema_base import PolicyBlock


class Policy:
    """Base class. Subclasses set ``name`` (the key under ``[policies]``) and override hooks.

    ``on_year_start`` runs in the calendar phase (scheduled actions take effect);
    ``on_year_end`` runs in the policy-review phase (decisions for next year). The model
    runs the hooks of the policies in the order of ``PoliciesConfig``'s fields.

    Parameters
    ----------
    config : PolicyBlock
        The policy's scenario block.
    model : EducationModel
        The model being built.
    """

    name: ClassVar[str] = ""

    def __init__(self, config: PolicyBlock, model) -> None:
        self.config = config

    def in_force(self, year: int) -> bool:
        """Tell whether ``year`` lies within the block's ``start_year``..``end_year``.

        Either may be unset. The one test of a policy's years: never overridden.
        """
        c = self.config
        return ((c.start_year is None or year >= c.start_year)
                and (c.end_year is None or year <= c.end_year))

    def acts_in(self, year: int) -> bool:
        """Tell whether the model runs this policy's hooks in ``year``: while in force.

        A policy that must also act outside its years (to withdraw what it set up, or to
        publish that it is off) overrides this and says why.
        """
        return self.in_force(year)

    def on_year_start(self, model, classes: ClassStructure) -> None:
        """Calendar phase hook (default: nothing). ``classes``: last year's classes."""

    def on_year_end(self, model, classes: ClassStructure) -> None:
        """Policy-review phase hook (default: nothing). ``classes``: this year's classes."""


REGISTRY: dict[str, type[Policy]] = {}


def register(cls: type[Policy]) -> type[Policy]:
    """Class decorator: make a policy buildable from its ``[policies.<name>]`` block."""
    REGISTRY[cls.name] = cls
    return cls


def build_policies(model) -> list[Policy]:
    """Instantiate the policies configured in the scenario, in the order of the schema's fields.

    Parameters
    ----------
    model : EducationModel
        The model being built (``model.scenario.policies`` lists the blocks).

    Returns
    -------
    list of Policy
        One per configured block, in ``PoliciesConfig`` order (consolidation, boarding,
        busing, teachers, admission, capacity, quality, buildings).
    """
    config = model.scenario.policies
    built = []
    for name in type(config).model_fields:
        block = getattr(config, name)
        if block is not None:
            built.append(REGISTRY[name](block, model))
    return built
