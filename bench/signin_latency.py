#!/usr/bin/env python3
"""Sign-in latency of a release build, one client at a time.

Starts `gatehouse serve` (release) on a fresh SQLite data folder, registers and
activates one account through the API (reading the link from the delivered
mail), then times sequential sign-ins: right password, wrong password, and an
unknown login ID. Prints the median and 90th percentile of each, and the ratio
unknown/wrong, which should be close to 1 (the same time class: no account
enumeration by timing).

Usage: bench/signin_latency.py [ROUNDS]   (default 30; needs a release build:
cargo build --release -p gatehouse)
"""
import json, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request, urllib.error

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "gatehouse")
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 30
PASSWORD = "correct horse battery staple"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req) as r:
            status = r.status
            r.read()
    except urllib.error.HTTPError as e:
        status = e.code
        e.read()
    return status, time.perf_counter() - start


def main():
    if not os.path.exists(BIN):
        sys.exit(f"no release binary at {BIN}: run cargo build --release -p gatehouse")
    data = tempfile.mkdtemp(prefix="gatehouse-bench-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, GATEHOUSE_RATE_LIMIT_PER_IP="1000000", GATEHOUSE_RATE_LIMIT_PER_ACCOUNT="1000000")
    server = subprocess.Popen([BIN, "--data", data, "serve", "--bind", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in server.stdout:
            if line.startswith("Gatehouse is listening"):
                break
        call(base, "/api/v1/sites/main/registrations",
             {"email": "bench@example.com", "password": PASSWORD, "first_name": "B", "last_name": "Ench"})
        link = None
        for _ in range(200):
            mail = os.path.join(data, "mail")
            for name in os.listdir(mail) if os.path.isdir(mail) else []:
                raw = open(os.path.join(mail, name), newline="").read().replace("=\r\n", "").replace("=3D", "=")
                m = re.search(r"activate\?token=([A-Za-z0-9_-]+)", raw)
                if m:
                    link = m.group(1)
            if link:
                break
            time.sleep(0.05)
        assert call(base, "/api/v1/sites/main/verifications", {"token": link})[0] == 200
        cases = {
            "right password": ("bench@example.com", PASSWORD, 200),
            "wrong password": ("bench@example.com", "not the password", 401),
            "unknown login ID": ("nobody@example.com", "not the password", 401),
        }
        results = {}
        for name, (login, pw, expected) in cases.items():
            times = []
            for i in range(ROUNDS):
                status, elapsed = call(base, "/api/v1/sites/main/sessions", {"login_id": login, "password": pw})
                assert status == expected, (name, status)
                times.append(elapsed * 1000)
                if name == "wrong password" and i % 3 == 2:
                    # Stay under the lock: a right password resets the counter.
                    call(base, "/api/v1/sites/main/sessions", {"login_id": login, "password": PASSWORD})
            times.sort()
            results[name] = (statistics.median(times), times[int(len(times) * 0.9) - 1])
        cores = os.cpu_count()
        print(f"sign-in latency, one client, {ROUNDS} rounds each, {cores} cores, release build, SQLite:")
        for name, (med, p90) in results.items():
            print(f"  {name:18} median {med:6.1f} ms   p90 {p90:6.1f} ms")
        ratio = results["unknown login ID"][0] / results["wrong password"][0]
        print(f"  unknown / wrong median ratio: {ratio:.2f} (1.00 = same time class)")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
