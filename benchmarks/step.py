"""The generator step of `python -m generator build`, alone: validate + model + render into a docs folder.

    python -m benchmarks.step --content PATH --docs-dir PATH

Runs in its own process (the runner starts one per measurement, so "cold"
means a new interpreter) and prints one JSON line of phase timings.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    t0 = time.perf_counter()
    parser = argparse.ArgumentParser(prog="python -m benchmarks.step")
    parser.add_argument("--content", type=Path, required=True)
    parser.add_argument("--docs-dir", type=Path, required=True)
    args = parser.parse_args(argv)

    from generator.diagnostics import has_errors
    from generator.incremental import check_and_render
    from generator.settings import load_settings

    t1, c1 = time.perf_counter(), time.process_time()
    checked, stats = check_and_render(args.content, load_settings(), args.docs_dir, args.docs_dir.parent / "cache")
    t2, c2 = time.perf_counter(), time.process_time()
    if has_errors(checked.diagnostics):
        print(json.dumps({"error": "content has errors",
                          "first": [f"{d.path}:{d.line}: {d.code}: {d.message}" for d in checked.diagnostics[:5]]}))
        return 1
    t3, c3 = time.perf_counter(), time.process_time()
    print(json.dumps({
        "imports_s": t1 - t0, "step_s": t2 - t1, "total_s": t3 - t0,
        "cpu_step_s": c2 - c1,
        "warnings": len(checked.diagnostics),
        "written": stats.written, "unchanged": stats.unchanged, "deleted": stats.deleted,
        "cpu_s": sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
                     for f in ("ru_utime", "ru_stime")),
        "maxrss_kb": max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                         resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
