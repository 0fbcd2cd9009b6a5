"""``python -m sim.cli``: the ``edusim`` command line."""

from sim.cli import main

main()
