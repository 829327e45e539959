#!/usr/bin/env python3
"""How fast a revocation on one node reaches another (PostgreSQL).

Starts two release `gatehouse serve` nodes, A and B, on one new PostgreSQL
database. A customer signs in through B and reads GET /me there (so that B
holds its copy of the session). A staff user blocks the account through A;
the clock starts when A's answer arrives, and B is asked for /me in a tight
loop until it refuses (401). Then the account is unblocked and the round
repeats. The same is done for a sign-out through A.

It also checks the guarantee that needs no timing: a write through B right
after the block on A is refused every time.

Prints p50, p99 and max of the time from A's answer to B's first refusal.
Goal: p99 under 50 ms (without announcements a node would keep serving for
its copies' full time to live, 1 s).

Usage: bench/revocation.py [--rounds 200] [--skip-build]
       GATEHOUSE_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
       names the server; a database of its own is made there and dropped after.
"""
import argparse, importlib.machinery, json, os, shutil, statistics, subprocess, sys, tempfile, time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
run = importlib.machinery.SourceFileLoader("bench_run", os.path.join(ROOT, "bench", "run")).load_module()


def call(method, url, body=None, cookie=None, bearer=None):
    headers = {"content-type": "application/json"}
    if cookie:
        headers["cookie"] = cookie
    if bearer:
        headers["authorization"] = f"Bearer {bearer}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def sign_in(base):
    status, headers, body = call("POST", base + "/api/v1/sites/main/sessions",
                                 {"login_id": "bench@example.com", "password": run.PASSWORD})
    assert status == 200, f"sign-in answered {status}: {body!r}"
    return headers.get("set-cookie").split(";", 1)[0]


def until_refused(base, cookie):
    """Asks B for /me until it answers 401; answers the moment it did."""
    for _ in range(100000):
        status = call("GET", base + "/api/v1/sites/main/me", cookie=cookie)[0]
        if status == 401:
            return time.perf_counter()
        assert status == 200, status
    sys.exit("B never refused")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=200)
    p.add_argument("--skip-build", action="store_true")
    args = p.parse_args()
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "-p", "gatehouse"], cwd=ROOT, check=True)
    with run.new_database() as url:
        measure(args, url)


def measure(args, url):
    dirs = [tempfile.mkdtemp(prefix="gatehouse-rev-") for _ in range(2)]
    nodes = []
    try:
        a = run.Server(dirs[0], url)
        nodes.append(a)
        env = dict(run.ENV, GATEHOUSE_DATABASE_URL=url)
        subprocess.run([run.BIN, "--data", dirs[0], "staff", "add", "--email", "admin@example.com", "--role",
                        "admin", "--password-stdin"], input="a long and unusual passphrase", text=True,
                       env=env, check=True, capture_output=True)
        out = subprocess.run([run.BIN, "--data", dirs[0], "token", "create", "--staff", "admin@example.com",
                              "--name", "bench"], env=env, check=True, capture_output=True, text=True).stdout
        token = out.strip().splitlines()[-1]
        # Prepared before B starts, so that A delivers the activation mail.
        run.prepare_account(a, dirs[0])
        b = run.Server(dirs[1], url)
        nodes.append(b)
        status, _, body = call("GET", a.base + "/api/v1/accounts?q=bench%40example.com", bearer=token)
        account = json.loads(body)["items"][0]["id"]
        block_ms, signout_ms, writes_refused, writes_tried = [], [], 0, 0
        for i in range(args.rounds):
            cookie = sign_in(b.base)
            assert call("GET", b.base + "/api/v1/sites/main/me", cookie=cookie)[0] == 200
            assert call("GET", b.base + "/api/v1/sites/main/me", cookie=cookie)[0] == 200
            block = i % 2 == 0
            # Every other round of each kind tries a write through B first
            # instead of timing the reads.
            timed = i % 4 < 2
            if block:
                status = call("POST", a.base + "/api/v1/accounts/actions",
                              {"action": "block", "ids": [account]}, bearer=token)[0]
            else:
                status = call("DELETE", a.base + "/api/v1/sites/main/sessions/current", cookie=cookie)[0]
            answered = time.perf_counter()
            assert status in (200, 204), status
            if timed:
                (block_ms if block else signout_ms).append((until_refused(b.base, cookie) - answered) * 1000)
            else:
                writes_tried += 1
                if call("PATCH", b.base + "/api/v1/sites/main/me", {"city": "After"}, cookie=cookie)[0] == 401:
                    writes_refused += 1
                until_refused(b.base, cookie)
            if block:
                status = call("POST", a.base + "/api/v1/accounts/actions",
                              {"action": "unblock", "ids": [account]}, bearer=token)[0]
                assert status == 200, status
        for label, values in (("block on A → refusal on B", block_ms), ("sign-out on A → refusal on B", signout_ms)):
            print(f"{label}: n={len(values)} p50={statistics.median(values):.1f} ms "
                  f"p99={pct(values, 99):.1f} ms max={max(values):.1f} ms")
        print(f"writes through B right after a block or sign-out on A refused: {writes_refused} of {writes_tried}")
    finally:
        for n in nodes:
            n.stop()
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
