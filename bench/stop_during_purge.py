#!/usr/bin/env python3
"""How long a server takes to stop while its start-up retention purge runs.

Seeds a SQLite data folder with --customers customers (`gatehouse seed`: about
one account in twenty is deleted, most of them long past the 90 days a site
keeps them), then, --rounds times, starts `gatehouse serve` on a fresh copy of
it, waits until /readyz answers and one more second (the purge starts at
once), sends SIGTERM and times how long the process takes to exit. Also
counts the deleted accounts past retention left in the copy afterwards: the
purge erases whole batches, so what is left is what a stop cut short.

Usage: bench/stop_during_purge.py [--customers 100000] [--rounds 3] [--skip-build]
       CARGO_TARGET_DIR names the build to measure.
"""
import argparse, importlib.machinery, os, shutil, signal, sqlite3, statistics, subprocess, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
run = importlib.machinery.SourceFileLoader("bench_run", os.path.join(ROOT, "bench", "run")).load_module()

DUE = ("SELECT count(*) FROM accounts WHERE deleted_at IS NOT NULL "
       "AND deleted_at < (strftime('%s','now') - 90 * 86400) * 1000")


def due(folder):
    with sqlite3.connect(os.path.join(folder, "gatehouse.db")) as db:
        return db.execute(DUE).fetchone()[0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--customers", type=int, default=100000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--skip-build", action="store_true")
    args = p.parse_args()
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "-p", "gatehouse"], cwd=ROOT, check=True)
    seeded = tempfile.mkdtemp(prefix="gatehouse-seeded-")
    try:
        subprocess.run([run.BIN, "--data", seeded, "seed", "--customers", str(args.customers)],
                       env=run.ENV, check=True, capture_output=True)
        before = due(seeded)
        times, left = [], []
        for _ in range(args.rounds):
            copy = tempfile.mkdtemp(prefix="gatehouse-stop-")
            try:
                shutil.copytree(seeded, copy, dirs_exist_ok=True)
                server = run.Server(copy)
                time.sleep(1)
                started = time.perf_counter()
                server.proc.send_signal(signal.SIGTERM)
                server.proc.wait(timeout=600)
                times.append(time.perf_counter() - started)
                left.append(due(copy))
            finally:
                shutil.rmtree(copy, ignore_errors=True)
        print(f"{args.customers} customers, {before} deleted accounts past retention")
        print("SIGTERM to exit, s: " + " / ".join(f"{t:.2f}" for t in times)
              + f" (median {statistics.median(times):.2f})")
        print("left for the next run: " + " / ".join(str(n) for n in left))
    finally:
        shutil.rmtree(seeded, ignore_errors=True)


if __name__ == "__main__":
    main()
