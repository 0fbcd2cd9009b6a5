"""The yearly phases: vectorised functions over the tables, driven by ``model.rng``.

Demography, migration, placement, choice (with deferred acceptance), school layout and routing,
classes and quality, teachers. Nothing here imports ``sim.agents`` or ``sim.policies``.
"""
