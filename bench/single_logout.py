#!/usr/bin/env python3
"""Single logout: how long from a portal sign-out's answer until the tenth
app of that session has its back-channel logout token.

Starts a release `gatehouse serve` on a new SQLite data folder (or on
PostgreSQL with --database-url), registers ten apps whose back-channel
logout addresses are paths of one HTTP receiver on 127.0.0.1, and repeats:
sign in on the portal (a new session), let each of the ten apps sign in
through that session (the authorization endpoint answers with a code at
once), sign out, and wait until all ten apps have received a logout token
naming that session's `sid`. Prints p50, p99 and the worst of the time
from the sign-out's answer to the tenth token, and checks every token
named the right session.

Usage: bench/single_logout.py [--rounds 50] [--apps 10] [--database-url URL] [--skip-build]
"""
import argparse, base64, http.server, importlib.machinery, json, os, shutil, statistics, subprocess, sys, tempfile, threading, time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
run = importlib.machinery.SourceFileLoader("bench_run", os.path.join(ROOT, "bench", "run")).load_module()
oidc = importlib.machinery.SourceFileLoader("bench_oidc", os.path.join(ROOT, "bench", "oidc.py")).load_module()
REDIRECT = "http://127.0.0.1:9/callback"


class Receiver:
    """One HTTP server on loopback; `/app{i}` is app i's back-channel address.
    Keeps, per app, the sid of every logout token and when it arrived."""

    def __init__(self):
        self.lock = threading.Condition()
        self.got = {}  # app index -> [(sid, time)]
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("content-length", 0))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                token = form["logout_token"][0]
                claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
                at = time.perf_counter()
                app = int(self.path.rsplit("app", 1)[1])
                with receiver.lock:
                    receiver.got.setdefault(app, []).append((claims.get("sid"), at))
                    receiver.lock.notify_all()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, sid, apps, timeout=30):
        """The time the last of `apps` received a token for `sid`."""
        deadline = time.perf_counter() + timeout
        with self.lock:
            while True:
                last = []
                for i in range(apps):
                    times = [t for s, t in self.got.get(i, []) if s == sid]
                    if not times:
                        break
                    last.append(min(times))
                if len(last) == apps:
                    return max(last)
                left = deadline - time.perf_counter()
                if left <= 0:
                    sys.exit(f"not every app was told within {timeout} s: {self.got}")
                self.lock.wait(left)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=50)
    p.add_argument("--apps", type=int, default=10)
    p.add_argument("--database-url")
    p.add_argument("--skip-build", action="store_true")
    args = p.parse_args()
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    receiver = Receiver()
    data = tempfile.mkdtemp(prefix="gatehouse-bench-slo-")
    server = run.Server(data, args.database_url)
    try:
        env = dict(run.ENV)
        base_args = [run.BIN, "--data", data] + (["--database-url", args.database_url] if args.database_url else [])
        subprocess.run(base_args + ["staff", "add", "--email", "admin@example.com", "--role", "admin",
                                    "--password-stdin"], input="a long and unusual passphrase", text=True,
                       env=env, check=True, capture_output=True)
        out = subprocess.run(base_args + ["token", "create", "--staff", "admin@example.com", "--name", "bench",
                                          "--scope", "admin"], env=env, check=True, capture_output=True,
                             text=True).stdout
        token = out.strip().splitlines()[-1]
        apps = []
        for i in range(args.apps):
            status, _, body = oidc.call("POST", server.base + "/api/v1/sites/main/clients", bearer=token, body={
                "name": f"App {i}", "type": "confidential", "first_party": True, "redirect_uris": [REDIRECT],
                "backchannel_logout_uri": f"http://127.0.0.1:{receiver.port}/app{i}", "scopes": ["openid"]})
            assert status == 201, f"registering an app answered {status}: {body!r}"
            apps.append(json.loads(body)["client_id"])
        cookie = run.prepare_account(server, data)
        oidc.call("DELETE", server.base + "/api/v1/sites/main/sessions/current", cookie=cookie)
        times = []
        for _ in range(args.rounds):
            status, headers, _ = run.request(server.base + "/api/v1/sites/main/sessions",
                                             {"login_id": "bench@example.com", "password": run.PASSWORD})
            assert status == 200, f"sign-in answered {status}"
            cookie = headers.get("set-cookie").split(";", 1)[0]
            for client_id in apps:
                query = urllib.parse.urlencode({"client_id": client_id, "redirect_uri": REDIRECT,
                                                "response_type": "code", "scope": "openid", "state": "s"})
                status, _, body = oidc.call("GET", f"{server.base}/s/main/oauth2/authorize?{query}", cookie=cookie)
                assert status == 303, f"authorize answered {status}: {body!r}"
            sent = time.perf_counter()
            status, _, _ = oidc.call("DELETE", server.base + "/api/v1/sites/main/sessions/current", cookie=cookie)
            answered = time.perf_counter()
            assert status == 204, f"sign-out answered {status}"
            # This session's sid: the one app 0 was told about after the
            # sign-out was sent (each round's session has its own).
            with receiver.lock:
                while not [s for s, t in receiver.got.get(0, []) if t >= sent]:
                    if not receiver.lock.wait(30):
                        sys.exit("app 0 was never told")
                sid = [s for s, t in receiver.got[0] if t >= sent][0]
            times.append((receiver.wait_for(sid, args.apps) - answered) * 1000)
        times.sort()
        engine = "PostgreSQL" if args.database_url else "SQLite"
        print(f"single logout of a session with {args.apps} apps on {engine}, {args.rounds} rounds: "
              f"sign-out answered -> last logout token received p50 {statistics.median(times):.1f} ms, "
              f"p99 {run.p99(times):.1f} ms, max {times[-1]:.1f} ms")
    finally:
        server.stop()
        receiver.server.shutdown()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
