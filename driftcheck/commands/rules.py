"""``driftcheck rules [ID]``: the active rules, or one rule with examples of what it flags."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..cli import cli_errors, state
from ..errors import UsageError

ORDER = 20


def describe_rule(rule, results, fields: list[str] | None = None) -> str:  # noqa: ANN001 - engine.Rule, run_examples output
    """Plain-text page for one rule: what it checks, why, parameters, the ``{fields}`` its message
    may name (:func:`driftcheck.engine.message_fields`), and its examples run live."""
    import textwrap

    from ..engine import KINDS

    lines = [
        f"{rule.id}: {rule.title}",
        f"  severity {rule.severity} · owner {rule.owner} · kind {rule.kind} · fires {rule.threshold_text()}"
        + ("" if rule.enabled else " · DISABLED"),
        "",
        f"  Why: {rule.why}",
        f"  Kind: {KINDS[rule.kind].description}",
    ]
    if rule.params:
        lines.append("  Parameters:")
        for k, v in rule.params.items():
            lines.append(f"    {k} = {v!r}")
    lines.append(f"  Defined in: {rule.pack}")
    if fields:
        lines.append("  Message fields (write {name} in `message`; one not listed reads \"?\"):")
        lines.extend(textwrap.wrap(", ".join(fields), width=96, initial_indent="    ", subsequent_indent="    ",
                                   break_on_hyphens=False))
    for ex, findings in results:
        verdict = "FLAGS" if ex.get("flags") else "ACCEPTS"
        lines.append("")
        lines.append(f"  Example ({verdict}): {ex.get('description', '')}  [as of {ex.get('as_of')}]")
        for rec in ex.get("records", []):
            what = ", ".join(f"{k}={v}" for k, v in rec.items() if k not in ("job",))
            lines.append(f"    - {what}")
        if findings:
            for f in findings:
                lines.append(f"    => {f.message}")
        else:
            lines.append("    => no finding")
        if bool(findings) != bool(ex.get("flags")):
            lines.append("    !! this example does not behave as documented")
    return "\n".join(lines) + "\n"


def register(app: typer.Typer) -> None:
    @app.command("rules", rich_help_panel="Rules")
    @cli_errors
    def rules_cmd(
        ctx: typer.Context,
        rule_id: Annotated[str | None, typer.Argument(metavar="[ID]", help="Show one rule in full, with examples.", show_default=False)] = None,
        extra: Annotated[list[Path] | None, typer.Option("--rules", help="An extra rule pack (TOML); repeatable.", show_default=False)] = None,
    ) -> None:
        """List the active rules, or show one with an example of what it flags and what it accepts.

        Example: driftcheck rules paid-not-scheduled
        """
        from ..config import find_config, load_config
        from ..engine import load_rules, message_fields, run_examples

        cfg = load_config(find_config(state(ctx).config, [Path.cwd()]))
        rules = load_rules(cfg, list(extra or []))
        if rule_id:
            match = [r for r in rules if r.id == rule_id or rule_id in r.aliases]
            if not match:
                raise UsageError(f"no rule {rule_id!r}; run 'driftcheck rules' to list them")
            rule = match[0]
            sys.stdout.write(describe_rule(rule, run_examples(rule, cfg.owners), message_fields(rule, cfg.owners)))
            return
        if sys.stdout.isatty():
            from rich.console import Console
            from rich.table import Table

            t = Table(show_lines=False)
            for c in ("id", "severity", "owner", "fires", "why"):
                t.add_column(c, overflow="fold")
            for r in rules:
                t.add_row(r.id + ("" if r.enabled else " (off)"), r.severity, r.owner, r.threshold_text(), r.why)
            Console().print(t)
        else:
            for r in rules:
                sys.stdout.write(
                    f"{r.id}{'' if r.enabled else ' (disabled)'}\t{r.severity}\t{r.owner}\t{r.threshold_text()}\t{r.why}\n"
                )
