"""The non-browser test suite on SQLite, old commit against this checkout, side by side.

    /work/venv/bin/python bench/test_suite_speed.py                 # base = merge-base with main, 1 round
    /work/venv/bin/python bench/test_suite_speed.py --rounds 2      # base, new, base, new
    /work/venv/bin/python bench/test_suite_speed.py --base db7adb5 --base-tree /work/iso-base

The old commit is checked out in a detached git worktree (``--base-tree``, made
when missing; an existing one is moved to ``--base``). Each round runs
``pytest -q -m "not browser" -p no:cacheprovider`` in the base tree and then in
this checkout (DATABASE_URL removed: SQLite), in that order, and records the wall
time, the CPU time of the run (user + sys, less sensitive to other load on a
shared machine) and the pytest summary line. At the end it prints every run, the mean per
side and the ratio base / new. Nothing is asserted; the exit status is 1 when a
run failed."""
from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
PYTEST = [sys.executable, "-m", "pytest", "-q", "-m", "not browser", "-p", "no:cacheprovider"]


def git(*args: str, cwd: Path = HERE) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def prepare_base(commit: str, tree: Path) -> None:
    if not (tree / ".git").exists():
        git("worktree", "add", "--detach", str(tree), commit)
    elif git("rev-parse", "HEAD", cwd=tree) != git("rev-parse", commit):
        git("checkout", "--detach", commit, cwd=tree)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_suite(tree: Path) -> tuple[float, float, str, int]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(PYTEST, cwd=tree, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    cpu = _children_cpu() - cpu
    summary = [line for line in proc.stdout.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    return wall, cpu, (summary[-1].strip("= ") if summary else proc.stdout[-500:]), proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="the old commit (default: merge-base of HEAD and main)")
    parser.add_argument("--base-tree", default="/work/iso-base", type=Path)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    base = args.base or git("merge-base", "HEAD", "main")
    prepare_base(base, args.base_tree)
    sides = {"base": args.base_tree, "new": HERE}
    print(f"base: {git('rev-parse', '--short', 'HEAD', cwd=args.base_tree)} in {args.base_tree}")
    print(f"new:  {git('rev-parse', '--short', 'HEAD')} in {HERE} (uncommitted changes included)", flush=True)
    times: dict[str, list[float]] = {"base": [], "new": []}
    cpus: dict[str, list[float]] = {"base": [], "new": []}
    failed = False
    for n in range(1, args.rounds + 1):
        for side, tree in sides.items():
            wall, cpu, summary, code = run_suite(tree)
            times[side].append(wall)
            cpus[side].append(cpu)
            failed |= code != 0
            print(f"round {n} {side:4s} wall {wall:7.1f} s  cpu {cpu:7.1f} s  exit {code}  {summary}", flush=True)
    base_mean, new_mean = statistics.mean(times["base"]), statistics.mean(times["new"])
    print(f"\nmean base {base_mean:.1f} s, new {new_mean:.1f} s: the new suite is {base_mean / new_mean:.2f}x "
          f"as fast ({100 * (1 - new_mean / base_mean):.0f} % less wall time)")
    base_cpu, new_cpu = statistics.mean(cpus["base"]), statistics.mean(cpus["new"])
    print(f"mean CPU time (user + sys, less sensitive to other load) base {base_cpu:.1f} s, new {new_cpu:.1f} s: "
          f"{base_cpu / new_cpu:.2f}x")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
