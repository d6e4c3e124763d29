"""Run the benchmarks and write the results table (BENCHMARKS.md).

    python -m benchmarks.run --claims 1000,10000,20000 --runs 3 --out BENCHMARKS.md
    python -m benchmarks.run --claims 100,200 --runs 1 --skip-browser --out /tmp/B.md   # CI smoke test

Every measured command is a fresh process, as an editor or CI runs it, with FACTCHECK_CACHE_DIR set to a
work folder of the benchmark's (under benchmarks/out/, git-ignored, like the generated corpora):
- every size: validate+render cold (benchmarks/step.py: what `build` does before MkDocs);
- the reference size (`--ref`, default the largest size ≤ 10,000): `python -m generator build` cold, with
  nothing changed, after a one-claim edit, and the same edit with `--no-search`; a bare `mkdocs build`
  of the same Markdown; site and page sizes; bytes per search query in Chromium; the preview (`serve`);
- the largest size, when larger: `build` cold and after a one-claim edit, for the ratio of the two sizes;
- `--partitions K,…`: per number of search partitions, bytes per query and the edit's re-index time.
Each figure is the median of `--runs` runs (`--build-runs` for cold builds); memory is the peak PSS of the
whole process tree, sampled every 50 ms. Progress goes to stderr.

If the output file already exists, only the part between the `<!-- results:start -->` and
`<!-- results:end -->` markers is replaced, so the hand-written notes around it stay.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import json
import os
import platform
import re
import shutil
import signal
import socket
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
SEARCH_TERMS = {"ar": "رفح", "en": "Israel"}  # frequent words of the corpus: many hits, large index chunks
CLAIM = "claim-00001"  # the claim every edit changes
PREVIEW_LANG = "ar"  # the preview's page, and the language of its edits
PREVIEW_EDITS = 3  # edits timed per preview session
IDLE_S = 5.0
GB_KB = 1024 * 1024
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def median(values) -> float:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def fresh(*paths: Path) -> None:
    for p in paths:
        shutil.rmtree(p, ignore_errors=True)


# --- process trees (Linux /proc) ---------------------------------------------------------------------------

def _stat(pid: int) -> list[bytes] | None:
    """The fields of /proc/<pid>/stat after the command name (state is [0], ppid [1])."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _children(pid: int) -> list[int]:
    """A process's children, from each of its threads' `children` file (a few reads: sampling every
    50 ms must cost the measured build little); [] once it has ended."""
    found = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                found.extend(map(int, f.read().split()))
    except OSError:
        pass
    return found


def _children_by_scan() -> dict[int, list[int]]:
    """Every process's children, from every process's parent (kernels without `children` files)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))):
            children.setdefault(int(fields[1]), []).append(int(entry))
    return children


_HAS_CHILDREN_FILES = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")


def tree(pid: int) -> list[int]:
    """pid and all its live descendants."""
    by_scan = None if _HAS_CHILDREN_FILES else _children_by_scan()
    found, stack = [], [pid]
    while stack:
        p = stack.pop()
        found.append(p)
        stack.extend(_children(p) if by_scan is None else by_scan.get(p, ()))
    return found


def _pss_kb(pid: int) -> int:
    """Proportional set size: pages a forked worker shares with its parent count once over the tree, not
    twice (RSS when the kernel gives no PSS)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    fields = _stat(pid)
    return int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024 if fields else 0


def tree_pss_kb(pid: int) -> int:
    return sum(_pss_kb(p) for p in tree(pid))


def tree_cpu_s(pid: int) -> float:
    """CPU time (user + system) of a live process tree, its reaped children included."""
    total = 0
    for p in tree(pid):
        if fields := _stat(p):
            total += sum(int(x) for x in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def _alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != b"Z"


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Measured:
    """A finished command: wall and CPU time (the whole tree: robust when other work shares the machine),
    peak PSS of the tree, its stdout, and its stderr lines with the second each arrived (the build logs
    one line per stage event, so stage times can be read from them)."""

    def __init__(self, wall: float, cpu: float, peak_kb: int, stdout: str, lines: list[tuple[float, str]]):
        self.wall, self.cpu, self.peak_kb, self.stdout, self.lines = wall, cpu, peak_kb, stdout, lines

    def figures(self) -> dict:
        return {"wall": self.wall, "cpu": self.cpu, "peak_kb": self.peak_kb}


def measure(cmd: list, env: dict | None = None, cwd: Path = ROOT) -> Measured:
    """Run cmd to its end, sampling the tree's memory every 50 ms; a failure raises with its output."""
    cpu0 = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8", errors="replace")
    peak, out, lines, done = [0], [], [], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_pss_kb(proc.pid))
            done.wait(0.05)

    threads = [threading.Thread(target=sample, daemon=True),
               threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)]
    for t in threads:
        t.start()
    for line in proc.stderr:
        lines.append((time.perf_counter() - started, line.rstrip("\n")))
    proc.wait()
    wall = time.perf_counter() - started
    done.set()
    for t in threads:
        t.join()
    if proc.returncode != 0:
        text = "\n".join(line for _, line in lines)
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{(out[0] + text)[-3000:]}")
    return Measured(wall, _children_cpu() - cpu0, peak[0], out[0], lines)


# --- content ------------------------------------------------------------------------------------------

def corpus(claims: int, seed: int) -> Path:
    root = OUT / f"c{claims}-s{seed}"
    stamp = root / ".generated"
    if not stamp.is_file():
        log(f"generating {claims:,} claims (seed {seed}) …")
        generate(root, claims, seed)
        stamp.write_text("ok\n")
    return root


_edits = itertools.count(1)


def edit_one_claim(content: Path, lang: str = "ar") -> str:
    """Give CLAIM's conclusion in `lang` a text it has not had in this run (as an editor saves a file);
    returns the words added, which the claim's page then shows."""
    path = content / "claims" / f"{CLAIM}.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    i = next(n for n in range(lines.index("conclusion:") + 1, len(lines)) if lines[n].startswith(f"  {lang}: "))
    mark = f"(edit {os.getpid()}-{next(_edits)})"  # the pid: never a text an earlier run built either
    lines[i] = re.sub(r' \(edit [\d-]+\)"$', '"', lines[i])[:-1] + f' {mark}"'
    path.write_text("\n".join(lines), encoding="utf-8")
    return mark


# --- validate+render ----------------------------------------------------------------------------------

def validate_render(content: Path, work: Path) -> dict:
    """One cold validate+render: a new interpreter, an empty work folder."""
    fresh(work)
    m = measure([sys.executable, "-m", "benchmarks.step", "--content", content],
                dict(os.environ, FACTCHECK_CACHE_DIR=str(work)))
    info = json.loads(m.stdout.strip().splitlines()[-1])
    return {**m.figures(), **info}


# --- builds -------------------------------------------------------------------------------------------

def search_stage_s(lines: list[tuple[float, str]]) -> float | None:
    """The search stage's wall time, from the build's log: from the last line before the first Pagefind job
    ended (the end of the MkDocs stage) to the line that ends the search stage. None when no partition
    was indexed."""
    jobs = [i for i, (_, text) in enumerate(lines) if text.startswith("  pagefind ")]
    end = next((t for t, text in lines if text.startswith("  search: ")), None)
    if not jobs or end is None or jobs[0] == 0:
        return None
    return end - lines[jobs[0] - 1][0]


class SiteDir:
    """A site folder built by `python -m generator build` run from `project`, with its own work folder
    (FACTCHECK_CACHE_DIR); the build's state folder, with report.json, is beside the site."""

    def __init__(self, folder: Path, project: Path = ROOT, search: bool = True) -> None:
        self.site, self.cache, self.project, self.search = folder / "site", folder / "cache", project, search
        self.state = folder / ".site.factcheck"

    def reset(self) -> None:
        fresh(self.site, self.state, self.cache)

    def docs(self, content: Path) -> Path:
        """The Markdown the build rendered: <work>/<content name>-<hash>/docs (pipeline.work_dir)."""
        from generator.pipeline import work_dir

        return self.cache / work_dir(content).name / "docs"

    def build(self, content: Path) -> dict:
        report = self.state / "report.json"
        report.unlink(missing_ok=True)  # a build with nothing to do writes none: never read a stale one
        m = measure([sys.executable, "-m", "generator", "build", "--content", content, "--site-dir", self.site,
                     *([] if self.search else ["--no-search"])],
                    dict(os.environ, FACTCHECK_CACHE_DIR=str(self.cache)), cwd=self.project)
        done = json.loads(report.read_text(encoding="utf-8")) if report.is_file() else None
        bundles = self.site / "pagefind" / "bundles.json"
        return {**m.figures(), "up_to_date": done is None,
                "built": len(done["built"]) if done else 0, "indexed": done["indexed"] if done else [],
                "partitions": sum(map(len, json.loads(bundles.read_text()).values())) if bundles.is_file() else 0,
                "search_s": search_stage_s(m.lines), "publish": (done or {}).get("publish")}


def _said(what: str, b: dict) -> str:
    return (f"{what}: {b['wall']:.1f} s, CPU {b['cpu']:.1f} s, peak {b['peak_kb'] / 1024:,.0f} MB"
            + ("" if b["up_to_date"] else f", {b['built']:,} pages built, {len(b['indexed'])} of "
                                          f"{b['partitions']} partitions indexed"))


def cold_build(site: SiteDir, content: Path, label: str) -> dict:
    site.reset()
    b = site.build(content)
    log(_said(f"{label}: cold build", b))
    return b


def edit_builds(content: Path, sites: dict[str, SiteDir], runs: int, label: str) -> tuple[dict, dict]:
    """After cold builds: one edit built by every site, then `runs` edits, each built by every site in turn
    (the same edit). The first is kept apart: a site's first build after a cold one links every file into
    a new folder, later ones update the site before it (prev/), which is an editor's usual case."""
    first: dict[str, dict] = {}
    edits: dict[str, list] = {name: [] for name in sites}
    for i in range(runs + 1):
        edit_one_claim(content)
        for name, site in sites.items():
            b = site.build(content)
            who = f"{label}, {name}" if len(sites) > 1 else label
            log(_said(f"{who}: {'first ' if i == 0 else ''}one-claim edit", b))
            if i == 0:
                first[name] = b
            else:
                edits[name].append(b)
    return first, edits


def bare_mkdocs(docs: Path, out: Path) -> dict:
    """`mkdocs build` in one process, as the project's mkdocs.yml builds the same Markdown by itself."""
    fresh(out)
    m = measure([sys.executable, "-m", "mkdocs", "build", "-q", "-f", ROOT / "mkdocs.yml", "-d", out],
                dict(os.environ, FACTCHECK_DOCS_DIR=str(docs)))
    log(f"bare mkdocs build: {m.wall:.1f} s, CPU {m.cpu:.1f} s, peak {m.peak_kb / 1024:,.0f} MB")
    return m.figures()


def reference_builds(content: Path, work: Path, n: int, runs: int, build_runs: int) -> dict:
    """The reference size: cold (each against a bare MkDocs build of its Markdown), nothing changed,
    one-claim edits with and without search (a site of their own, built without search from cold)."""
    main, nosearch = SiteDir(work / "search"), SiteDir(work / "nosearch", search=False)
    label = f"{n:,} claims"
    r: dict = {"cold": [], "bare": []}
    for _ in range(build_runs):
        r["cold"].append(cold_build(main, content, label))
        r["bare"].append(bare_mkdocs(main.docs(content), work / "bare-site"))
    r["nochange"] = []
    for _ in range(runs):
        r["nochange"].append(b := main.build(content))
        log(_said(f"{label}: nothing changed", b))
    r["nosearch_cold"] = [cold_build(nosearch, content, f"{label}, --no-search")]
    first, edits = edit_builds(content, {"search": main, "no-search": nosearch}, runs, label)
    r["first_edit"], r["edit"] = first["search"], edits["search"]
    r["nosearch_first_edit"], r["nosearch_edit"] = first["no-search"], edits["no-search"]
    return r


def large_builds(content: Path, work: Path, n: int, runs: int, build_runs: int) -> dict:
    """The largest size: cold and one-claim edits, for the ratio to the reference size."""
    main = SiteDir(work / "search")
    r = {"cold": [cold_build(main, content, f"{n:,} claims") for _ in range(build_runs)]}
    first, edits = edit_builds(content, {"search": main}, runs, f"{n:,} claims")
    r["first_edit"], r["edit"] = first["search"], edits["search"]
    return r


def project_copy(folder: Path, partitions: int) -> Path:
    """The project (code, templates, mkdocs.yml) with another number of search partitions: a build run
    from the copy reads the copy's mkdocs.yml (settings.PROJECT_ROOT is where generator/ is)."""
    fresh(folder)
    for name in ("generator", "templates"):
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    config, count = re.subn(r"(\n\s+partitions:\s*)\d+", rf"\g<1>{partitions}",
                            (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), count=1)
    if count != 1:
        raise RuntimeError("mkdocs.yml has no `extra.factcheck.search.partitions` line to change")
    (folder / "mkdocs.yml").write_text(config, encoding="utf-8")
    return folder


def partition_builds(content: Path, work: Path, k: int, runs: int, browser: bool) -> dict:
    """A site indexed in k partitions: cold, one-claim edits (their re-index time), bytes per query."""
    site = SiteDir(work / f"partitions-{k}", project=project_copy(work / f"partitions-{k}" / "project", k))
    label = f"{k} partition(s)"
    r = {"cold": [cold_build(site, content, label)]}
    _, edits = edit_builds(content, {label: site}, runs, label)
    r["edit"] = edits[label]
    if browser:
        with chromium() as chrome:
            r["search"] = search_bytes(site.site, chrome)
    fresh(work / f"partitions-{k}")  # a 10,000-claim site is 0.6 GB
    return r


# --- sizes --------------------------------------------------------------------------------------------

def site_sizes(site: Path) -> dict:
    files = [p for p in site.rglob("*") if p.is_file()]
    claim_pages = [p.stat().st_size for p in [*site.glob("claims/*/index.html"), *site.glob("en/claims/*/index.html")]]
    size = lambda rel: (site / rel).stat().st_size if (site / rel).is_file() else None  # noqa: E731
    verdict = sorted(site.glob("verdicts/*/index.html"))
    listings = ("compare/**/index.html", "articles/index.html", "articles/page/*/index.html", "verdicts/**/index.html",
                "tags/**/index.html", "claims/index.html", "index.html")
    return {
        "total": sum(p.stat().st_size for p in files), "files": len(files),
        "claim_median": median(claim_pages), "claim_max": max(claim_pages, default=0),
        "home": size("index.html"), "all_claims": size("claims/index.html"), "claims_json": size("claims.json"),
        "verdict_page": size(verdict[0].relative_to(site).as_posix()) if verdict else None,
        "verdict_page_name": verdict[0].parent.name if verdict else "",
        "compare": size("compare/index.html"), "articles": size("articles/index.html"),
        # the largest of all listing pages (every page of every paginated list, both languages)
        "listing_max": max((p.stat().st_size for pattern in listings for root in (site, site / "en")
                            for p in root.glob(pattern)), default=0),
        "pagefind": sum(p.stat().st_size for p in files if p.relative_to(site).parts[0] == "pagefind"),
    }


# --- the browser: search bytes, preview -----------------------------------------------------------------

@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# Text types a static host such as GitHub Pages sends gzip-compressed; Pagefind's index, fragment,
# metadata and WASM files are gzip streams already and go as they are.
GZIP_TYPES = (".js", ".json", ".css", ".html", ".xml", ".svg")


class _Tally:
    """Bytes a server sent for /pagefind/ requests, headers included: counted where they are written, so
    every request counts (the browser's own figures miss the worker script)."""

    def __init__(self) -> None:
        self.bytes = self.requests = 0
        self.lock = threading.Lock()

    def add(self, n: int, request: bool = False) -> None:
        with self.lock:
            self.bytes += n
            self.requests += request


class _Counted:
    def __init__(self, raw, handler) -> None:
        self._raw, self._handler = raw, handler

    def write(self, data) -> int:
        if self._handler.path.startswith("/pagefind/"):
            self._handler.tally.add(len(data))
        return self._raw.write(data)

    def __getattr__(self, name):
        return getattr(self._raw, name)


def _static_handler(site: Path, gzip_text: bool, tally: _Tally):
    import gzip
    import http.server
    import io

    class Handler(http.server.SimpleHTTPRequestHandler):
        path = ""

        def __init__(self, *args, **kwargs):
            self.tally = tally
            super().__init__(*args, directory=str(site), **kwargs)

        def setup(self) -> None:
            super().setup()
            self.wfile = _Counted(self.wfile, self)

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if self.path.startswith("/pagefind/"):
                tally.add(0, request=True)
            super().do_GET()

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


# As the search page does (templates/assets/factcheck.js initSearch): the language's bundles from
# bundles.json, Pagefind's JS from the first, the others merged; then the first 5 results' fragments.
QUERY = """async (term) => {
  const bundles = (await (await fetch('/pagefind/bundles.json')).json())[document.documentElement.lang];
  const pagefind = await import('/' + bundles[0] + '/pagefind.js');
  for (const b of bundles.slice(1)) await pagefind.mergeIndex('/' + b + '/');
  const found = await pagefind.search(term);
  await Promise.all(found.results.slice(0, 5).map((r) => r.data()));
  return [found.results.length, bundles.length];
}"""


def search_bytes(site: Path, browser) -> dict:
    """Bytes one query per language costs a reader who opened the language's home page (a new browser
    context each: an empty cache): once from a server that sends files as they are, once from one that
    gzips text as static hosts do."""
    import http.server

    out: dict = {}
    for mode in ("plain", "gzip"):
        tally = _Tally()
        with http.server.ThreadingHTTPServer(("127.0.0.1", 0), _static_handler(site, mode == "gzip", tally)) as httpd:
            threading.Thread(target=httpd.serve_forever, daemon=True).start()
            base = f"http://127.0.0.1:{httpd.server_address[1]}/"
            for lang, term in SEARCH_TERMS.items():
                page = browser.new_page()
                page.goto(base + ("" if lang == "ar" else "en/"), wait_until="networkidle")
                before, requests = tally.bytes, tally.requests
                found, bundles = page.evaluate(QUERY, term)
                page.wait_for_timeout(300)
                entry = out.setdefault(lang, {"term": term, "results": found, "bundles": bundles})
                entry[f"{mode}_bytes"], entry[f"{mode}_requests"] = tally.bytes - before, tally.requests - requests
                page.close()
            httpd.shutdown()
    log("search bytes: " + ", ".join(f"{lang} {q['gzip_bytes'] / 1024:.1f} kB gzip ({q['plain_bytes'] / 1024:.1f} kB)"
                                     for lang, q in out.items()))
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 1800) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"serve ended with {proc.returncode} before it listened")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"serve did not listen on {port} in {timeout:.0f} s")


def _stop(proc: subprocess.Popen) -> dict:
    """SIGTERM, as a terminal or a service manager stops serve: it must exit, and take its children along."""
    children = tree(proc.pid)[1:]
    started = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        code = None
    left = [p for p in children if _alive(p)]
    for p in left:  # what serve left behind: ours to end, by pid
        with contextlib.suppress(OSError):
            os.kill(p, signal.SIGKILL)
    return {"code": code, "stop_s": time.perf_counter() - started, "children": len(children), "left": len(left)}


def preview(content: Path, cache: Path, browser, log_file: Path) -> dict:
    """One `serve` session: the first claim page (from starting serve to the page's load event), edits
    reaching the open page (from saving the YAML to the page showing the text, by itself), idle CPU, stop."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/" + ("" if PREVIEW_LANG == "ar" else f"{PREVIEW_LANG}/") + f"claims/{CLAIM}/"
    env = dict(os.environ, FACTCHECK_CACHE_DIR=str(cache), PYTHONUNBUFFERED="1")
    r: dict = {"edits_s": []}
    with log_file.open("w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--content", str(content),
                                 "--dev-addr", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT)
        page = browser.new_page()
        try:
            _wait_for_port(port, proc)
            page.goto(url, wait_until="load", timeout=1_800_000)
            r["first_s"] = time.perf_counter() - started
            for _ in range(PREVIEW_EDITS):
                mark = edit_one_claim(content, PREVIEW_LANG)
                saved = time.perf_counter()
                page.wait_for_function("(m) => document.querySelector('.fc-conclusion')?.innerText.includes(m)",
                                       arg=mark, polling=20, timeout=600_000)
                r["edits_s"].append(time.perf_counter() - saved)
                page.wait_for_load_state("load")
            cpu = tree_cpu_s(proc.pid)
            time.sleep(IDLE_S)
            r["idle_cpu_s"] = tree_cpu_s(proc.pid) - cpu
        finally:
            page.close()
            r["stop"] = _stop(proc)
    log(f"preview ({log_file.stem}): first page {r.get('first_s', float('nan')):.2f} s, edits "
        f"{', '.join(f'{s:.2f}' for s in r['edits_s'])} s, idle CPU {r.get('idle_cpu_s', float('nan')):.2f} s, "
        f"stop: exit {r['stop']['code']} in {r['stop']['stop_s']:.1f} s, {r['stop']['left']} child(ren) left")
    return r


def previews(content: Path, work: Path, runs: int, warm_cache: Path | None) -> dict:
    """`runs` sessions with an empty work folder, and as many after a build of the same content (its work
    folder: what an editor has who built the site before)."""
    r: dict = {"cold": [], "warm": []}
    with chromium() as browser:
        for i in range(runs):
            fresh(work / "preview-cold")
            r["cold"].append(preview(content, work / "preview-cold", browser, work / f"serve-cold-{i}.log"))
            if warm_cache is not None:
                r["warm"].append(preview(content, warm_cache, browser, work / f"serve-warm-{i}.log"))
    return r


# --- the report -------------------------------------------------------------------------------------------

def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError):
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} CPUs (`nproc` {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}),"
            f" {cpu or platform.processor()}, Python {platform.python_version()}, {platform.system()};"
            f" load average {load:.1f} when the run started")


def kb(n) -> str:
    return "n/a" if n is None else f"{n / 1024:,.1f} kB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.1f} MB"


def fmt_s(x: float) -> str:
    return f"{x:,.2f} s" if x < 100 else f"{x:,.0f} s"


def med(runs: list[dict], key: str = "wall") -> float:
    return median(run[key] for run in runs)


def pct(x: float) -> str:
    return f"{100 * x:.2f} %" if x < 0.1 else f"{100 * x:.1f} %"


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def row(self, figure: str, value: str, target: str = "", ok: bool | None = None) -> None:
        self.rows.append((figure, value, target, "" if ok is None else ("yes" if ok else "**no**")))

    def markdown(self) -> str:
        return "\n".join(["| figure | median | target | met |", "| --- | --- | --- | --- |",
                          *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in self.rows)])


def validate_rows(t: Table, r: dict) -> None:
    runs = {int(n): v for n, v in r["validate"].items()}
    for n, v in sorted(runs.items()):
        wall = med(v)
        t.row(f"validate+render cold, {n:,} claims", f"{fmt_s(wall)} → **{n / wall:,.0f} claims/s** (CPU "
              f"{fmt_s(med(v, 'cpu'))}; in the process: build key {fmt_s(med(v, 'key_s'))}, validate+render "
              f"{fmt_s(med(v, 'prepare_s'))})")
    for n, v in sorted(runs.items()):
        t.row(f"peak memory (PSS), validate+render cold, {n:,} claims", kb(max(x["peak_kb"] for x in v) * 1024))
    sizes = sorted(runs)
    if len(sizes) >= 2:
        a, z = sizes[-2], sizes[-1]
        t.row(f"time ratio {z:,}/{a:,} claims, validate+render cold", f"{med(runs[z]) / med(runs[a]):.2f} (CPU "
              f"{med(runs[z], 'cpu') / med(runs[a], 'cpu'):.2f})")


def _work_done(b: dict) -> str:
    search = f"; search stage {fmt_s(b['search_s'])}" if b.get("search_s") is not None else ""
    return (f"{b['built']:,} page(s) through MkDocs, {len(b['indexed'])} of {b['partitions']} search partitions "
            f"indexed{search}")


def _build_row(t: Table, figure: str, runs: list[dict], extra: str = "", target: str = "", ok=None) -> None:
    wall = med(runs)
    t.row(figure, f"**{fmt_s(wall)}** (CPU {fmt_s(med(runs, 'cpu'))}{'; ' + extra if extra else ''})", target, ok)


def build_rows(t: Table, r: dict) -> None:
    ref, b = r["ref"], r["builds"][str(r["ref"])]
    cold, edit = med(b["cold"]), med(b["edit"])
    one = b["edit"][len(b["edit"]) // 2]  # an edit's report (every edit changes the same claim's text)
    _build_row(t, f"`build` cold (validate, render, MkDocs, Pagefind, publish), {ref:,} claims", b["cold"],
               _work_done(b["cold"][0]))
    nochange = med(b["nochange"])
    up_to_date = all(x["up_to_date"] for x in b["nochange"])
    _build_row(t, f"`build`, nothing changed, {ref:,} claims", b["nochange"], f"{pct(nochange / cold)} of cold; "
               + ("up to date, nothing built" if up_to_date else "**not** taken as up to date: "
                  + _work_done(b["nochange"][0])), "≤ 1 % of cold", nochange <= 0.01 * cold)
    _build_row(t, f"`build` after editing one claim, {ref:,} claims", b["edit"],
               f"{pct(edit / cold)} of cold; {_work_done(one)}", "≤ 10 s and ≤ 5 % of cold",
               edit <= 10 and edit <= 0.05 * cold)
    nosearch = med(b["nosearch_edit"])
    _build_row(t, f"`build --no-search`, the same one-claim edit, {ref:,} claims", b["nosearch_edit"],
               f"search's share of the edit: {fmt_s(edit - nosearch)}")
    counts = b["first_edit"]["publish"]
    _build_row(t, f"`build`, the first one-claim edit after a cold build, {ref:,} claims", [b["first_edit"]],
               f"its publish makes a new folder: {counts['written']:,} files written, {counts['linked']:,} linked")
    _build_row(t, f"`build --no-search` cold, {ref:,} claims", b["nosearch_cold"],
               f"search's share of a cold build: {fmt_s(cold - med(b['nosearch_cold']))}")
    bare = med(b["bare"])
    _build_row(t, f"bare `mkdocs build` of the same Markdown (one process), {ref:,} claims", b["bare"],
               f"peak {kb(max(x['peak_kb'] for x in b['bare']) * 1024)}")
    t.row("cold `build` / bare `mkdocs build` (same run)", f"**{cold / bare:.2f}×** (CPU "
          f"{med(b['cold'], 'cpu') / med(b['bare'], 'cpu'):.2f}×)", "≤ 0.6×", cold / bare <= 0.6)
    big = r.get("big")
    if big:
        g = r["builds"][str(big)]
        _build_row(t, f"`build` cold, {big:,} claims", g["cold"], _work_done(g["cold"][0]))
        _build_row(t, f"`build` after editing one claim, {big:,} claims", g["edit"],
                   _work_done(g["edit"][len(g["edit"]) // 2]))
        for name, key in (("cold", "cold"), ("after a one-claim edit", "edit")):
            ratio = med(g[key]) / med(b[key])
            t.row(f"time ratio {big:,}/{ref:,} claims, `build` {name}", f"**{ratio:.2f}** (CPU "
                  f"{med(g[key], 'cpu') / med(b[key], 'cpu'):.2f})", "≤ 2.1", ratio <= 2.1)
    for n in sorted(map(int, r["builds"])):
        scenarios = {name.replace("_", " "): max(x["peak_kb"] for x in (v if isinstance(v, list) else [v]))
                     for name, v in r["builds"][str(n)].items() if name != "bare"}
        peak = max(scenarios.values())
        t.row(f"peak memory (PSS), whole process tree, every `build` at {n:,} claims",
              f"**{kb(peak * 1024)}** (" + ", ".join(f"{k} {kb(v * 1024)}" for k, v in scenarios.items()) + ")",
              "≤ 1 GB", peak <= GB_KB)


def preview_rows(t: Table, r: dict) -> None:
    p, ref = r["preview"], r["ref"]
    sessions = p["cold"] + p["warm"]
    for kind, what in (("cold", "an empty work folder"), ("warm", "after a `build` of the same content")):
        if p[kind]:
            first = med(p[kind], "first_s")
            t.row(f"preview: first claim page loaded, from starting `serve`, {what}, {ref:,} claims",
                  f"**{fmt_s(first)}**", "≤ 10 s", first <= 10)
    edits = [s for session in sessions for s in session["edits_s"]]
    edit = median(edits)
    t.row(f"preview: an edit (the claim's conclusion) visible in the open page, {ref:,} claims",
          f"**{fmt_s(edit)}** (median of {len(edits)}; slowest {fmt_s(max(edits))})", "≤ 2 s", edit <= 2)
    idle = med(sessions, "idle_cpu_s")
    t.row(f"preview: CPU of the `serve` process tree in the {IDLE_S:.0f} s after an edit",
          f"**{fmt_s(idle)}** (largest {fmt_s(max(s['idle_cpu_s'] for s in sessions))})", "≈ 0 (≤ 0.1 s)",
          idle <= 0.1)
    stops = [s["stop"] for s in sessions]
    ok = all(s["code"] == 128 + signal.SIGTERM and s["left"] == 0 for s in stops)
    t.row("preview: `serve` stopped with SIGTERM", f"exit codes {sorted({s['code'] for s in stops}, key=str)}, "
          f"{fmt_s(median(s['stop_s'] for s in stops))}; children left {sum(s['left'] for s in stops)}",
          "exits, no child left", ok)


def size_rows(t: Table, r: dict) -> None:
    s, ref = r["sizes"], r["ref"]
    t.row(f"claim page HTML, median (max), {ref:,} claims", f"**{kb(s['claim_median'])}** ({kb(s['claim_max'])})")
    t.row(f"total site size, {ref:,} claims × 2 languages", f"{kb(s['total'])} in {s['files']:,} files"
          + (f" (Pagefind {kb(s['pagefind'])})" if s["pagefind"] else ""))
    t.row(f"home page (`/index.html`), {ref:,} claims", kb(s["home"]))
    t.row("all-claims page (`/claims/`) + its `claims.json`", f"{kb(s['all_claims'])} + {kb(s['claims_json'])}")
    t.row(f"a verdict page (`/verdicts/{s['verdict_page_name']}/`, 100 claims a page)", kb(s["verdict_page"]))
    t.row("comparison index (`/compare/`, topics paginated), articles page (`/articles/`, paginated)",
          f"{kb(s['compare'])}, {kb(s['articles'])}")
    t.row("largest listing page (home, all claims, comparison, topic, articles, verdict, tag; any page number)",
          kb(s["listing_max"]))


def search_rows(t: Table, r: dict) -> None:
    for lang, q in r["search"].items():
        t.row(f"one search query, {lang} (`{q['term']}`, {q['results']:,} hits, first 5 loaded, "
              f"{q['bundles']} bundle(s) merged), {r['ref']:,} claims",
              f"**{kb(q['gzip_bytes'])}** from a host that gzips text as GitHub Pages does ({kb(q['plain_bytes'])} "
              f"uncompressed) in {q['gzip_requests']} requests", "≤ 300 kB", q["gzip_bytes"] <= 300 * 1024)


def partition_rows(t: Table, r: dict) -> None:
    for k, p in sorted(r["partitions"].items(), key=lambda kv: int(kv[0])):
        one = p["edit"][len(p["edit"]) // 2]
        query = ", ".join(f"{lang} {kb(q['gzip_bytes'])}" for lang, q in p["search"].items()) \
            if p.get("search") else "not measured (`--skip-browser`)"
        t.row(f"search in {k} partition(s) a language{' (the configured value)' if p.get('configured') else ''}, "
              f"{r['ref']:,} claims", f"a query: {query}; a one-claim edit re-indexes {len(one['indexed'])} "
              f"partition(s) in **{fmt_s(median(e['search_s'] for e in p['edit']))}** (the build "
              f"{fmt_s(med(p['edit']))}); cold build {fmt_s(med(p['cold']))}")


def table(r: dict, args) -> str:
    t = Table()
    validate_rows(t, r)
    if r.get("builds"):
        build_rows(t, r)
    if r.get("preview"):
        preview_rows(t, r)
    elif args.skip_browser:
        t.row("preview (`serve`)", "skipped (`--skip-browser`)")
    if r.get("sizes"):
        size_rows(t, r)
    if r.get("search"):
        search_rows(t, r)
    elif args.skip_browser:
        t.row("one search query", "skipped (`--skip-browser`)")
    if r.get("partitions"):
        partition_rows(t, r)
    return t.markdown()


def write(out: Path, r: dict, args) -> None:
    body = "\n".join([
        START,
        f"Measured {dt.date.today().isoformat()} on {r['machine']}.",
        f"Command: `python -m benchmarks.run {' '.join(r['argv'])}`; seed {args.seed}; each figure is the median of "
        f"{args.runs} run(s) ({args.build_runs} for cold builds); wall-clock times of fresh processes, "
        "interpreter start included; memory is the peak PSS of the whole process tree.",
        "",
        table(r, args),
        "",
        "<details><summary>raw measurements (JSON)</summary>",
        "",
        "```json",
        json.dumps(r, indent=1, ensure_ascii=False),
        "```",
        "</details>",
        END,
    ])
    if out.is_file() and START in (old := out.read_text(encoding="utf-8")) and END in old:
        text = old[:old.index(START)] + body + old[old.index(END) + len(END):]
    else:
        text = "# Benchmarks\n\nReproduce with `python -m benchmarks.run` (see README, \"Benchmarks\").\n\n" + body + "\n"
    out.write_text(text, encoding="utf-8")


# --- the run ----------------------------------------------------------------------------------------------

def _sizes(text: str) -> list[int]:
    return sorted({int(x.replace("_", "")) for x in text.split(",") if x.strip()})


def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=_sizes, default=_sizes("1000,10000,20000"),
                        help="comma-separated sizes (default 1000,10000,20000)")
    parser.add_argument("--ref", type=int, default=None, help="size for the builds, the preview, sizes and search "
                        "(default: the largest size ≤ 10,000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument("--build-runs", type=int, default=None, help="cold builds per size (default --runs)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--skip-browser", action="store_true", help="no Chromium: no preview or search measurement")
    parser.add_argument("--skip-build", action="store_true", help="no `build` or `mkdocs build` (nor what needs a "
                        "built site: sizes, search, partitions; the preview only from an empty work folder)")
    parser.add_argument("--partitions", type=_sizes, default=None, help="numbers of search partitions to compare, "
                        "such as 1,2,4 (default: only the configured value, from the reference builds)")
    args = parser.parse_args(argv)
    args.build_runs = args.build_runs or args.runs
    args.ref = args.ref or max([n for n in args.claims if n <= 10_000] or args.claims[:1])
    args.claims = sorted({*args.claims, args.ref})
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from generator.settings import load_settings

    configured = load_settings().search_partitions
    ref, big = args.ref, max(args.claims) if max(args.claims) > args.ref else None
    r: dict = {"machine": machine(), "argv": argv if argv is not None else sys.argv[1:], "ref": ref, "big": big,
               "validate": {}, "builds": {}}
    for n in args.claims:
        content, work = corpus(n, args.seed), OUT / f"work-{n}"
        r["validate"][str(n)] = runs = []
        for _ in range(args.runs):
            runs.append(v := validate_render(content, work / "step"))
            log(f"{n:,} claims: validate+render cold {v['wall']:.2f} s, CPU {v['cpu']:.2f} s, "
                f"peak {v['peak_kb'] / 1024:,.0f} MB ({v['written']:,} Markdown files)")
    write(args.out, r, args)  # after each part: a failure later keeps what was measured

    content, work = corpus(ref, args.seed), OUT / f"work-{ref}"
    if not args.skip_build:
        r["builds"][str(ref)] = reference_builds(content, work, ref, args.runs, args.build_runs)
        if big:
            r["builds"][str(big)] = large_builds(corpus(big, args.seed), OUT / f"work-{big}", big, args.runs,
                                                 args.build_runs)
        r["sizes"] = site_sizes(SiteDir(work / "search").site)
        if not args.skip_browser:
            with chromium() as browser:
                r["search"] = search_bytes(SiteDir(work / "search").site, browser)
        write(args.out, r, args)
    if not args.skip_browser:
        r["preview"] = previews(content, work, args.runs, None if args.skip_build else SiteDir(work / "search").cache)
        write(args.out, r, args)
    if not args.skip_build:
        r["partitions"] = {}
        for k in args.partitions or [configured]:
            if k == configured:  # the reference builds are these
                b = r["builds"][str(ref)]
                r["partitions"][str(k)] = {"configured": True, "cold": b["cold"], "edit": b["edit"],
                                           "search": r.get("search")}
                continue
            r["partitions"][str(k)] = partition_builds(content, work, k, args.runs, not args.skip_browser)
            write(args.out, r, args)
    write(args.out, r, args)
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
