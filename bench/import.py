#!/usr/bin/env python3
"""Import and export at scale, on SQLite and PostgreSQL.

For each engine and size, it writes a CSV of N customers (two in three with
an account on `main`, 251 companies by name, a bcrypt hash on one row in a
thousand). Then, on a fresh database, it times:

- `gatehouse import FILE --dry-run`;
- `gatehouse import FILE`;
- `gatehouse export -o OUT --with-password-hashes`.

Each is timed as wall seconds and peak resident memory (the process's
ru_maxrss). The export is then imported into a second fresh database and
exported again, and the two exports must be equal (a round trip at scale).

Usage: bench/import.py [--sizes 100000,1000000] [--engines sqlite,postgres] [--no-roundtrip]
PostgreSQL: GATEHOUSE_BENCH_PG (default postgres://postgres@127.0.0.1:5432/postgres)
must allow creating databases. Needs: cargo build --release -p gatehouse
"""
import argparse, os, shutil, subprocess, sys, tempfile, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "gatehouse")
PG = os.environ.get("GATEHOUSE_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
# bcrypt cost 4 of "tide pools at dawn", made once with Python's bcrypt.
BCRYPT = "$2b$04$VMrrl3cjHXpxMgPUy7EeRu99hwqXRUXYZjO5aDN288Kuv248JoYfS"


def write_csv(path, n):
    with open(path, "w") as f:
        f.write("first_name,last_name,email,company,phone,country,city,street,postcode,"
                "site,role,status,email_validated,password_hash\n")
        statuses = ["active", "active", "active", "pending", "blocked", "unverified"]
        for i in range(n):
            site = "" if i % 3 == 0 else "main"
            account = f"{'customer_manager' if i % 50 == 1 else 'customer'},{statuses[i % 6]},true" if site else ",,"
            hash_ = BCRYPT if site and i % 1000 == 1 else ""
            f.write(f"Name{i},Family{i % 977},person{i}@example.com,Company {i % 251},+49 30 {i:07d},DE,Berlin,"
                    f"Street {i % 300},{10000 + i % 9000},{site},{account},{hash_}\n")


def fresh(engine):
    data = tempfile.mkdtemp(prefix="gatehouse-bench-")
    if engine == "sqlite":
        return data, f"sqlite://{data}/gatehouse.db", None
    name = "gatehouse_bench_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", PG, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    return data, PG.rsplit("/", 1)[0] + "/" + name, name


def drop(data, name):
    shutil.rmtree(data, ignore_errors=True)
    if name:
        subprocess.run(["psql", PG, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)


def measure(engine, size, csv, roundtrip):
    """One row of the table, each step in its own child process so that
    ru_maxrss is that step's own peak."""
    data, url, name = fresh(engine)
    try:
        # Prepare the database first (migrations, default site), untimed.
        subprocess.run([BIN, "--data", data, "--database-url", url, "migrate"], check=True, capture_output=True)
        rows = []
        out = os.path.join(data, "export.csv")
        for label, args in [("dry run", ["import", csv, "--dry-run"]),
                            ("import", ["import", csv]),
                            ("export", ["export", "-o", out, "--with-password-hashes"])]:
            seconds, peak = child_measure(args, data, url)
            rows.append((label, seconds, peak))
        same = None
        if roundtrip:
            data2, url2, name2 = fresh(engine)
            try:
                subprocess.run([BIN, "--data", data2, "--database-url", url2, "import", out], check=True,
                               capture_output=True)
                again = os.path.join(data2, "again.csv")
                subprocess.run([BIN, "--data", data2, "--database-url", url2, "export", "-o", again,
                                "--with-password-hashes"], check=True, capture_output=True)
                with open(out, "rb") as a, open(again, "rb") as b:
                    same = a.read() == b.read()
            finally:
                drop(data2, name2)
        return rows, same
    finally:
        drop(data, name)


def child_measure(args, data, url):
    """Runs one command from a fresh Python child that reports the
    gatehouse process's own wall time and peak memory."""
    code = ("import resource,subprocess,sys,time,os\n"
            "t=time.perf_counter()\n"
            "r=subprocess.run(sys.argv[1:],env=dict(os.environ,GATEHOUSE_LOG='warn'),capture_output=True,text=True)\n"
            "s=time.perf_counter()-t\n"
            "sys.stderr.write(r.stderr) if r.returncode else None\n"
            "print(r.returncode, s, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    done = subprocess.run([sys.executable, "-c", code, BIN, "--data", data, "--database-url", url] + args,
                          capture_output=True, text=True, check=True)
    code_, seconds, kib = done.stdout.split()
    if code_ != "0":
        sys.exit(f"gatehouse {' '.join(args)} failed: {done.stderr}")
    return float(seconds), int(kib) / 1024


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="100000")
    p.add_argument("--engines", default="sqlite,postgres")
    p.add_argument("--no-roundtrip", action="store_true")
    a = p.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release -p gatehouse")
    work = tempfile.mkdtemp(prefix="gatehouse-bench-csv-")
    try:
        print("| engine | rows | step | seconds | peak MiB |")
        print("|---|---|---|---|---|")
        for size in [int(s) for s in a.sizes.split(",")]:
            csv = os.path.join(work, f"{size}.csv")
            write_csv(csv, size)
            for engine in a.engines.split(","):
                rows, same = measure(engine, size, csv, not a.no_roundtrip)
                for label, seconds, peak in rows:
                    print(f"| {engine} | {size:,} | {label} | {seconds:.1f} | {peak:.0f} |", flush=True)
                if same is not None:
                    print(f"| {engine} | {size:,} | export of the import equals the export | {'yes' if same else 'NO'} | |",
                          flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
