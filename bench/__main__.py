"""Discover and run every bench/*.py module that has a run() function."""
from __future__ import annotations

import importlib
import pkgutil
import sys

import bench


def main(argv: list[str]) -> int:
    wanted = set(argv)
    for info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or (wanted and info.name not in wanted):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if callable(getattr(module, "run", None)):
            print(f"== bench.{info.name} ==", flush=True)
            module.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
