"""The benchmark runner: how close a scan comes to the cost of reading the exports.

``python bench/run.py --jobs 100000`` generates (or reuses, under ``bench/data/``) a synthetic
business of that many jobs (:mod:`bench.generate`) and, in rounds on the same files, times:

``help``       ``python -m driftcheck --help`` (wall; at least 5 runs);
``floor``      ``pyarrow.csv.read_csv`` of every export, summed: the unavoidable cost;
``stages``     an in-process scan split into its stages (:mod:`bench.stages`, own process per run);
``cli``        ``python -m driftcheck scan DIR --format json --no-history --fail-on never`` as a
               process: wall time and peak RSS (``/usr/bin/time -v``, else ``getrusage``);
``datacompy``  the peer: datacompy comparing the two largest sources on their key
               (:mod:`bench.peer_datacompy`, in ``bench/.venv-datacompy``, created on first use).

Each part that fails (the readers or the linker not merged yet, a missing tool) is recorded
with its error and the other parts go on. Results of every size are kept in
``bench/results.json`` and ``bench/RESULTS.md`` is rewritten from all of them: machine facts,
a table per size (medians of the runs, with the spread), ratios, scale notes and the commands.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))

from bench.generate import FILES, GENERATOR, generate  # noqa: E402

DATA = BENCH / "data"
RESULTS_JSON = BENCH / "results.json"
VENV_DATACOMPY = BENCH / ".venv-datacompy"
PARTS = ("help", "floor", "stages", "cli", "datacompy")
#: QuickBooks reports have 4 preamble lines above the header (company, title, period, blank)
_PREAMBLE = {"qbo_invoices": 4, "qbo_payments": 4}
#: seconds one timed process may take (``--timeout``); past it its whole process group is killed
TIMEOUT = 3600.0

# ----------------------------------------------------------------------------- facts


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _version(dist: str, python: Path | None = None) -> str | None:
    """A package's version, in this interpreter or in another one (``python``)."""
    if python is None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(dist)
        except PackageNotFoundError:
            return None
    code = f"from importlib.metadata import version; print(version({dist!r}))"
    r = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    return r.stdout.strip() or None


def machine_facts() -> dict[str, Any]:
    """CPU, cores, memory, OS, Python and package versions, driftcheck's commit."""
    cpu = re.search(r"model name\s*:\s*(.+)", _read("/proc/cpuinfo"))
    mem = re.search(r"MemTotal:\s*(\d+) kB", _read("/proc/meminfo"))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "driftcheck", "connectors", "rules"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu.group(1).strip() if cpu else platform.processor(),
        "cores": os.cpu_count(),
        "memory_gib": round(int(mem.group(1)) / 2**20, 1) if mem else None,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": {d: _version(d) for d in ("pandas", "pyarrow", "numpy", "typer", "rapidfuzz")},
        "datacompy_env": ({d: _version(d, VENV_DATACOMPY / "bin" / "python") for d in ("datacompy", "pandas", "pyarrow")}
                          if (VENV_DATACOMPY / "bin" / "python").exists() else None),
        "driftcheck_commit": commit + ("+local changes" if dirty else ""),
        "date": dt.date.today().isoformat(),
    }


# ----------------------------------------------------------------------------- the business


def business_dir(n_jobs: int, seed: int) -> Path:
    return DATA / f"jobs-{n_jobs}-seed-{seed}"


def ensure_business(n_jobs: int, seed: int, *, regenerate: bool = False) -> tuple[Path, dict[str, Any], bool]:
    """The folder of the business (generated unless a current one is cached), its manifest, whether it was made now."""
    folder = business_dir(n_jobs, seed)
    manifest_path = folder / "manifest.json"
    if not regenerate and manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("generator") == GENERATOR and all((folder / f).is_file() for f in FILES.values()):
            return folder, manifest, False
    if folder.exists():
        shutil.rmtree(folder)
    return folder, generate(n_jobs, folder, seed), True


# ----------------------------------------------------------------------------- measuring


class PartFailed(Exception):
    """A part could not run; the message says why (the tail of the child's stderr)."""


def _tail(text: str, lines: int = 6) -> str:
    kept = [ln for ln in text.strip().splitlines() if ln.strip()]
    return "\n".join(kept[-lines:])


def _env() -> dict[str, str]:
    """The environment of every timed process: driftcheck from this checkout, with bytecode.

    ``pip install`` compiles a package's modules, so an installed driftcheck starts from
    ``.pyc`` files. A sandbox that sets ``PYTHONDONTWRITEBYTECODE`` would instead make every
    timed run compile driftcheck's 15,000 lines afresh (about 0.3 s), a cost no user pays;
    :func:`compile_checkout` writes the bytecode once before the runs.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("COLUMNS", "100")
    return env


def compile_checkout() -> None:
    """Byte-compile driftcheck's packages, as ``pip install`` does (see :func:`_env`)."""
    import compileall

    for pkg in ("driftcheck", "connectors", "rules"):
        compileall.compile_dir(str(ROOT / pkg), quiet=1)


def _timed_process(cmd: Sequence[str], *, stdout_to: Path | None = None, ok_codes: Sequence[int] = (0,)) -> dict[str, Any]:
    """Run a process; return wall seconds, peak RSS (MiB) and its stdout (unless sent to a file).

    Peak RSS comes from GNU time (``/usr/bin/time -v``) when it is installed, else from
    ``getrusage(RUSAGE_CHILDREN)`` (the largest child so far, which is still exact when the
    child measured is the largest one this runner started).
    """
    gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    full = [gnu_time, "-v", *cmd] if gnu_time else list(cmd)
    out = open(stdout_to, "wb") if stdout_to else subprocess.PIPE  # noqa: SIM115 - closed below
    try:
        t = time.perf_counter()
        # A session of its own, so a timeout ends the child and everything it started.
        proc = subprocess.Popen(full, stdout=out, stderr=subprocess.PIPE, cwd=ROOT, env=_env(), start_new_session=True)
        try:
            stdout_bytes, stderr_bytes = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise PartFailed(f"timed out after {TIMEOUT:.0f} s (--timeout)") from None
        wall = time.perf_counter() - t
    finally:
        if stdout_to:
            out.close()  # type: ignore[union-attr]
    stderr = stderr_bytes.decode(errors="replace")
    rss_kib = None
    if gnu_time:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
        rss_kib = int(m.group(1)) if m else None
        stderr = stderr[: stderr.rfind("\tCommand being timed")] if "\tCommand being timed" in stderr else stderr
        stderr = re.sub(r"Command exited with non-zero status \d+\s*$", "", stderr.rstrip())
    else:
        rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in ok_codes:
        raise PartFailed(f"exit {proc.returncode}: {_tail(stderr) or '(no message)'}")
    return {
        "wall": wall,
        "rss_mib": round(rss_kib / 1024, 1) if rss_kib else None,
        "stdout": None if stdout_to else stdout_bytes.decode(errors="replace"),
    }


def time_help() -> dict[str, Any]:
    r = _timed_process([sys.executable, "-m", "driftcheck", "--help"])
    if "scan" not in (r["stdout"] or ""):
        raise PartFailed("driftcheck --help does not list the scan command")
    return {"wall": r["wall"]}


def time_floor(folder: Path) -> dict[str, Any]:
    """pyarrow.csv.read_csv of every export (default options, all threads), summed."""
    import pyarrow.csv as pacsv

    per_file: dict[str, float] = {}
    rows = 0
    for kind, name in FILES.items():
        t = time.perf_counter()
        table = pacsv.read_csv(folder / name, read_options=pacsv.ReadOptions(skip_rows=_PREAMBLE.get(kind, 0)))
        per_file[kind] = time.perf_counter() - t
        rows += table.num_rows
        del table
    return {"wall": sum(per_file.values()), "files": per_file, "rows": rows}


def time_stages(folder: Path) -> dict[str, Any]:
    r = _timed_process([sys.executable, str(BENCH / "stages.py"), str(folder)])
    data = json.loads((r["stdout"] or "").strip().splitlines()[-1])
    data["wall"] = r["wall"]
    return data


def time_cli(folder: Path, report: Path) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "driftcheck", "scan", str(folder), "--format", "json", "--no-history", "--fail-on", "never"]
    r = _timed_process(cmd, stdout_to=report)
    try:
        scan = json.loads(report.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise PartFailed(f"the scan's output is not JSON: {exc}") from None
    summary = scan.get("summary", {})
    return {"wall": r["wall"], "rss_mib": r["rss_mib"], "jobs": summary.get("jobs"),
            "findings": summary.get("findings"), "by_rule": summary.get("by_rule", {})}


def ensure_datacompy_venv() -> Path:
    """``bench/.venv-datacompy`` with datacompy (which pins an older pandas than driftcheck's)."""
    python = VENV_DATACOMPY / "bin" / "python"
    if python.exists() and _version("datacompy", python):
        return python
    print(f"creating {VENV_DATACOMPY.relative_to(ROOT)} (python -m venv; pip install datacompy)", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV_DATACOMPY)], check=True)
    pip = subprocess.run([str(python), "-m", "pip", "install", "-q", "datacompy"], capture_output=True, text=True)
    if pip.returncode != 0:
        raise PartFailed(f"pip install datacompy failed: {_tail(pip.stderr)}")
    return python


def time_datacompy(folder: Path, python: Path) -> dict[str, Any]:
    r = _timed_process([str(python), str(BENCH / "peer_datacompy.py"), str(folder / FILES["jobber_invoices"]),
                        str(folder / FILES["qbo_invoices"])])
    data = json.loads((r["stdout"] or "").strip().splitlines()[-1])
    data["wall"], data["rss_mib"] = r["wall"], r["rss_mib"]
    return data


# ----------------------------------------------------------------------------- one size


def _median_of(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def _summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median, min and max of every number measured, over the runs (nested dicts too)."""
    out: dict[str, Any] = {"runs": len(runs)}
    for key in runs[0]:
        values = [r.get(key) for r in runs]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            out[key] = {"median": statistics.median(values), "min": min(values), "max": max(values)}
        elif all(isinstance(v, dict) for v in values) and key != "by_rule":
            out[key] = {k: statistics.median([v.get(k, 0.0) for v in values]) for k in values[0]}
        else:
            out[key] = values[-1]
    return out


def run_size(
    n_jobs: int,
    *,
    seed: int = 1,
    runs: int = 3,
    help_runs: int = 7,
    parts: Sequence[str] = PARTS,
    regenerate: bool = False,
) -> dict[str, Any]:
    """Measure one business size; every part either yields numbers or an ``error``."""
    t = time.perf_counter()
    folder, manifest, made = ensure_business(n_jobs, seed, regenerate=regenerate)
    print(f"business: {folder.relative_to(ROOT)} ({'generated' if made else 'cached'} in "
          f"{manifest['seconds'] if made else time.perf_counter() - t:.1f} s)", flush=True)
    compile_checkout()
    # Warm the page cache once, so no part pays for the first read from disk.
    for name in FILES.values():
        with open(folder / name, "rb") as fh:
            while fh.read(1 << 24):
                pass

    result: dict[str, Any] = {
        "jobs": n_jobs, "seed": seed, "machine": machine_facts(),
        "business": {"folder": str(folder.relative_to(ROOT)), "generator": manifest["generator"],
                     "generate_seconds": manifest["seconds"], "files": manifest["files"],
                     "rows": sum(f["rows"] for f in manifest["files"].values()),
                     "bytes": sum(f["bytes"] for f in manifest["files"].values()),
                     "planted": manifest["planted"]},
        "parts": {},
    }
    report = DATA / f"scan-{n_jobs}-seed-{seed}.json"
    measures: dict[str, Callable[[], dict[str, Any]]] = {
        "floor": lambda: time_floor(folder),
        "stages": lambda: time_stages(folder),
        "cli": lambda: time_cli(folder, report),
    }
    if "datacompy" in parts:
        try:
            python = ensure_datacompy_venv()
            measures["datacompy"] = lambda: time_datacompy(folder, python)
        except (PartFailed, subprocess.CalledProcessError, OSError) as exc:
            result["parts"]["datacompy"] = {"error": str(exc)}
    if "help" in parts:
        result["parts"]["help"] = _repeat("help", time_help, max(help_runs, 5))

    # Rounds: each round runs every part once, so slow drifts of a noisy machine hit all alike.
    collected: dict[str, list[dict[str, Any]]] = {p: [] for p in measures if p in parts}
    for i in range(runs):
        for part in list(collected):
            try:
                t = time.perf_counter()
                collected[part].append(measures[part]())
                print(f"  round {i + 1}/{runs} {part}: {time.perf_counter() - t:.2f} s", flush=True)
            except (PartFailed, OSError, ValueError) as exc:
                result["parts"][part] = {"error": str(exc)}
                print(f"  {part} FAILED: {exc}", flush=True)
                del collected[part]
    for part, part_runs in collected.items():
        result["parts"][part] = _summarise(part_runs)
    result["ratios"] = _ratios(result["parts"])
    return result


def _repeat(name: str, fn: Callable[[], dict[str, Any]], n: int) -> dict[str, Any]:
    try:
        out = _summarise([fn() for _ in range(n)])
        print(f"  {name}: median {out['wall']['median']:.3f} s over {n} runs", flush=True)
        return out
    except (PartFailed, OSError) as exc:
        print(f"  {name} FAILED: {exc}", flush=True)
        return {"error": str(exc)}


def _med(parts: dict[str, Any], part: str, key: str = "wall") -> float | None:
    p = parts.get(part, {})
    v = p.get(key)
    return v["median"] if isinstance(v, dict) and "median" in v else None


def _ratios(parts: dict[str, Any]) -> dict[str, float | None]:
    scan, floor, peer = _med(parts, "cli"), _med(parts, "floor"), _med(parts, "datacompy")
    inproc = _med(parts, "stages", "total")
    return {
        "scan_over_floor": scan / floor if scan and floor else None,
        "inprocess_scan_over_floor": inproc / floor if inproc and floor else None,
        "scan_over_datacompy": scan / peer if scan and peer else None,
    }


# ----------------------------------------------------------------------------- RESULTS.md


def load_results() -> dict[str, Any]:
    if RESULTS_JSON.is_file():
        return json.loads(RESULTS_JSON.read_text())
    return {"sizes": {}}


def save_results(results: dict[str, Any]) -> None:
    RESULTS_JSON.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


def _s(v: float | None, unit: str = " s", digits: int = 2) -> str:
    return "–" if v is None else f"{v:.{digits}f}{unit}"


def _spread(part: dict[str, Any], key: str = "wall", unit: str = " s", digits: int = 2) -> str:
    v = part.get(key)
    if not isinstance(v, dict) or "median" not in v:
        return "–"
    if part.get("runs", 1) > 1 and v["max"] > v["min"]:
        return f"{v['median']:.{digits}f}{unit} ({v['min']:.{digits}f}–{v['max']:.{digits}f})"
    return f"{v['median']:.{digits}f}{unit}"


def _failed(part: dict[str, Any] | None) -> str | None:
    if part is None:
        return "not run"
    if "error" in part:
        lines = [ln.strip() for ln in part["error"].strip().splitlines() if ln.strip()] or ["failed"]
        where = [re.search(r'File "([^"]+)", line (\d+), in (\S+)', ln) for ln in lines]
        last = [m for m in where if m]
        at = ""
        if last:
            file, lineno, func = last[-1].groups()
            file = os.path.relpath(file, ROOT) if file.startswith(str(ROOT)) else file
            at = f" (in `{func}`, {file}:{lineno})"
        return f"failed: {lines[-1][:160]}{at}"
    return None


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "**not met**")


def _targets(sizes: dict[str, Any]) -> list[str]:
    """The issue's "done when" floors, each with the measured value."""
    def get(n: int) -> dict[str, Any]:
        return sizes.get(str(n), {})

    rows = []
    helps = [_med(s["parts"], "help") for s in sizes.values() if _med(s["parts"], "help") is not None]
    h = statistics.median(helps) if helps else None
    rows.append(("`driftcheck --help` <= 0.3 s", _s(h, digits=3), _verdict(None if h is None else h <= 0.3)))
    s10 = _med(get(10_000).get("parts", {}), "cli")
    rows.append(("10,000-job scan <= 1.5 s wall (with startup)", _s(s10), _verdict(None if s10 is None else s10 <= 1.5)))
    big = get(1_000_000)
    r = big.get("ratios", {})
    so = r.get("scan_over_floor")
    rows.append(("1M jobs: scan <= 5x the pyarrow read", _s(so, "x"), _verdict(None if so is None else so <= 5)))
    sp = r.get("scan_over_datacompy")
    rows.append(("1M jobs: scan faster than datacompy on two sources", _s(sp, "x"), _verdict(None if sp is None else sp < 1)))
    rss = _med(big.get("parts", {}), "cli", "rss_mib")
    rows.append(("1M jobs: peak RSS <= 3 GB", _s(rss / 1024 if rss else None, " GiB"),
                 _verdict(None if rss is None else rss * 2**20 <= 3e9)))
    s100, s1m = _med(get(100_000).get("parts", {}), "cli"), _med(big.get("parts", {}), "cli")
    g = s1m / s100 if s1m and s100 else None
    rows.append(("near-linear growth: time(1M) / time(100k) <= 12", _s(g, "x", 1), _verdict(None if g is None else g <= 12)))
    out = ["| target | measured (median) | verdict |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return out


def _size_section(s: dict[str, Any]) -> list[str]:
    n = s["jobs"]
    b = s["business"]
    p = s["parts"]
    out = [f"### {n:,} jobs", ""]
    out.append(f"Business: `{b['folder']}` (seed {s['seed']}, {b['rows']:,} rows in 5 files, "
               f"{b['bytes'] / 1e6:,.1f} MB; generated in {b['generate_seconds']:.1f} s). Runs: {s['runs']}.")
    out += ["", "| measure | median (min–max) | notes |", "|---|---|---|"]

    def line(label: str, part: str, key: str = "wall", unit: str = " s", note: str = "", digits: int = 2) -> None:
        failed = _failed(p.get(part))
        out.append(f"| {label} | {failed or _spread(p[part], key, unit, digits)} | {note} |")

    line("floor: `pyarrow.csv.read_csv` of the 5 files", "floor", note="sum of the files, default options")
    if "floor" in p and "files" in p["floor"]:
        files = ", ".join(f"{k} {v:.2f}" for k, v in p["floor"]["files"].items())
        out.append(f"| &nbsp;&nbsp;per file | {files} | |")
    line("scan, whole CLI (`--format json`)", "cli", note="process wall, startup included")
    line("scan, peak RSS", "cli", "rss_mib", " MiB", note="`/usr/bin/time -v`", digits=0)
    line("scan in process (stages below)", "stages", "total", note="one fresh process per run")
    st = p.get("stages", {})
    if "stages" in st:
        for k, v in st["stages"].items():
            out.append(f"| &nbsp;&nbsp;{k.replace('_', ' ')} | {v:.2f} s | |")
        if isinstance(st.get("import"), dict):
            out.append(f"| &nbsp;&nbsp;(imports: pandas, pyarrow, driftcheck) | {st['import']['median']:.2f} s | not in the total |")
    line("peer: datacompy, Jobber invoices vs QBO invoice list", "datacompy", note="process wall: import, read, compare, report")
    dc = p.get("datacompy", {})
    if "read" in dc and isinstance(dc["read"], dict):
        out.append(f"| &nbsp;&nbsp;read / compare / report | {dc['read']['median']:.2f} / {dc['compare']['median']:.2f} / "
                   f"{dc['report']['median']:.2f} s | pandas {dc.get('pandas')}, datacompy {dc.get('datacompy')} |")
    line("peer, peak RSS", "datacompy", "rss_mib", " MiB", digits=0)
    r = s.get("ratios", {})
    out.append(f"| **scan / floor** | {_s(r.get('scan_over_floor'), 'x')} | in process: {_s(r.get('inprocess_scan_over_floor'), 'x')} |")
    out.append(f"| **scan / datacompy** | {_s(r.get('scan_over_datacompy'), 'x')} | below 1 = the scan is faster |")
    line("`driftcheck --help`", "help", note="`python -m driftcheck --help`, process wall", digits=3)

    cli = p.get("cli", {})
    if "by_rule" in cli:
        found = cli["by_rule"] or {}
        planted = b["planted"]
        out += ["", "Findings of the last CLI run against what the generator planted:", "",
                "| rule | planted | found |", "|---|---|---|"]
        for rule in sorted(set(planted) | set(found)):
            out.append(f"| {rule} | {planted.get(rule, 0)} | {found.get(rule, 0)} |")
    out.append("")
    return out


def _scale_notes(sizes: dict[str, Any]) -> list[str]:
    measured = sorted((int(k), v) for k, v in sizes.items() if _med(v["parts"], "cli") is not None)
    out = ["## Scale notes", ""]
    if len(measured) < 2:
        out += ["The whole scan has not been measured at two sizes yet, so growth cannot be stated. "
                "Floor (read) figures per size:", ""]
        for n, s in sorted((int(k), v) for k, v in sizes.items()):
            f = _med(s["parts"], "floor")
            out.append(f"- {n:,} jobs: pyarrow read {_s(f)} ({_s(f / n * 1e6 if f else None, ' µs/job', 1)})")
        out.append("")
        return out
    out += ["| jobs | scan wall | µs per job | peak RSS | KiB per job | floor | scan / floor |", "|---|---|---|---|---|---|---|"]
    for n, s in measured:
        w, rss, f = _med(s["parts"], "cli"), _med(s["parts"], "cli", "rss_mib"), _med(s["parts"], "floor")
        out.append(f"| {n:,} | {_s(w)} | {w / n * 1e6:.1f} | {_s(rss, ' MiB', 0)} | "
                   f"{(rss * 1024 / n) if rss else 0:.1f} | {_s(f)} | {_s(s['ratios'].get('scan_over_floor'), 'x')} |")
    out.append("")
    for (n1, s1), (n2, s2) in zip(measured, measured[1:], strict=False):
        w1, w2 = _med(s1["parts"], "cli"), _med(s2["parts"], "cli")
        r1, r2 = _med(s1["parts"], "cli", "rss_mib"), _med(s2["parts"], "cli", "rss_mib")
        out.append(f"- {n1:,} -> {n2:,} jobs ({n2 / n1:.0f}x): time x{w2 / w1:.1f}"
                   + (f", memory x{r2 / r1:.1f}" if r1 and r2 else "") + ".")
    (n1, s1), (n2, s2) = measured[-2], measured[-1]
    r1, r2 = _med(s1["parts"], "cli", "rss_mib"), _med(s2["parts"], "cli", "rss_mib")
    w1, w2 = _med(s1["parts"], "cli"), _med(s2["parts"], "cli")
    if r1 and r2 and r2 > r1:
        slope = (r2 - r1) / (n2 - n1)  # MiB per job, from the two largest sizes
        budget = 0.8 * 24 * 1024  # leave a fifth of 24 GiB to the OS and page cache
        max_jobs = (budget - (r2 - slope * n2)) / slope
        t_max = w2 + (w2 - w1) / (n2 - n1) * (max_jobs - n2)
        out += ["", f"**Largest business on a 2-core, 24 GB machine**: about {max_jobs / 1e6:.1f} million jobs "
                f"(peak RSS extrapolated linearly from the two largest sizes, {slope * 1024 * 1e3:.0f} KiB per 1,000 jobs, "
                f"kept under 80% of 24 GiB), scanning in about {t_max / 60:.0f} min."]
    out += [
        "",
        "**Past that**, a user should:",
        "",
        "- scan per location or region (one folder of exports each, one `driftcheck scan` each): franchises "
        "rarely share jobs across locations, and each scan stays in its own memory;",
        "- export only live history: open deals, jobs created in the last one to two years, and invoices that "
        "are recent or still open. Jobs closed and paid long ago rarely yield a finding anyone acts on;",
        "- or give the scan a machine with more memory, sized from the memory growth above.",
        "",
    ]
    return out


def render_results(results: dict[str, Any]) -> str:
    sizes = results["sizes"]
    latest = max(sizes.values(), key=lambda s: s["machine"]["date"]) if sizes else None
    out = ["# driftcheck benchmark results", "",
           "Generated by `bench/run.py` (do not edit by hand: re-run it). Synthetic businesses from "
           "`bench/generate.py`: HubSpot deals, QuickBooks Online invoice list and payments, Jobber jobs and "
           "invoices, in the vendors' export layouts, with a few percent of planted drift. Every figure is the "
           "median of the runs (min–max in brackets): these machines are noisy, so read medians and ratios.", ""]
    if latest:
        m = latest["machine"]
        pk = ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v)
        dc = m.get("datacompy_env") or {}
        out += ["## Machine", "",
                f"- CPU: {m['cpu']}, {m['cores']} cores; memory {m['memory_gib']} GiB; {m['os']}",
                f"- Python {m['python']}; {pk}",
                f"- peer venv (`bench/.venv-datacompy`): " + (", ".join(f"{k} {v}" for k, v in dc.items()) or "not created"),
                f"- driftcheck at {m['driftcheck_commit']}; measured {m['date']}", ""]
    out += ["## Targets (issue 8)", "", *_targets(sizes), ""]
    out += ["## Results by size", ""]
    for _, s in sorted(sizes.items(), key=lambda kv: int(kv[0])):
        out += _size_section(s)
    out += _scale_notes(sizes)
    out += ["## Reproduce", "", "```sh",
            "# from the repository root, with driftcheck's environment (Python 3.11, pandas, pyarrow)",
            "python bench/generate.py --jobs 100000 --out bench/data/jobs-100000-seed-1   # a business alone",
            "python bench/run.py --jobs 10000",
            "python bench/run.py --jobs 100000",
            "python bench/run.py --jobs 1000000 --runs 3",
            "# parts: --parts help,floor,stages,cli,datacompy   (--skip-datacompy drops the peer)",
            "# the peer runs in bench/.venv-datacompy (python -m venv + pip install datacompy), made on first use",
            "```", "",
            "The business is cached under `bench/data/` (git-ignored) and rebuilt when the generator changes; "
            "`--regenerate` forces it. Raw numbers of every size: `bench/results.json`.", ""]
    return "\n".join(out)


# ----------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    global TIMEOUT  # --timeout sets it for every timed process
    ap = argparse.ArgumentParser(description="Benchmark driftcheck scan against reading the exports and against datacompy.")
    ap.add_argument("--jobs", type=int, nargs="+", help="business size(s) in jobs, e.g. 10000 100000")
    ap.add_argument("--runs", type=int, default=3, help="runs of each timed part (median reported; default 3)")
    ap.add_argument("--help-runs", type=int, default=7, help="runs of driftcheck --help (at least 5)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated subset of {','.join(PARTS)}")
    ap.add_argument("--skip-datacompy", action="store_true", help="do not run the datacompy peer")
    ap.add_argument("--regenerate", action="store_true", help="rebuild the business even if a cached one exists")
    ap.add_argument("--out", type=Path, default=BENCH / "RESULTS.md", help="the Markdown report (default bench/RESULTS.md)")
    ap.add_argument("--render", action="store_true", help="only rewrite the report from bench/results.json")
    ap.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds one timed process may run (default 3600)")
    args = ap.parse_args(argv)
    TIMEOUT = args.timeout
    if args.render:
        args.out.write_text(render_results(load_results()), encoding="utf-8")
        print(f"wrote {args.out}")
        return 0
    if not args.jobs:
        ap.error("--jobs is required (or --render)")
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        ap.error(f"unknown part {unknown[0]!r}; parts: {', '.join(PARTS)}")
    if args.skip_datacompy and "datacompy" in parts:
        parts.remove("datacompy")
    if args.runs < 1:
        ap.error("--runs must be at least 1")

    results = load_results()
    for n in args.jobs:
        print(f"== {n:,} jobs", flush=True)
        size = run_size(n, seed=args.seed, runs=args.runs, help_runs=args.help_runs, parts=parts, regenerate=args.regenerate)
        size["runs"] = args.runs
        previous = results["sizes"].get(str(n), {}).get("parts", {})
        # Parts not run this time keep their last measurement.
        for part, value in previous.items():
            size["parts"].setdefault(part, value)
        size["ratios"] = _ratios(size["parts"])
        results["sizes"][str(n)] = size
        save_results(results)
    args.out.write_text(render_results(results), encoding="utf-8")
    print(f"wrote {args.out} and {RESULTS_JSON.relative_to(ROOT)}", flush=True)
    failed = [f"{n}:{p}" for n in args.jobs for p, v in results["sizes"][str(n)]["parts"].items() if "error" in v]
    if failed:
        print("parts that failed (see the report): " + ", ".join(failed), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
