"""Run every benchmark module of this package (each bench/*.py that defines run()), in name order.

`python -m bench` runs them all; `python -m bench close_quarter` runs the named ones. Each module's
RESULTS dict (its figures, with the machine's load) is written to bench/results.json (not in git),
and the run ends with one summary table of every target.
"""
from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    names = sorted(info.name for info in pkgutil.iter_modules([str(Path(__file__).parent)])
                   if not info.name.startswith("_"))
    wanted = argv or names
    unknown = sorted(set(wanted) - set(names))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(names)}", file=sys.stderr)
        return 2
    failed = 0
    results: dict = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
    verdicts = []
    for name in wanted:
        module = importlib.import_module(f"bench.{name}")
        if not callable(getattr(module, "run", None)):
            continue
        print(f"== bench.{name} ==", flush=True)
        started = time.perf_counter()
        passed = module.run() is not False
        failed += not passed
        verdicts.append((name, passed, time.perf_counter() - started))
        results[name] = getattr(module, "RESULTS", {})
        (Path(__file__).parent / "results.json").write_text(json.dumps(results, indent=1, default=str, sort_keys=True))
        print(flush=True)
    results["verdicts"] = {n: {"pass": p, "seconds": s} for n, p, s in verdicts}
    out = Path(__file__).parent / "results.json"
    out.write_text(json.dumps(results, indent=1, default=str, sort_keys=True))
    print("== summary ==")
    for name, passed, seconds in verdicts:
        print(f"  bench.{name:<16} {'PASS' if passed else 'FAIL':<5} {seconds:>7.0f} s")
    print(f"figures in {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
