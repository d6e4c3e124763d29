"""What `python -m generator build` does before MkDocs, alone: the build key, then validate + render
(`generator.pipeline.prepare`, in a forked process as `build` runs it) into the content's work folder.

    FACTCHECK_CACHE_DIR=PATH python -m benchmarks.step --content PATH

Runs in its own process (the runner starts one per measurement, so "cold" means a new interpreter and,
with an empty FACTCHECK_CACHE_DIR, no validate cache and no Markdown) and prints one JSON line of timings.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    t0 = time.perf_counter()
    parser = argparse.ArgumentParser(prog="python -m benchmarks.step")
    parser.add_argument("--content", type=Path, required=True)
    args = parser.parse_args(argv)

    from generator.diagnostics import has_errors
    from generator.pipeline import BuildOptions, build_key, prepare, work_dir
    from generator.process import in_child
    from generator.settings import load_settings

    settings = load_settings()
    work = work_dir(args.content)
    options = BuildOptions(args.content, Path("unused-site"), work / "docs")
    t1 = time.perf_counter()
    build_key(args.content, settings, options.key_options)
    t2 = time.perf_counter()
    # no drafts, no cards: this step measures validate+render; the share cards are timed in the full builds
    prepared, _ = in_child(prepare, args.content, settings, work / "docs", work / "cache.sqlite", False, False)
    t3 = time.perf_counter()
    if prepared.rendered is None or has_errors(prepared.diagnostics):
        print(json.dumps({"error": "content has errors",
                          "first": [f"{d.path}:{d.line}: {d.code}: {d.message}" for d in prepared.diagnostics[:5]]}))
        return 1
    stats = prepared.rendered.stats
    print(json.dumps({"imports_s": t1 - t0, "key_s": t2 - t1, "prepare_s": t3 - t2, "written": stats.written,
                      "warnings": len(prepared.diagnostics)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
