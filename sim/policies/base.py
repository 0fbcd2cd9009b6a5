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

    Policies that end when they end: a subclass overrides :meth:`year_start`,
    :meth:`year_end` (run while in force) and :meth:`withdraw` (run once, in the calendar
    phase of the first year after ``end_year``, if the policy was in force before: it puts
    back every effect the policy set, so that the years after the end run as if the policy
    had never been). The default hooks dispatch to them. A policy that must act in other
    years too overrides ``acts_in`` and the hooks themselves, and says why.

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
        self.acted = False  # in force in some year of this run (so there is something to undo)

    def in_force(self, year: int) -> bool:
        """Tell whether ``year`` lies within the block's ``start_year``..``end_year``.

        Either may be unset. The one test of a policy's years: never overridden.
        """
        c = self.config
        return ((c.start_year is None or year >= c.start_year)
                and (c.end_year is None or year <= c.end_year))

    def withdraws_in(self, year: int) -> bool:
        """Tell whether ``year`` is the first year after ``end_year`` (the withdrawal year)."""
        end = self.config.end_year
        return end is not None and year == end + 1

    def acts_in(self, year: int) -> bool:
        """Tell whether the model runs this policy's hooks in ``year``.

        While in force, and in the withdrawal year (:meth:`withdraws_in`) of a policy that
        overrides :meth:`withdraw`. A policy that must also act in other years outside its
        years (to publish that it is off) overrides this and says why.
        """
        withdraws = type(self).withdraw is not Policy.withdraw
        return self.in_force(year) or (withdraws and self.withdraws_in(year))

    def on_year_start(self, model, classes: ClassStructure) -> None:
        """Calendar phase hook: :meth:`year_start` in force, :meth:`withdraw` once after.

        ``classes``: last year's classes.
        """
        if self.in_force(model.year):
            self.acted = True
            self.year_start(model, classes)
        elif self.acted and self.withdraws_in(model.year):
            self.withdraw(model)
            model.log_event("policy_withdrawn", -1,
                            f"policies.{self.name} ended in {self.config.end_year}: its "
                            "effects are withdrawn")

    def on_year_end(self, model, classes: ClassStructure) -> None:
        """Policy-review phase hook: :meth:`year_end` while in force.

        ``classes``: this year's classes.
        """
        if self.in_force(model.year):
            self.year_end(model, classes)

    def year_start(self, model, classes: ClassStructure) -> None:
        """Calendar phase while in force (default: nothing). ``classes``: last year's."""

    def year_end(self, model, classes: ClassStructure) -> None:
        """Policy review while in force (default: nothing). ``classes``: this year's."""

    def withdraw(self, model) -> None:
        """Put back every effect the policy set (default: nothing to put back).

        Runs once, in the calendar phase of the first year after ``end_year``, before the
        year's other hooks of this policy (there are none: it is out of force).
        """


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
