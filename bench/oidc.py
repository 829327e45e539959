#!/usr/bin/env python3
"""OpenID provider throughput on the embedded default (SQLite), with wrk.

Starts a release `gatehouse serve` on a new SQLite data folder, registers a
confidential first-party app, signs one customer in through the code flow
with PKCE 24 times (24 grants with refresh tokens: one per connection and
spares), and measures with 16 concurrent clients:

  1. refresh-token grants per second: each connection walks its own chain
     of rotated tokens (bench/refresh.lua), so every token is used once and
     every answer is a real rotation (a new access, ID and refresh token);
  2. client_credentials grants per second (bench/client_credentials.lua);
  3. userinfo (GET, bearer) throughput as a ratio to the bare axum
     endpoint (`gatehouse bench-hello`), measured back to back in pairs
     like bench/run's /me.

Only 200 answers count; any other status is printed. Every figure is the
median of --runs runs; goals (issue #14): refresh and client_credentials
each at least 2 000/s on a 2-core machine, userinfo at least 0.5 of hello.

With --database-url (a PostgreSQL server URL whose user may create
databases), each run uses a new database on that server instead.

Usage: bench/oidc.py [--runs 3] [--pairs 3] [--seconds 5] [--database-url URL] [--skip-build]
"""
import argparse, base64, hashlib, importlib.machinery, json, os, re, secrets, shutil, statistics, subprocess, sys, tempfile, time
import urllib.error, urllib.parse, urllib.request, http.client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
run = importlib.machinery.SourceFileLoader("bench_run", os.path.join(ROOT, "bench", "run")).load_module()
CLIENTS = 16
REDIRECT = "http://127.0.0.1:9/callback"


def call(method, url, body=None, bearer=None, cookie=None, form=None, basic=None):
    """One request without following redirects: (status, headers, body)."""
    parts = urllib.parse.urlsplit(url)
    headers = {}
    data = None
    if body is not None:
        headers["content-type"] = "application/json"
        data = json.dumps(body).encode()
    if form is not None:
        headers["content-type"] = "application/x-www-form-urlencoded"
        data = urllib.parse.urlencode(form).encode()
    if bearer:
        headers["authorization"] = f"Bearer {bearer}"
    if basic:
        headers["authorization"] = basic
    if cookie:
        headers["cookie"] = cookie
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    path = parts.path + ("?" + parts.query if parts.query else "")
    conn.request(method, path, body=data, headers=headers)
    r = conn.getresponse()
    out = (r.status, r.headers, r.read())
    conn.close()
    return out


def grant(base, client_id, basic, cookie):
    """The code flow with PKCE for the signed-in customer: its tokens."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urllib.parse.urlencode({"client_id": client_id, "redirect_uri": REDIRECT, "response_type": "code",
                                    "scope": "openid profile email offline_access", "state": "s",
                                    "code_challenge": challenge, "code_challenge_method": "S256"})
    status, headers, body = call("GET", f"{base}/s/main/oauth2/authorize?{query}", cookie=cookie)
    assert status == 303, f"authorize answered {status}: {body!r}"
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(headers["location"]).query)["code"][0]
    status, _, body = call("POST", f"{base}/s/main/oauth2/token", basic=basic,
                           form={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                                 "code_verifier": verifier})
    assert status == 200, f"token answered {status}: {body!r}"
    return json.loads(body)


def fresh_database(server_url, n):
    """A new, empty PostgreSQL database on the server of `server_url`."""
    parts = urllib.parse.urlsplit(server_url)
    name = f"gh_bench_oidc_{os.getpid()}_{n}"
    subprocess.run(["psql", server_url, "-qc", f"DROP DATABASE IF EXISTS {name}", "-qc", f"CREATE DATABASE {name}"],
                   check=True, capture_output=True)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def one_run(args, n=0):
    fig = {}
    data = tempfile.mkdtemp(prefix="gatehouse-bench-oidc-")
    url = fresh_database(args.database_url, n) if args.database_url else None
    server = run.Server(data, url)
    hello = None
    try:
        env = dict(run.ENV)
        if url:
            env["GATEHOUSE_DATABASE_URL"] = url
        subprocess.run([run.BIN, "--data", data, "staff", "add", "--email", "admin@example.com", "--role",
                        "admin", "--password-stdin"], input="a long and unusual passphrase", text=True,
                       env=env, check=True, capture_output=True)
        out = subprocess.run([run.BIN, "--data", data, "token", "create", "--staff", "admin@example.com",
                              "--name", "bench", "--scope", "admin"], env=env, check=True,
                             capture_output=True, text=True).stdout
        token = out.strip().splitlines()[-1]
        cookie = run.prepare_account(server, data)
        status, _, body = call("POST", server.base + "/api/v1/sites/main/clients", bearer=token, body={
            "name": "Bench shop", "type": "confidential", "first_party": True, "redirect_uris": [REDIRECT],
            "scopes": ["openid", "profile", "email", "offline_access", "gatehouse"]})
        assert status == 201, f"registering the app answered {status}: {body!r}"
        made = json.loads(body)
        basic = "Basic " + base64.b64encode(f"{made['client_id']}:{made['client_secret']}".encode()).decode()
        # A few spare chains: wrk asks once more than it has connections
        # when it starts (a token taken without an answer is lost).
        tokens = [grant(server.base, made["client_id"], basic, cookie) for _ in range(CLIENTS + 8)]
        access = tokens[0]["access_token"]
        assert call("GET", server.base + "/s/main/oauth2/userinfo", bearer=access)[0] == 200

        token_url = server.base + "/s/main/oauth2/token"
        wrk_env = dict(os.environ, GATEHOUSE_BENCH_BASIC=basic, GATEHOUSE_BENCH_THREADS="2",
                       GATEHOUSE_BENCH_REFRESH="\n".join(t["refresh_token"] for t in tokens))
        refresh = wrk_with_env(token_url, args.seconds, os.path.join(ROOT, "bench", "refresh.lua"), wrk_env)
        fig["refresh_rps"], fig["refresh_statuses"] = refresh["ok_rps"], refresh["statuses"]
        for q in (50, 90, 99):
            fig[f"refresh_p{q}_ms"] = refresh["latency_ms"].get(q, float("nan"))
        machine = wrk_with_env(token_url, args.seconds, os.path.join(ROOT, "bench", "client_credentials.lua"), wrk_env)
        fig["client_credentials_rps"], fig["client_credentials_statuses"] = machine["ok_rps"], machine["statuses"]

        hello_port = run.free_port()
        hello = subprocess.Popen([run.BIN, "--data", data, "bench-hello", "--bind", f"127.0.0.1:{hello_port}"],
                                 env=run.ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(400):
            try:
                if run.request(f"http://127.0.0.1:{hello_port}/hello")[0] == 200:
                    break
            except OSError:
                time.sleep(0.01)
        # A fresh access token: the refresh run rotated the first grant's
        # tokens, and an access token outlives its refresh token's rotation.
        access = grant(server.base, made["client_id"], basic, cookie)["access_token"]
        pairs = {"hello_rps": [], "userinfo_rps": [], "userinfo_over_hello": []}
        for _ in range(args.pairs):
            bare = run.wrk(f"http://127.0.0.1:{hello_port}/hello", CLIENTS, args.seconds)["rps"]
            info = run.wrk(server.base + "/s/main/oauth2/userinfo", CLIENTS, args.seconds,
                           headers=[f"Authorization: Bearer {access}"])
            assert set(info["statuses"]) <= {200}, info["statuses"]
            pairs["hello_rps"].append(bare)
            pairs["userinfo_rps"].append(info["rps"])
            pairs["userinfo_over_hello"].append(info["rps"] / bare)
        for key, values in pairs.items():
            fig[key] = statistics.median(values)
    finally:
        if hello:
            hello.terminate()
            hello.wait(timeout=30)
        server.stop()
        shutil.rmtree(data, ignore_errors=True)
    return fig


def wrk_with_env(url, seconds, script, env):
    args = ["wrk", "-t", "2", "-c", str(CLIENTS), "-d", f"{seconds}s", "--latency", "--timeout", "10s",
            "-s", script, url]
    out = subprocess.run(args, capture_output=True, text=True, check=True, env=env).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    statuses = {int(c): int(n) for c, n in re.findall(r"^status (\d+) (\d+)$", out, re.M)}
    total = sum(statuses.values())
    # wrk --latency prints the 50, 75, 90 and 99th percentiles.
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {int(q): float(v) * unit[u]
               for q, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    return {"rps": rps, "ok_rps": rps * statuses.get(200, 0) / total if total else 0.0, "statuses": statuses,
            "latency_ms": latency}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--pairs", type=int, default=3)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--skip-build", action="store_true")
    p.add_argument("--database-url", help="a PostgreSQL server URL; each run gets a new database there")
    args = p.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed (Debian package wrk)")
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "-p", "gatehouse"], cwd=ROOT, check=True)
    runs = []
    for i in range(args.runs):
        fig = one_run(args, i)
        print(f"run {i + 1}: refresh {fig['refresh_rps']:.0f}/s {fig['refresh_statuses']} "
              f"(p50 {fig['refresh_p50_ms']:.1f} ms, p90 {fig['refresh_p90_ms']:.1f} ms, p99 {fig['refresh_p99_ms']:.1f} ms), "
              f"client_credentials {fig['client_credentials_rps']:.0f}/s {fig['client_credentials_statuses']}, "
              f"userinfo {fig['userinfo_rps']:.0f}/s = {fig['userinfo_over_hello']:.2f} of hello "
              f"({fig['hello_rps']:.0f}/s)", flush=True)
        runs.append(fig)
    med = lambda k: statistics.median(r[k] for r in runs)
    print(f"median of {len(runs)}: refresh-token grants {med('refresh_rps'):.0f}/s "
          f"(p50 {med('refresh_p50_ms'):.1f} ms, p90 {med('refresh_p90_ms'):.1f} ms, p99 {med('refresh_p99_ms'):.1f} ms), "
          f"client_credentials grants {med('client_credentials_rps'):.0f}/s (16 clients, {'PostgreSQL' if args.database_url else 'SQLite'}; goal >= 2000/s each); "
          f"userinfo {med('userinfo_rps'):.0f}/s = {med('userinfo_over_hello'):.2f} of bare axum hello "
          f"{med('hello_rps'):.0f}/s (goal >= 0.5)")


if __name__ == "__main__":
    main()
