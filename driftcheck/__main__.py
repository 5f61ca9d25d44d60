"""``python -m driftcheck`` runs the CLI."""

import gc

gc.set_threshold(100_000, 50, 100)  # before the heavy imports too; see driftcheck.cli

from driftcheck.cli import main  # noqa: E402

main()
