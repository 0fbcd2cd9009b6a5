"""The policy interface: a scenario block plus yearly hooks.

A policy acts on the model only through ``sim.state`` tables and ``sim.behaviour`` functions,
logs an event for every action (``model.log_event``) and never reaches into another policy.
"""

from __future__ import annotations

from typing import ClassVar

from sim.scenario.policy_schema import PolicyBlock


class Policy:
    """Base class. Subclasses set ``name`` (the key under ``[policies]``) and override hooks.

    ``on_year_start`` runs in the calendar phase (scheduled actions take effect);
    ``on_year_end`` runs in the policy-review phase (decisions for next year).
    """

    name: ClassVar[str] = ""

    def __init__(self, config: PolicyBlock, model) -> None:
        self.config = config

    def active(self, year: int) -> bool:
        """Whether the policy is in force in ``year``."""
        c = self.config
        return (c.start_year is None or year >= c.start_year) and (c.end_year is None or year <= c.end_year)

    def on_year_start(self, model) -> None:
        """Calendar phase hook (default: nothing)."""

    def on_year_end(self, model) -> None:
        """Policy-review phase hook (default: nothing)."""


REGISTRY: dict[str, type[Policy]] = {}


def register(cls: type[Policy]) -> type[Policy]:
    """Class decorator: make a policy buildable from its ``[policies.<name>]`` block."""
    REGISTRY[cls.name] = cls
    return cls


def build_policies(model) -> list[Policy]:
    """Instantiate the policies configured in the scenario, in the order of the schema's fields."""
    config = model.scenario.policies
    built = []
    for name in type(config).model_fields:
        block = getattr(config, name)
        if block is not None:
            built.append(REGISTRY[name](block, model))
    return built
