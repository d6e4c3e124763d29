"""Benchmarks: a seeded corpus generator (`corpus`) and a runner (`run`) that writes BENCHMARKS.md.

    python -m benchmarks.run --claims 1000,10000,20000 --runs 3 --out BENCHMARKS.md
    python -m benchmarks.corpus --claims 1000 --out benchmarks/out/c1000
"""
