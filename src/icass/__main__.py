"""`python -m icass` runs the `icass` command."""

from icass.cli import main

main()
