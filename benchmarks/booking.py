"""A booking driver, run as its own process: python -m benchmarks.booking BASE SLUG ...

Each client books as a person does: GET the form (its CSRF token and cookie),
POST it, follow the redirect to "check your email". Each client comes from its
own address (X-Forwarded-For: the server trusts one proxy in the bench) and
every booking uses a new email. Prints one JSON line: completed bookings,
failures, bookings per second and the client's view of a booking's latency.
Only ever targets loopback.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import threading
import time
import urllib.parse

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    """One person's browser: a keep-alive connection, its cookies and its own address."""

    def __init__(self, base: str, number: int):
        parts = urllib.parse.urlsplit(base)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("the booking driver only targets loopback")
        self.host, self.port = parts.hostname, parts.port
        self.address = f"10.{number // 250 % 250}.{number % 250}.{1 + number // 62500}"
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, str]:
        headers = {"X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            return 0, "", ""
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers.get("Location", ""), text

    def book(self, slug: str, email: str) -> bool:
        """One whole booking; whether it reached the confirmation page."""
        status, _, form = self.request("GET", f"/events/{slug}/register")
        token = TOKEN.search(form)
        if status != 200 or token is None:
            return False
        fields = {
            "csrf_token": token[1],
            "first_name": "Bench",
            "last_name": "Booker",
            "email": email,
            "organisation": "Bench Police",
            "job_title": "Constable",
            "category": "police_officer",
            "privacy": "y",
        }
        status, location, _ = self.request(
            "POST", f"/events/{slug}/register", urllib.parse.urlencode(fields)
        )
        if status != 302:
            return False
        status, _, _ = self.request("GET", urllib.parse.urlsplit(location).path)
        return status == 200


def run(base: str, slug: str, clients: int, seconds: float, bookings: int, tag: str) -> dict:
    """`clients` people booking at once, for `seconds` or until `bookings` in all."""
    done: list[float] = []
    failed: list[int] = []
    lock = threading.Lock()
    counter = iter(range(10**9))
    stop_at = time.perf_counter() + seconds

    def person(number: int) -> None:
        client = Client(base, number)
        while time.perf_counter() < stop_at:
            with lock:
                n = next(counter)
                if n >= bookings:
                    return
            started = time.perf_counter()
            ok = client.book(slug, f"{tag}-{n}@bench.example.org")
            with lock:
                (done.append(time.perf_counter() - started) if ok else failed.append(n))

    threads = [threading.Thread(target=person, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "bookings": len(done),
        "failed": len(failed),
        "seconds": round(wall, 2),
        "per_second": round(len(done) / wall, 1),
        "p50_ms": round(statistics.median(done) * 1000, 1) if done else None,
    }


def main() -> None:
    """Parse arguments, run, print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("slug")
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--bookings", type=int, default=10**9)
    parser.add_argument("--tag", default="bench")
    a = parser.parse_args()
    print(json.dumps(run(a.base, a.slug, a.clients, a.seconds, a.bookings, a.tag)))


if __name__ == "__main__":
    main()
