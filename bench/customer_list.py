#!/usr/bin/env python3
"""Customer list latency and CSV export cost at scale, on SQLite and PostgreSQL.

For each engine and size: a fresh database, `gatehouse seed --customers N`, an
admin and an API token, then the release server; times search + filter + sort
+ page queries (p50/p95 over the rounds) and a CSV export of every customer
(seconds, and the server's peak resident memory from /proc).

Usage: bench/customer_list.py [--sizes 100000,1000000] [--engines sqlite,postgres] [--rounds 30]
PostgreSQL: GATEHOUSE_BENCH_PG (default postgres://postgres@127.0.0.1:5432/postgres)
must allow creating databases. Needs: cargo build --release -p gatehouse
"""
import argparse, json, os, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "gatehouse")
PG = os.environ.get("GATEHOUSE_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
QUERIES = [
    ("search common name 'lovelace' (1 %), sort last_name", "q=lovelace&sort=last_name&per_page=50"),
    ("search common name 'lovelace', sort -created_at", "q=lovelace&sort=-created_at&per_page=50"),
    ("search rare name 'torvelan', sort last_name", "q=torvelan&sort=last_name&per_page=50"),
    ("search 'engin' + country DE, sort -created_at", "q=engin&country=de&sort=-created_at&per_page=50"),
    ("status pending + site, sort company, page 20", "status=pending&site=main&sort=company&per_page=50&page=20"),
    ("no filter, sort -last_name, page 1", "sort=-last_name&per_page=50"),
    ("company 'storage' (part of 2 names, 5 %), sort last_name", "company=storage&sort=last_name&per_page=50"),
]


def gh(args, data, url, stdin=None):
    env = dict(os.environ, GATEHOUSE_LOG="warn")
    return subprocess.run([BIN, "--data", data, "--database-url", url] + args, input=stdin, env=env,
                          capture_output=True, text=True, check=True).stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run(engine, size, rounds):
    data = tempfile.mkdtemp(prefix="gatehouse-bench-")
    dbname = None
    if engine == "sqlite":
        url = f"sqlite://{data}/gatehouse.db"
    else:
        dbname = "gatehouse_bench_" + uuid.uuid4().hex[:12]
        subprocess.run(["psql", PG, "-qc", f'CREATE DATABASE "{dbname}"'], check=True)
        url = PG.rsplit("/", 1)[0] + "/" + dbname
    try:
        started = time.perf_counter()
        gh(["seed", "--customers", str(size)], data, url)
        seed_s = time.perf_counter() - started
        gh(["staff", "add", "--email", "bench@example.com", "--role", "admin", "--password-stdin"], data, url,
           stdin="a long and unusual passphrase")
        token = gh(["token", "create", "--staff", "bench@example.com", "--name", "bench"], data, url).strip().splitlines()[-1]
        port = free_port()
        server = subprocess.Popen([BIN, "--data", data, "--database-url", url, "serve", "--bind", f"127.0.0.1:{port}"],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                  env=dict(os.environ, GATEHOUSE_LOG="warn"))
        try:
            for line in server.stdout:
                if line.startswith("Gatehouse is listening"):
                    break
            base = f"http://127.0.0.1:{port}"

            def get(path):
                req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
                t = time.perf_counter()
                with urllib.request.urlopen(req) as r:
                    body = r.read()
                return time.perf_counter() - t, body

            results = []
            for name, query in QUERIES:
                get(f"/api/v1/customers?{query}")  # warm
                times = sorted(get(f"/api/v1/customers?{query}")[0] * 1000 for _ in range(rounds))
                page = json.loads(get(f"/api/v1/customers?{query}")[1])
                total = f"{page['total']}" if page["total_exact"] else f"more than {page['total']}"
                results.append((name, statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], total))
            before = peak_rss_mib(server.pid)
            t, body = get("/api/v1/customers.csv")
            rows = body.count(b"\n") - 1
            after = peak_rss_mib(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=60)
        print(f"\n{engine}, {size} customers (seeded in {seed_s:.0f} s):")
        for name, p50, p95, total in results:
            print(f"  {name:48} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  ({total} match)")
        print(f"  CSV export of {rows} rows: {t:.1f} s; server peak resident memory {before:.0f} MiB before, {after:.0f} MiB after")
        sys.stdout.flush()
    finally:
        shutil.rmtree(data, ignore_errors=True)
        if dbname:
            subprocess.run(["psql", PG, "-qc", f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'], check=False)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="100000,1000000")
    p.add_argument("--engines", default="sqlite,postgres")
    p.add_argument("--rounds", type=int, default=30)
    a = p.parse_args()
    if not os.path.exists(BIN):
        sys.exit(f"no release binary at {BIN}: cargo build --release -p gatehouse")
    print(f"customer list benchmark, {os.cpu_count()} cores, release build, {a.rounds} rounds per query")
    for size in [int(s) for s in a.sizes.split(",")]:
        for engine in a.engines.split(","):
            run(engine, size, a.rounds)


if __name__ == "__main__":
    main()
