"""Time loading the content catalogue against merely reading the same files' bytes.

    .venv/bin/python bench/content_load.py [ROOT] [--repeat N] [--json FILE]

ROOT defaults to content/modules (or the test fixtures when that folder holds no modules). For every
module it reports the best-of-N time of load_module (parse + validate + render + sanitise) and of reading
the module's files, and their ratio; then the same for load_catalog over the whole folder.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from elearning.content import load_catalog  # noqa: E402
from elearning.content.load import build_module  # noqa: E402

DEFAULT_ROOT = REPO / "content" / "modules"
FALLBACK_ROOT = REPO / "tests" / "content" / "fixtures" / "valid"


def _module_dirs(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and not p.name.startswith("."))


def _best(fn: Callable[[], object], repeat: int) -> float:
    """Best wall time in seconds over `repeat` runs (the least disturbed by the machine)."""
    times: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _read_all(files: list[Path]) -> int:
    return sum(len(p.read_bytes()) for p in files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", nargs="?", type=Path, help="folder of modules (default: content/modules)")
    parser.add_argument("--repeat", type=int, default=7, help="runs per measurement; the best is kept")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    args = parser.parse_args(argv)

    root: Path = args.root or DEFAULT_ROOT
    if args.root is None and not _module_dirs(root):
        print(f"{root} holds no modules; using {FALLBACK_ROOT.relative_to(REPO)}")
        root = FALLBACK_ROOT
    modules = _module_dirs(root)
    if not modules:
        print(f"no modules under {root}", file=sys.stderr)
        return 1

    print(f"content root: {root}  (best of {args.repeat} runs)")
    header = f"{'module':<28} {'files':>5} {'KiB':>7} {'load ms':>9} {'read ms':>9} {'ratio':>7}  status"
    print(header)
    print("-" * len(header))
    ratios: list[float] = []
    rows: list[dict[str, object]] = []
    for module_dir in modules:
        files = _files(module_dir)
        size = _read_all(files)
        load = _best(partial(build_module, module_dir, root), args.repeat)
        read = _best(partial(_read_all, files), args.repeat)
        _module, problems = build_module(module_dir, root)
        errors = sum(1 for p in problems if p.severity == "error")
        status = "ok" if not errors else f"{errors} error(s): left out of the catalogue"
        ratio = load / read if read else float("inf")
        ratios.append(ratio)
        rows.append({"module": module_dir.name, "files": len(files), "load_ms": load * 1000, "read_ms": read * 1000})
        print(
            f"{module_dir.name:<28} {len(files):>5} {size / 1024:>7.1f} {load * 1000:>9.2f} "
            f"{read * 1000:>9.3f} {ratio:>6.0f}x  {status}"
        )

    all_files = [f for d in modules for f in _files(d)]
    load = _best(lambda: load_catalog(root), args.repeat)
    read = _best(lambda: _read_all(all_files), args.repeat)
    catalog = load_catalog(root)
    print("-" * len(header))
    print(
        f"{'load_catalog (all)':<28} {len(all_files):>5} {_read_all(all_files) / 1024:>7.1f} "
        f"{load * 1000:>9.2f} {read * 1000:>9.3f} {load / read if read else float('inf'):>6.0f}x  "
        f"{len(catalog.modules)} module(s) kept, {len(catalog.problems)} problem(s)"
    )
    print(
        f"per module: {load * 1000 / len(modules):.2f} ms on average; median load/read ratio "
        f"{statistics.median(ratios):.0f}x"
    )
    if args.json:
        report = {
            "root": str(root),
            "repeat": args.repeat,
            "cores": os.cpu_count(),
            "modules": rows,
            "catalog": {"files": len(all_files), "load_ms": load * 1000, "read_ms": read * 1000},
            "kept": len(catalog.modules),
            "problems": len(catalog.problems),
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
