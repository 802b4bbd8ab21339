#!/usr/bin/env python3
"""Open-loop load on registration and sign-in: RATE requests/s for SECONDS
each (new accounts, then sign-ins of those accounts), whatever the answers
take; reports every status and the latency percentiles. Standard library only.

    scripts/bench-accounts.py http://127.0.0.1:PORT [RATE] [SECONDS]
"""
import http.client, sys, threading, time, urllib.parse, re, statistics
from concurrent.futures import ThreadPoolExecutor

base = urllib.parse.urlparse(sys.argv[1])
rate = float(sys.argv[2]) if len(sys.argv) > 2 else 50
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 20

def request(method, path, body=None, cookie=""):
    c = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
    headers = {"Cookie": cookie}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, r.getheader("Set-Cookie") or "", data.decode("utf-8", "replace")

status, set_cookie, page = request("GET", "/it/accesso")
token = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
cookie = set_cookie.split(";")[0]
run = str(int(time.time()))

def register(i):
    form = urllib.parse.urlencode({"name": f"Bench {i}", "email": f"bench{run}-{i}@example.org",
                                   "password": "bench password long", "password2": "bench password long", "csrf": token})
    return request("POST", "/it/accesso/registrati", form, cookie)[0]

def login(i):
    form = urllib.parse.urlencode({"email": f"bench{run}-{i}@example.org", "password": "bench password long", "csrf": token})
    return request("POST", "/it/accesso/entra", form, cookie)[0]

def phase(name, fn, expected):
    n = int(rate * seconds)
    results = [None] * n
    def timed(i):
        t = time.perf_counter()
        s = fn(i)
        results[i] = (s, (time.perf_counter() - t) * 1000)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=200) as pool:
        for i in range(n):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(timed, i)
    elapsed = time.perf_counter() - start
    lat = sorted(r[1] for r in results)
    statuses = {}
    for r in results:
        statuses[r[0]] = statuses.get(r[0], 0) + 1
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
    print(f"{name}: {n} requests in {elapsed:.1f} s ({n / elapsed:.1f}/s); statuses {statuses}; "
          f"latency ms p50 {q(0.5):.1f} p90 {q(0.9):.1f} p99 {q(0.99):.1f} max {lat[-1]:.1f}")
    return statuses.get(expected, 0) == n

# Registration answers 200 with the same page for a new or known address; sign-in redirects (303).
ok = phase("register", register, 200) and phase("login", login, 303)
sys.exit(0 if ok else 1)
