"""The README shows real output: every line it quotes from the demo scan is what the scan prints."""

from __future__ import annotations

from typer.testing import CliRunner

from driftcheck.cli import app


def quoted_block(readme: str, heading: str) -> list[str]:
    start = readme.index("```\n", readme.index(heading)) + 4
    end = readme.index("```", start)
    return [line for line in readme[start:end].splitlines() if line.strip() and line.strip() != "..."]


def test_readme_first_command_output_is_real(repo_root, tmp_path, monkeypatch):
    # the README's command, from the repository root, as a first run (empty history)
    monkeypatch.chdir(repo_root)
    result = CliRunner().invoke(app, ["scan", "sample_exports/", "--history", str(tmp_path / "h.sqlite")])
    assert result.exit_code == 0
    actual = result.stdout.splitlines()
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    quoted = quoted_block(readme, "## What the first command prints")
    assert len(quoted) > 20
    missing = [line for line in quoted if line not in actual]
    assert missing == [], "README lines the scan does not print"
