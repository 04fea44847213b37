"""Start-up: from launching ``scrapy crawl site`` to its first request, Heed against stock.

A local server records when each crawl's first request arrives (robots.txt, for both); the time
from launching the process to that arrival is the start-up. Stock Scrapy runs the same
``site`` spider code with ``scrapy runspider`` and ``ROBOTSTXT_OBEY=True``. Crawls alternate,
each in a fresh subprocess; medians are kept. The modules a crawl loaded are listed too, to
show that the report, export and asset-format code (pyarrow, c2pa, pypdf) stays unloaded.

    .venv/bin/python bench/startup.py                # writes docs/benchmarks.md
    .venv/bin/python bench/startup.py --rounds 2     # a quick run, writes nothing
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

from bench.crawl import SHARED, STOCK, _command, machine_busy  # noqa: E402
from bench.report import median, write_section  # noqa: E402

# Modules a crawl must not load (they serve reports, exports and other formats).
UNNEEDED = ("pyarrow", "c2pa", "pypdf", "crawler.report", "crawler.log.export", "extruct")
_PROBE = "import atexit, sys; atexit.register(lambda: print('MODULES', *sorted(sys.modules)))"


class FirstArrival(BaseHTTPRequestHandler):
    """Answers 404 to everything and notes when the first request of a crawl arrived."""

    arrivals: list[float] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).arrivals.append(time.monotonic())
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


def start_up(kind: str, url: str, modules: bool = False) -> tuple[float, set[str]]:
    """Seconds from launching a crawl of ``url`` to its first request; modules it loaded."""
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH.parent), env.get("PYTHONPATH")]))
    if kind == "heed":
        env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    settings = STOCK if kind == "stock" else SHARED
    with tempfile.TemporaryDirectory(prefix="heed-startup-") as tmp:
        args = _command(kind, settings, url, Path(tmp))
        if modules:  # ``python -m scrapy ARGS`` as ``python -c CODE ARGS``, listing modules
            args[1:3] = ["-c", f"{_PROBE}; from scrapy.cmdline import execute; execute()"]
        FirstArrival.arrivals.clear()
        launched = time.monotonic()
        proc = subprocess.run(args, cwd=tmp, env=env, capture_output=True, text=True, check=False)
    if proc.returncode or not FirstArrival.arrivals:
        sys.exit(f"{kind}: exit {proc.returncode}\n{proc.stderr[-3000:]}")
    loaded = set()
    for line in proc.stdout.splitlines():
        if line.startswith("MODULES "):
            loaded = set(line.split()[1:])
    return FirstArrival.arrivals[0] - launched, loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FirstArrival)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    times: dict[str, list[float]] = {"stock": [], "heed": []}
    loads = []
    try:
        for round_no in range(args.rounds):
            for kind in times:
                busy, started = machine_busy(), time.perf_counter()
                seconds, _ = start_up(kind, url)
                loads.append((machine_busy() - busy) / (time.perf_counter() - started))
                times[kind].append(seconds)
                print(f"round {round_no + 1}/{args.rounds} {kind}: {seconds:.3f} s", flush=True)
        _, loaded = start_up("heed", url, modules=True)
    finally:
        server.shutdown()
    unneeded = sorted(m for m in loaded if m.split(".")[0] in UNNEEDED or m.startswith(UNNEEDED))
    stock, heed = median(times["stock"]), median(times["heed"])
    text = "\n".join(
        [
            "## Start-up (launch to first request)",
            "",
            "From launching the crawl process to the arrival of its first request (robots.txt)",
            f"at a local server; medians of {args.rounds} alternating rounds; the machine was "
            f"{100 * median(loads):.0f} % of a core busy meanwhile (crawl included).",
            "",
            "| crawler | launch to first request |",
            "|---|---|",
            f"| stock Scrapy (`scrapy runspider`, `ROBOTSTXT_OBEY=True`) | {stock:.3f} s |",
            f"| Heed (`scrapy crawl site`) | {heed:.3f} s |",
            "",
            f"**Heed / stock: {heed / stock:.2f}x.** Modules a Heed crawl loaded of "
            f"{', '.join(UNNEEDED)}: {', '.join(unneeded) or 'none'}.",
            "",
            f"Reproduce: `.venv/bin/python bench/startup.py --rounds {args.rounds}`",
        ]
    )
    print("\n" + text)
    if args.rounds >= 5:
        print(write_section("startup", text))


if __name__ == "__main__":
    main()
