#!/usr/bin/env python3
"""GET /me on two nodes while both serve sign-ins (PostgreSQL).

Starts two release `gatehouse serve` nodes, A and B, on one new PostgreSQL
database. One customer (bench@example.com) is signed in on each node; for
--seconds, wrk asks each node for `GET /me` with 8 clients at once, while a
loop signs a second customer (signer@example.com) in through A and B in
turn, --signins-per-second in all. Every sign-in changes the signer's
account and is announced to the other node.

Prints, per node, `/me` requests per second and how many of them read the
session from the database instead of the node's copy (the store's
`sessions.session_by_hash` operations per `/me`, from `/metrics`). A node
that dropped every copy at each change anywhere reads once per sign-in on
either node; one that drops only the changed account's copies reads about
once per second (the copies' time to live).

Usage: bench/two_nodes.py [--seconds 10] [--signins-per-second 20] [--skip-build]
       GATEHOUSE_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
       names the server; a database of its own is made there and dropped after.
       CARGO_TARGET_DIR names the build to measure.
"""
import argparse, importlib.machinery, os, re, shutil, subprocess, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
run = importlib.machinery.SourceFileLoader("bench_run", os.path.join(ROOT, "bench", "run")).load_module()

SIGNER = "signer@example.com"


def activate(server, data, email):
    """Registers `email` on the main site and activates it from its mail."""
    status = run.request(server.base + "/api/v1/sites/main/registrations",
                         {"email": email, "password": run.PASSWORD, "first_name": "B", "last_name": "Ench"})[0]
    assert status in (200, 201, 202), f"registration answered {status}"
    mail = os.path.join(data, "mail")
    for _ in range(400):
        for name in sorted(os.listdir(mail)) if os.path.isdir(mail) else []:
            raw = open(os.path.join(mail, name), newline="").read().replace("=\r\n", "").replace("=3D", "=")
            m = re.search(r"activate\?token=([A-Za-z0-9_-]+)", raw)
            if m and re.search(rf"^To:.*{re.escape(email)}", raw, re.M | re.I):
                status = run.request(server.base + "/api/v1/sites/main/verifications", {"token": m.group(1)})[0]
                assert status == 200, f"activation answered {status}"
                return
        time.sleep(0.05)
    raise SystemExit(f"no activation mail for {email}")


def sign_in(base, email):
    status, headers, body = run.request(base + "/api/v1/sites/main/sessions",
                                        {"login_id": email, "password": run.PASSWORD})
    assert status == 200, f"sign-in answered {status}: {body!r}"
    return headers.get("set-cookie").split(";", 1)[0]


def session_reads(base):
    """How many sessions this node has read from the database so far."""
    text = run.request(base + "/metrics")[2].decode()
    m = re.search(r'^gatehouse_store_operation_seconds_count\{op="sessions.session_by_hash"\} (\d+)', text, re.M)
    return int(m.group(1)) if m else 0


def sign_ins(bases, per_second, stop, done):
    pause = 1 / per_second if per_second > 0 else None
    i = 0
    while pause is not None and not stop.is_set():
        started = time.perf_counter()
        sign_in(bases[i % len(bases)], SIGNER)
        done.append(1)
        i += 1
        time.sleep(max(0.0, pause - (time.perf_counter() - started)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--signins-per-second", type=float, default=20)
    p.add_argument("--skip-build", action="store_true")
    args = p.parse_args()
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "-p", "gatehouse"], cwd=ROOT, check=True)
    with run.new_database() as url:
        measure(args, url)


def measure(args, url):
    dirs = [tempfile.mkdtemp(prefix="gatehouse-2n-") for _ in range(2)]
    nodes = []
    try:
        a = run.Server(dirs[0], url)
        nodes.append(a)
        # Both accounts made before B starts, so that A delivers the mail.
        activate(a, dirs[0], "bench@example.com")
        activate(a, dirs[0], SIGNER)
        b = run.Server(dirs[1], url)
        nodes.append(b)
        cookies = [sign_in(n.base, "bench@example.com") for n in nodes]
        for n, c in zip(nodes, cookies):
            assert run.request(n.base + "/api/v1/sites/main/me", cookie=c)[0] == 200
        before = [session_reads(n.base) for n in nodes]
        stop, done, results = threading.Event(), [], {}
        signer = threading.Thread(target=sign_ins, args=([n.base for n in nodes], args.signins_per_second, stop, done))

        def load(i):
            results[i] = run.wrk(nodes[i].base + "/api/v1/sites/main/me", 8, args.seconds,
                                 headers=[f"Cookie: {cookies[i]}"])
        loads = [threading.Thread(target=load, args=(i,)) for i in range(2)]
        started = time.perf_counter()
        signer.start()
        for t in loads:
            t.start()
        for t in loads:
            t.join()
        stop.set()
        signer.join()
        elapsed = time.perf_counter() - started
        after = [session_reads(n.base) for n in nodes]
        print(f"sign-ins: {len(done)} in {elapsed:.1f} s ({len(done) / elapsed:.1f}/s, A and B in turn)")
        for i, label in enumerate("AB"):
            r = results[i]
            total = int(re.search(r"(\d+) requests in", r["out"]).group(1))
            reads = after[i] - before[i]
            print(f"node {label}: /me {r['rps']:.0f} req/s; session reads from the database "
                  f"{reads} for {total} requests ({reads / max(total, 1):.4f} per /me)")
    finally:
        for n in nodes:
            n.stop()
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
