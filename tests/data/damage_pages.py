#!/usr/bin/env python3
"""Overwrites SQLite pages with garbage, as a failing disk or a stray write would.

usage: damage_pages.py DATABASE TABLE:FRACTION[:COUNT] ...

For each TABLE:FRACTION:COUNT, COUNT (default 1) consecutive leaf pages of TABLE's b-tree,
starting at FRACTION (0..1) of the way through its leaves, are filled with 0xA5 bytes.
Close every connection to the database first (no WAL beside it). Prints the pages it hit.
"""
import sqlite3
import sys


def main():
    path, specs = sys.argv[1], sys.argv[2:]
    db = sqlite3.connect(path)
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    pages = []
    for spec in specs:
        table, fraction, *count = spec.split(":")
        leaves = [row[0] for row in db.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno", (table,))]
        if not leaves:
            sys.exit(f"{table} has no leaf pages")
        start = min(int(len(leaves) * float(fraction)), len(leaves) - 1)
        pages += leaves[start:start + int(count[0] if count else 1)]
    db.close()
    with open(path, "r+b") as f:
        for page in pages:
            f.seek((page - 1) * page_size)
            f.write(b"\xa5" * page_size)
    print(" ".join(map(str, pages)))


if __name__ == "__main__":
    main()
