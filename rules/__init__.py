"""Rule packs as data (TOML). See ``checklist.toml`` and :mod:`driftcheck.engine`."""
