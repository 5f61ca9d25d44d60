"""``python -m driftcheck`` runs the CLI."""

from driftcheck.cli import main

main()
