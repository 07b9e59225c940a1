"""A small load driver, run as its own process: python -m benchmarks.load URL [URL...]

Fires requests from a pool of threads for a fixed count and prints one JSON line with
throughput and latency percentiles. Only ever targets loopback.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
import urllib.parse


def _worker(urls, count, results, errors, lock):
    connections: dict[tuple[str, int], http.client.HTTPConnection] = {}
    for i in range(count):
        parts = urllib.parse.urlsplit(urls[i % len(urls)])
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("the load driver only targets loopback")
        key = (parts.hostname, parts.port)
        conn = connections.get(key) or http.client.HTTPConnection(*key, timeout=30)
        connections[key] = conn
        started = time.perf_counter()
        try:
            conn.request("GET", parts.path or "/")
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            connections.pop(key, None)
            status = 0
        elapsed = time.perf_counter() - started
        with lock:
            results.append(elapsed)
            if status != 200:
                errors.append(status)


def run(urls: list[str], requests: int, concurrency: int) -> dict:
    """Drive the URLs and measure."""
    results: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    per_thread = max(requests // concurrency, 1)
    threads = [
        threading.Thread(target=_worker, args=(urls, per_thread, results, errors, lock))
        for _ in range(concurrency)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(results)

    def pct(p):
        return round(ordered[min(int(len(ordered) * p), len(ordered) - 1)] * 1000, 1)

    return {
        "requests": len(results),
        "errors": len(errors),
        "seconds": round(wall, 2),
        "per_second": round(len(results) / wall, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(results) * 1000, 1),
    }


def main() -> None:
    """Parse arguments, run, print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    print(json.dumps(run(args.urls, args.requests, args.concurrency)))


if __name__ == "__main__":
    main()
