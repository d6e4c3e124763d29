"""Run the benchmarks and write the results table (BENCHMARKS.md).

    python -m benchmarks.run --claims 1000,10000,20000 --runs 3 --out BENCHMARKS.md
    python -m benchmarks.run --claims 200 --runs 1 --out /tmp/B.md --skip-browser   # CI smoke test

Every measurement runs in a fresh process, as an editor or CI runs it. The
largest size that is at most 10,000 (`--ref`) gets the re-run, full-build,
size and search measurements; every size gets the cold validate+render one.
Each figure is the median of `--runs` runs (`--build-runs` for full builds).
Generated trees, docs and sites go under benchmarks/out/ (git-ignored).

If the output file already exists, only the part between the
`<!-- results:start -->` and `<!-- results:end -->` markers is replaced, so
the hand-written notes around it stay.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from .corpus import generate

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
START, END = "<!-- results:start -->", "<!-- results:end -->"
SEARCH_TERMS = {"ar": "رفح", "en": "Israel"}  # frequent words of the corpus: many hits


# --- measuring processes --------------------------------------------------------------------------------

def _pss_kb(pid: int) -> int | None:
    """Proportional set size: pages shared with a forked worker are counted once over the tree, not twice."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _tree_rss_kb(pid: int) -> int:
    """Memory of a process and all its descendants, from /proc (Linux): PSS where the kernel gives it
    (shared pages split between the processes sharing them), else RSS."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().rsplit(b")", 1)[1].split()
            children.setdefault(int(stat[1]), []).append(int(entry))
            rss[int(entry)] = int(stat[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        pss = _pss_kb(p)
        total += pss if pss is not None else rss.get(p, 0)
        stack.extend(children.get(p, ()))
    return total


class Measured:
    def __init__(self, wall: float, cpu: float, peak_kb: int, stdout: str, stderr: str) -> None:
        self.wall, self.cpu, self.peak_kb, self.stdout, self.stderr = wall, cpu, peak_kb, stdout, stderr


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(cmd: list[str], env: dict | None = None) -> Measured:
    """Run cmd; wall time, CPU time (user + system, the whole process tree: robust when other work shares
    the machine) and peak RSS of the tree (sampled every 50 ms)."""
    cpu0 = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            if os.path.isdir("/proc"):
                peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{(out + err)[-3000:]}")
    return Measured(wall, _children_cpu() - cpu0, peak[0], out, err)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --- the steps ------------------------------------------------------------------------------------------

def corpus(claims: int, seed: int) -> Path:
    root = OUT / f"c{claims}-s{seed}"
    stamp = root / ".generated"
    if not stamp.is_file():
        generate(root, claims, seed)
        stamp.write_text("ok\n")
    return root


def step(content: Path, docs: Path) -> tuple[Measured, dict]:
    m = measure([sys.executable, "-m", "benchmarks.step", "--content", str(content), "--docs-dir", str(docs)])
    return m, json.loads(m.stdout.strip().splitlines()[-1])


def fresh(*paths: Path) -> None:
    for p in paths:
        shutil.rmtree(p, ignore_errors=True)


def edit_one_claim(content: Path, n: int) -> None:
    """Change one claim's Arabic conclusion (a different text each time)."""
    path = content / "claims" / "claim-00001.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    i = lines.index("conclusion:") + 1
    base = re.sub(r" \[\d+\]\"$", '"', lines[i])
    lines[i] = base[:-1] + f' [{n}]"'
    path.write_text("\n".join(lines), encoding="utf-8")


def full_build(content: Path, work: Path, search: bool) -> Measured:
    fresh(work / "site", work / "docs", work / "cache")
    cmd = [sys.executable, "-m", "generator", "build", "--content", str(content), "--site-dir", str(work / "site"),
           "--docs-dir", str(work / "docs")]
    if not search:
        cmd.append("--no-search")
    env = dict(os.environ, FACTCHECK_CACHE_DIR=str(work / "cache"))
    return measure(cmd, env)


def bare_mkdocs(docs: Path, work: Path) -> Measured:
    fresh(work / "bare-site")
    env = dict(os.environ, FACTCHECK_DOCS_DIR=str(docs))
    return measure([sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(ROOT / "mkdocs.yml"),
                    "-d", str(work / "bare-site")], env)


def site_sizes(site: Path) -> dict:
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    claim_pages = [p.stat().st_size for p in list(site.glob("claims/*/index.html")) + list(site.glob("en/claims/*/index.html"))]
    size = lambda rel: (site / rel).stat().st_size if (site / rel).is_file() else None  # noqa: E731
    verdict = sorted(site.glob("verdicts/*/index.html"))
    return {
        "total": total, "files": sum(1 for p in site.rglob("*") if p.is_file()),
        "claim_median": median(claim_pages), "claim_max": max(claim_pages, default=0),
        "home": size("index.html"), "all_claims": size("claims/index.html"), "claims_json": size("claims.json"),
        "verdict_page": size(verdict[0].relative_to(site).as_posix()) if verdict else None,
        "verdict_page_name": verdict[0].parent.name if verdict else "",
        "compare": size("compare/index.html"), "articles": size("articles/index.html"),
        # the largest of all listing pages (every page of every paginated list, both languages)
        "listing_max": max((p.stat().st_size for pattern in ("compare/**/index.html", "articles/index.html",
                                                             "articles/page/*/index.html", "verdicts/**/index.html",
                                                             "tags/**/index.html", "claims/index.html", "index.html")
                            for root in (site, site / "en") for p in root.glob(pattern)), default=0),
        "pagefind": sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file())
        if (site / "pagefind").is_dir() else None,
    }


# Text types a static host such as GitHub Pages sends gzip-compressed; Pagefind's index, fragment,
# metadata and WASM files are gzip streams already and go as they are.
GZIP_TYPES = (".js", ".json", ".css", ".html", ".xml", ".svg")


def _handler(site: Path, gzip_text: bool):
    import gzip
    import http.server
    import io

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(site), **kwargs)

        def log_message(self, *args) -> None:
            pass

        def send_head(self):
            path = Path(self.translate_path(self.path))
            if not (gzip_text and path.suffix in GZIP_TYPES and path.is_file()
                    and "gzip" in self.headers.get("Accept-Encoding", "")):
                return super().send_head()
            body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)

    return Handler


def search_bytes(site: Path) -> dict:
    """Bytes the browser fetches for one query per language: Pagefind's JS API in Chromium, over HTTP,
    counting every /pagefind/ response (script, worker, entry, wasm, metadata, index chunks, first 5
    fragments), headers included: once from a server that sends every file as it is, once from one that
    gzips text files as static hosts do."""
    import socketserver

    from playwright.sync_api import sync_playwright

    out: dict = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        for mode in ("plain", "gzip"):
            with socketserver.ThreadingTCPServer(("127.0.0.1", 0), _handler(site, mode == "gzip")) as httpd:
                threading.Thread(target=httpd.serve_forever, daemon=True).start()
                base = f"http://127.0.0.1:{httpd.server_address[1]}"
                for lang, term in SEARCH_TERMS.items():
                    page = browser.new_page()
                    page.goto(f"{base}/" + ("" if lang == "ar" else "en/"), wait_until="load")
                    sizes: list[int] = []
                    page.on("requestfinished", lambda req: sizes.append(
                        (req.sizes()["responseBodySize"] or 0) + (req.sizes()["responseHeadersSize"] or 0))
                        if "/pagefind/" in req.url else None)
                    found = page.evaluate("""async (term) => {
                        const pf = await import('/pagefind/pagefind.js');
                        const r = await pf.search(term);
                        await Promise.all(r.results.slice(0, 5).map(x => x.data()));
                        return r.results.length; }""", term)
                    page.wait_for_timeout(300)
                    entry = out.setdefault(lang, {"term": term, "results": found})
                    entry["bytes" if mode == "plain" else "gzip_bytes"] = sum(sizes)
                    entry["requests"] = len(sizes)
                    page.close()
                httpd.shutdown()
        browser.close()
    return out


# --- the report -----------------------------------------------------------------------------------------

def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} CPUs (`nproc` {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}),"
            f" {cpu or platform.processor()}, Python {platform.python_version()}, {platform.system()};"
            f" load average {load:.1f} when the run started")


def kb(n) -> str:
    return "n/a" if n is None else f"{n / 1024:,.1f} kB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.1f} MB"


def fmt_s(x: float) -> str:
    return f"{x:,.2f} s" if x < 100 else f"{x:,.0f} s"


def table(r: dict, args) -> str:
    ref = r["ref"]
    rows: list[tuple[str, str, str, str]] = []  # (figure, value, target, met)

    def row(name, value, target="", ok=None):
        rows.append((name, value, target, "" if ok is None else ("yes" if ok else "**no**")))

    for n, c in sorted(r["cold"].items()):
        row(f"validate+render, cold, {n:,} claims", f"{fmt_s(c['wall'])} → **{n / c['wall']:,.0f} claims/s** "
            f"(CPU {fmt_s(c['cpu'])}; in-process step {fmt_s(c['step'])}: {n / c['step']:,.0f} claims/s)",
            "≥ 1,000 claims/s" if n == ref else "", n / c["wall"] >= 1000 if n == ref else None)
    if "nochange" in r:
        row(f"re-run, no change, {ref:,} claims", f"**{fmt_s(r['nochange']['wall'])}** (CPU {fmt_s(r['nochange']['cpu'])}; "
            f"step {fmt_s(r['nochange']['step'])})",
            "≤ 1 s", r["nochange"]["wall"] <= 1)
        row(f"re-run after editing one claim, {ref:,} claims", f"**{fmt_s(r['edit']['wall'])}** (CPU "
            f"{fmt_s(r['edit']['cpu'])}; step {fmt_s(r['edit']['step'])}; {r['edit']['written']} file(s) rewritten)",
            "≤ 2 s", r["edit"]["wall"] <= 2)
    if "build" in r:
        b = r["build"]
        row(f"full `build` (validate, render, MkDocs, feeds, Pagefind), {ref:,} claims, cold",
            f"{fmt_s(b['full'])} (CPU {fmt_s(b['full_cpu'])})")
        row(f"bare `mkdocs build` of the same Markdown, {ref:,} claims", f"{fmt_s(b['bare'])} (CPU {fmt_s(b['bare_cpu'])})")
        row("full build / bare MkDocs build (same run)", f"**{b['full'] / b['bare']:.2f}×** (CPU: "
            f"{b['full_cpu'] / b['bare_cpu']:.2f}×)", "≤ 1.1×", b["full"] / b["bare"] <= 1.1)
        if b.get("full_warm") == b.get("full_warm"):  # not NaN
            row("full build / bare MkDocs, content unchanged since last build (cache warm)",
                f"{b['full_warm'] / b['bare']:.2f}× ({fmt_s(b['full_warm'])})")
    sizes = sorted(r["cold"])
    if len(sizes) >= 2 and sizes[-1] >= 2 * sizes[-2] * 0.99:
        a, z = sizes[-2], sizes[-1]
        ratio = r["cold"][z]["wall"] / r["cold"][a]["wall"]
        row(f"time ratio {z:,}/{a:,} claims, validate+render cold", f"**{ratio:.2f}** (CPU: "
            f"{r['cold'][z]['cpu'] / r['cold'][a]['cpu']:.2f})", "≤ 2.2", ratio <= 2.2)
    if r.get("build_big"):
        row(f"time ratio {sizes[-1]:,}/{ref:,} claims, full build", f"{r['build_big'] / r['build']['full']:.2f}")
    peak = max([c["peak"] for c in r["cold"].values()] + [r.get("build", {}).get("peak", 0)])
    row("peak memory (PSS), whole process tree (largest of all runs above)", f"**{kb(peak * 1024)}**", "≤ 1 GB", peak <= 1024 * 1024)
    for n, c in sorted(r["cold"].items()):
        row(f"peak memory (PSS), validate+render cold, {n:,} claims", kb(c["peak"] * 1024))
    if "build" in r:
        row(f"peak memory (PSS), full build, {ref:,} claims", kb(r["build"]["peak"] * 1024))
    if "sizes" in r:
        s = r["sizes"]
        row(f"claim page HTML, median (max), {ref:,} claims", f"**{kb(s['claim_median'])}** ({kb(s['claim_max'])})",
            "≤ 40 kB", s["claim_median"] <= 40 * 1024)
        row(f"total site size, {ref:,} claims × 2 languages", f"{kb(s['total'])} in {s['files']:,} files"
            + (f" (Pagefind {kb(s['pagefind'])})" if s["pagefind"] else ""))
        row(f"home page (`/index.html`), {ref:,} claims", kb(s["home"]))
        row("all-claims page (`/claims/`) + its `claims.json`", f"{kb(s['all_claims'])} + {kb(s['claims_json'])}")
        row(f"a verdict page (`/verdicts/{s['verdict_page_name']}/`, 100 claims a page)", kb(s["verdict_page"]))
        row("comparison index (`/compare/`, topics paginated), articles page (`/articles/`, paginated)",
            f"{kb(s['compare'])}, {kb(s['articles'])}")
        row("largest listing page (home, all claims, comparison, topic, articles, verdict, tag; any page number)",
            kb(s["listing_max"]))
    if "search" in r:
        for lang, q in r["search"].items():
            row(f"one search query, {lang} (`{q['term']}`, {q['results']:,} hits, first 5 loaded)",
                f"**{kb(q['gzip_bytes'])}** from a host that gzips text as GitHub Pages does"
                f" ({kb(q['bytes'])} uncompressed) in {q['requests']} requests",
                "≤ 300 kB", q["gzip_bytes"] <= 300 * 1024)
    elif args.skip_browser:
        row("one search query", "skipped (`--skip-browser`)")
    lines = ["| figure | median | target | met |", "| --- | --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def write(out: Path, r: dict, args) -> None:
    body = "\n".join([
        START,
        f"Measured {dt.date.today().isoformat()} on {r['machine']}.",
        f"Command: `python -m benchmarks.run {' '.join(r['argv'])}`; seed {args.seed}; each figure is the median of "
        f"{args.runs} run(s) ({args.build_runs} for full builds); wall-clock times of fresh processes, "
        "interpreter start included.",
        "",
        table(r, args),
        "",
        "<details><summary>raw measurements (JSON)</summary>",
        "",
        "```json",
        json.dumps(r["raw"], indent=1),
        "```",
        "</details>",
        END,
    ])
    if out.is_file() and START in (old := out.read_text(encoding="utf-8")) and END in old:
        text = old[:old.index(START)] + body + old[old.index(END) + len(END):]
    else:
        text = "# Benchmarks\n\nReproduce with `python -m benchmarks.run` (see README, \"Benchmarks\").\n\n" + body + "\n"
    out.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--claims", default="1000,10000,20000", help="comma-separated sizes (default 1000,10000,20000)")
    parser.add_argument("--ref", type=int, default=None, help="size for re-runs, builds, sizes, search (default: the "
                        "largest size ≤ 10,000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--build-runs", type=int, default=None, help="runs of the full and bare builds (default --runs)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--skip-browser", action="store_true", help="no Chromium: skip the search measurement")
    parser.add_argument("--skip-build", action="store_true", help="skip the full and bare MkDocs builds")
    parser.add_argument("--no-search-build", action="store_true", help="full build without Pagefind")
    parser.add_argument("--no-warm-build", action="store_true", help="skip the extra full build with a warm cache")
    args = parser.parse_args(argv)
    args.build_runs = args.build_runs or args.runs
    sizes = sorted({int(x.replace("_", "")) for x in args.claims.split(",") if x.strip()})
    ref = args.ref or max([n for n in sizes if n <= 10_000] or sizes[:1])
    log = lambda msg: print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    r: dict = {"machine": machine(), "argv": argv if argv is not None else sys.argv[1:], "ref": ref, "cold": {},
               "raw": {}}

    for n in sizes:
        content = corpus(n, args.seed)
        work = OUT / f"work-{n}"
        walls, steps, peaks, cpus = [], [], [], []
        for i in range(args.runs):
            fresh(work / "docs", work / "cache")
            m, info = step(content, work / "docs")
            walls.append(m.wall), steps.append(info["step_s"]), peaks.append(m.peak_kb), cpus.append(m.cpu)
            log(f"cold validate+render {n}: {m.wall:.2f} s, CPU {m.cpu:.2f} s (step {info['step_s']:.2f} s, "
                f"{info['written']} files)")
        r["cold"][n] = {"wall": median(walls), "step": median(steps), "peak": max(peaks), "cpu": median(cpus)}
        r["raw"][f"cold_{n}"] = {"wall": walls, "cpu": cpus, "step": steps, "peak_kb": peaks}
        if n == ref:
            nc, ed = [], []
            for i in range(args.runs):
                m, info = step(content, work / "docs")
                nc.append((m.wall, info["step_s"], m.cpu))
                log(f"no-change re-run {n}: {m.wall:.2f} s (step {info['step_s']:.2f} s)")
                edit_one_claim(content, i)
                m, info = step(content, work / "docs")
                ed.append((m.wall, info["step_s"], info["written"], m.cpu))
                log(f"one-claim edit re-run {n}: {m.wall:.2f} s (step {info['step_s']:.2f} s, {info['written']} written)")
            r["nochange"] = {"wall": median([x[0] for x in nc]), "step": median([x[1] for x in nc]),
                             "cpu": median([x[2] for x in nc])}
            r["edit"] = {"wall": median([x[0] for x in ed]), "step": median([x[1] for x in ed]),
                         "written": int(median([x[2] for x in ed])), "cpu": median([x[3] for x in ed])}
            r["raw"]["rerun"] = {"nochange": nc, "edit": ed}

    content, work = corpus(ref, args.seed), OUT / f"work-{ref}"
    if not args.skip_build:
        fulls, bares, warms, peaks, fcpu, bcpu = [], [], [], [], [], []
        for i in range(args.build_runs):
            m = full_build(content, work, search=not args.no_search_build)
            fulls.append(m.wall), peaks.append(m.peak_kb), fcpu.append(m.cpu)
            log(f"full build {ref}: {m.wall:.1f} s, CPU {m.cpu:.1f} s, peak {m.peak_kb / 1024:.0f} MB")
            b = bare_mkdocs(work / "docs", work)
            bares.append(b.wall), peaks.append(b.peak_kb), bcpu.append(b.cpu)
            log(f"bare mkdocs build {ref}: {b.wall:.1f} s, CPU {b.cpu:.1f} s, peak {b.peak_kb / 1024:.0f} MB")
        env = dict(os.environ, FACTCHECK_CACHE_DIR=str(work / "cache"))
        cmd = [sys.executable, "-m", "generator", "build", "--content", str(content), "--site-dir", str(work / "site"),
               "--docs-dir", str(work / "docs")] + (["--no-search"] if args.no_search_build else [])
        if not args.no_warm_build:
            w = measure(cmd, env)
            warms.append(w.wall)
            log(f"full build, warm cache {ref}: {w.wall:.1f} s")
        r["build"] = {"full": median(fulls), "bare": median(bares), "full_warm": median(warms), "peak": max(peaks),
                      "full_cpu": median(fcpu), "bare_cpu": median(bcpu)}
        r["raw"]["build"] = {"full": fulls, "bare": bares, "full_warm": warms, "peak_kb": peaks, "full_cpu": fcpu,
                             "bare_cpu": bcpu}
        r["sizes"] = site_sizes(work / "site")
        r["raw"]["sizes"] = r["sizes"]
        if not args.skip_browser and not args.no_search_build:
            r["search"] = search_bytes(work / "site")
            r["raw"]["search"] = r["search"]
            log(f"search: {r['search']}")
    write(args.out, r, args)
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
