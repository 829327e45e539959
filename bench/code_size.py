#!/usr/bin/env python3
"""Size figures of one crate's sources, for the web layer's before/after.

Prints the lines of Rust under DIR (default crates/web: src and tests), the
largest file, and the longest functions (from `fn` to its closing brace,
counted by brace depth; strings and comments with braces may skew a count by
a line or two). Near-copies come from the `duplicates` tool, not from here.

Usage: python3 bench/code_size.py [DIR] [--top N]
"""
import os, re, sys

def rust_files(root):
    for d, _, files in os.walk(root):
        if "target" in d:
            continue
        for f in files:
            if f.endswith(".rs"):
                yield os.path.join(d, f)

FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(async\s+)?fn\s+(\w+)")

def functions(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = FN.match(lines[i])
        if m:
            depth, start, opened = 0, i, False
            j = i
            while j < len(lines):
                code = lines[j].split("//")[0]
                depth += code.count("{") - code.count("}")
                if "{" in code:
                    opened = True
                if opened and depth <= 0:
                    break
                if not opened and code.rstrip().endswith(";"):
                    break
                j += 1
            if opened:
                yield m.group(4), start + 1, j - start + 1
            i = j + 1 if opened else i + 1
        else:
            i += 1

def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 5
    root = args[0] if args else "crates/web"
    sizes, fns = [], []
    for p in rust_files(root):
        n = sum(1 for _ in open(p, encoding="utf-8"))
        sizes.append((n, p))
        for name, line, length in functions(p):
            fns.append((length, f"{p}:{line} {name}"))
    sizes.sort(reverse=True)
    fns.sort(reverse=True)
    src = sum(n for n, p in sizes if "/src/" in p)
    print(f"lines: {sum(n for n, _ in sizes)} ({src} in src, {len(sizes)} files)")
    for n, p in sizes[:top]:
        print(f"  file {n:5} {p}")
    for n, f in fns[:top]:
        print(f"  fn   {n:5} {f}")

if __name__ == "__main__":
    main()
