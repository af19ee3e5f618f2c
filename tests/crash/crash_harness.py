#!/usr/bin/python3
"""Crash-consistency harness for `lookalike-cli` (issue 6, item 1).

SIGKILLs `lookalike-cli create`, `add`, `remove` and `check --repair` at random moments and
checks after every kill that nothing committed was lost and that the collection is whole.
What it does, how kills are placed and how to read the summary: docs/crash-consistency.md.

Standard library only (plus PIL to draw the test images).  The harness never writes to a
collection's database itself: it reads it read-only (`mode=ro`, or `immutable=1` when no WAL
is beside it) and goes through the CLI for everything else.  It does delete a collection's
`index/` folder before `check --repair` runs, since index files are derived and disposable.
Collections use the default model (classic-v1).

    /usr/bin/python3 tests/crash/crash_harness.py --cli build/dev/src/cli/lookalike-cli \
        --runs 100 --images-count 300 --seed 7 --json /tmp/crash.json
"""

import argparse
import ctypes
import ctypes.util
import hashlib
import json
import os
import random
import select
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse

SPACE = "image:classic-v1"
DB = "collection.sqlite"

# Fine-grained phases and the summary bucket each belongs to.
PHASE_BUCKET = {
    "before-open": "before-open/migration",  # process start: the database not opened yet
    "startup": "before-open/migration",      # open, migration check, index load, discovery: before any write
    "decode": "during ingest",               # the decode pool is running, nothing committed yet
    "create-schema": "before-open/migration",  # create: database file made, schema migration not committed
    "create-info": "before-open/migration",    # create: schema committed, collection info or space not yet
    "migration": "before-open/migration",      # add on a never-migrated database: killed before its migration committed
    "ingest": "during ingest",                 # some of the run's items committed, not all (or a commit in flight)
    "index-save": "during index save",         # database work done, index files not (all) written
    "teardown": "after completion",            # everything written, process still exiting
    "completed": "after completion",           # the process exited before the kill
}
BUCKETS = ["before-open/migration", "during ingest", "during index save", "after completion"]


class HarnessError(Exception):
    """A problem with the harness's own setup (not a finding about the CLI)."""

    def __init__(self, text, code=2):
        super().__init__(text)
        self.code = code


# ----------------------------------------------------------------------------------------
# inotify through ctypes: kills placed on file events (a WAL write, an index file appearing).

IN_MODIFY = 0x002
IN_CLOSE_WRITE = 0x008
IN_MOVED_TO = 0x080
IN_CREATE = 0x100
IN_ISDIR = 0x40000000
IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000


class Inotify:
    def __init__(self):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        self._libc = libc
        self.fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        self._wds = {}

    def watch(self, path):
        if path in self._wds.values():
            return
        wd = self._libc.inotify_add_watch(self.fd, os.fsencode(path),
                                          IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)
        if wd >= 0:
            self._wds[wd] = path

    def read(self, timeout):
        """Events as (directory, name, mask); [] after `timeout` seconds without any."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return []
        try:
            buf = os.read(self.fd, 65536)
        except BlockingIOError:
            return []
        out, off = [], 0
        while off + 16 <= len(buf):
            wd, mask, _cookie, length = struct.unpack_from("iIII", buf, off)
            name = buf[off + 16:off + 16 + length].split(b"\0", 1)[0].decode(errors="replace")
            off += 16 + length
            out.append((self._wds.get(wd, ""), name, mask))
        return out

    def close(self):
        os.close(self.fd)


def inotify_available():
    try:
        Inotify().close()
        return True
    except (OSError, AttributeError):
        return False


# ----------------------------------------------------------------------------------------
# Test images


def make_images(root, count, seed):
    """`count` decodable images of varied content, size, mode and format in part folders, ~8%
    with a sidecar report, plus corrupt files that must stay per-file errors.  Returns
    (good: {path: {"w", "h", "report"}}, corrupt: [path])."""
    try:
        from PIL import Image, ImageDraw, ImageFilter, ImageOps, features
    except ImportError:
        raise HarnessError("PIL (python3-pil, installed by packaging/install-deps.sh) is needed to draw test images; "
                           "or pass --images DIR")
    rng = random.Random(seed * 7919 + 13)
    formats = [("png", 34), ("jpg", 36), ("gif", 8), ("bmp", 6)]
    if features.check("webp"):
        formats.append(("webp", 12))
    nparts = max(3, min(10, count // 30))
    good, corrupt = {}, []

    def colour():
        return tuple(rng.randrange(256) for _ in range(3))

    def draw(w, h):
        kind = rng.choice(["shapes", "gradient", "noise", "mandelbrot", "text", "photo"])
        if kind == "gradient":
            g = Image.linear_gradient("L").rotate(rng.randrange(360)).resize((w, h))
            return ImageOps.colorize(g, colour(), colour())
        if kind == "noise":
            chans = [Image.effect_noise((w, h), rng.uniform(10, 90)) for _ in range(3)]
            return Image.merge("RGB", chans)
        if kind == "mandelbrot":
            x, y, s = rng.uniform(-2, 0.5), rng.uniform(-1.2, 1.2), rng.uniform(0.05, 1.5)
            m = Image.effect_mandelbrot((w, h), (x, y, x + s, y + s * h / w), rng.randint(20, 120))
            return ImageOps.colorize(m, colour(), colour())
        im = Image.new("RGB", (w, h), colour())
        d = ImageDraw.Draw(im)
        if kind == "text":
            for _ in range(rng.randint(3, 25)):
                d.text((rng.randrange(w), rng.randrange(h)), "lookalike %d" % rng.randrange(10**6), fill=colour())
            return im
        for _ in range(rng.randint(3, 40)):
            x0, y0 = rng.randrange(w), rng.randrange(h)
            box = [x0, y0, x0 + rng.randrange(1, w + 1), y0 + rng.randrange(1, h + 1)]
            getattr(d, rng.choice(["rectangle", "ellipse"]))(box, fill=colour())
        if kind == "photo":
            im = Image.blend(im, Image.merge("RGB", [Image.effect_noise((w, h), 40)] * 3), 0.25)
            im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 3)))
        return im

    for i in range(count):
        part = os.path.join(root, "part%02d" % (i % nparts))
        os.makedirs(part, exist_ok=True)
        # Log-uniform sides from 48 to 1600 px, aspect ratios up to ~4:1.
        w = int(round(48 * (1600 / 48) ** rng.random()))
        h = max(48, min(1600, int(w * rng.uniform(0.25, 4.0))))
        if w * h > 1_500_000:
            w, h = w // 2, h // 2
        im = draw(w, h)
        fmt = rng.choices([f for f, _ in formats], [wt for _, wt in formats])[0]
        mode = rng.choice(["RGB", "RGB", "RGB", "L", "RGBA", "P"])
        if fmt in ("jpg",) and mode in ("RGBA", "P"):
            mode = "RGB"
        if fmt == "bmp" and mode == "RGBA":
            mode = "RGB"
        if mode == "RGBA":
            alpha = Image.linear_gradient("L").resize((w, h))
            im = im.convert("RGBA")
            im.putalpha(alpha)
        elif mode == "P":
            im = im.convert("P", palette=Image.ADAPTIVE, colors=rng.choice([16, 64, 256]))
        elif mode == "L":
            im = im.convert("L")
        path = os.path.join(part, "img%04d.%s" % (i, fmt))
        kw = {"quality": rng.randint(40, 95)} if fmt in ("jpg", "webp") else {}
        im.save(path, **kw)
        report = None
        if rng.random() < 0.08:
            report = "sidecar report %d: %s" % (i, rng.choice(["fracture", "lesion", "normal", "artefact"]))
            with open(path + ".txt", "w") as f:
                f.write(report + "\n")
        good[path] = {"w": w, "h": h, "report": report}

    # Corrupt files: an image extension or signature, bytes that cannot decode.
    ref = next(p for p in good if p.endswith(".jpg"))
    ref_png = next(p for p in good if p.endswith(".png"))
    with open(ref, "rb") as f:
        jpeg = f.read()
    with open(ref_png, "rb") as f:
        png = f.read()
    bad = {
        "bad-random.jpg": bytes(rng.randrange(256) for _ in range(3000)),
        "bad-empty.png": b"",
        "bad-truncated.jpg": jpeg[:max(200, len(jpeg) // 2)],
        "bad-truncated.png": png[:100],
        "bad-garbage.png": png[:8] + bytes(rng.randrange(256) for _ in range(2000)),
        "bad-header.gif": b"GIF89a" + bytes(100),
        "bad-text.png": b"this is not an image\n" * 10,
    }
    names = sorted(bad)
    for k, name in enumerate(names[:max(4, min(len(names), count // 25))]):
        path = os.path.join(root, "part%02d" % (k % nparts), name)
        with open(path, "wb") as f:
            f.write(bad[name])
        corrupt.append(path)
    return good, corrupt


# ----------------------------------------------------------------------------------------
# Reading a collection (read-only)


def ro_connect(db_path, quiescent=True):
    """A read-only connection.  With no WAL file beside the database (no writer has it open and
    the last one closed cleanly) and no writer running (`quiescent`), `immutable=1`: then
    SQLite creates no -wal/-shm files of its own either, and the harness leaves no trace."""
    path = urllib.parse.quote(os.path.abspath(db_path))
    if quiescent and not os.path.exists(db_path + "-wal") and not os.path.exists(db_path + "-journal"):
        uri = "file:%s?mode=ro&immutable=1" % path
    else:
        uri = "file:%s?mode=ro" % path
    return sqlite3.connect(uri, uri=True, timeout=10, isolation_level=None)


def sha1(b):
    return hashlib.sha1(b if b is not None else b"").hexdigest()


def committed_items(coll, running=False):
    """{id: uri} as a reader sees it now (None when unreadable): what is committed."""
    db = os.path.join(coll, DB)
    if not os.path.exists(db) or (running and not os.path.exists(db + "-wal")):
        return None  # (a writer that has not made its WAL yet has committed nothing)
    try:
        con = ro_connect(db, quiescent=not running)
        try:
            return dict(con.execute("SELECT id, uri FROM items"))
        finally:
            con.close()
    except sqlite3.Error:
        return None


def read_state(coll):
    """Everything the checks need, read-only.  `read_error` is set when the database exists
    but cannot be read (e.g. a hot rollback journal a read-only connection may not replay)."""
    st = {"db_exists": os.path.exists(os.path.join(coll, DB)), "tables": set(), "schema_version": None,
          "info": {}, "spaces": {}, "items": {}, "emb": {}, "thumbs": {}, "reports": {}, "errors": {},
          "orphans": 0, "read_error": None}
    st["index"] = index_state(coll)
    st["wal"] = wal_tail(os.path.join(coll, DB + "-wal"))
    if not st["db_exists"]:
        return st
    try:
        con = ro_connect(os.path.join(coll, DB))
        try:
            con.execute("BEGIN")
            st["tables"] = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            t = st["tables"]
            if "schema_version" in t:
                row = con.execute("SELECT version FROM schema_version").fetchone()
                st["schema_version"] = row[0] if row else 0
            if "collection_info" in t:
                st["info"] = dict(con.execute("SELECT key, value FROM collection_info"))
            if "spaces" in t:
                for sid, name, dim, rev in con.execute("SELECT id, name, dimension, revision FROM spaces"):
                    st["spaces"][name] = {"id": sid, "dim": dim, "revision": rev}
            if "items" in t:
                for row in con.execute("SELECT id, uri, filename, size, content_hash, width, height, format FROM items"):
                    st["items"][row[0]] = {"uri": row[1], "filename": row[2], "size": row[3], "hash": row[4],
                                           "w": row[5], "h": row[6], "format": row[7]}
            if "embeddings" in t and SPACE in st["spaces"]:
                sid = st["spaces"][SPACE]["id"]
                for item_id, vec in con.execute("SELECT item_id, vector FROM embeddings WHERE space_id = ?", (sid,)):
                    st["emb"][item_id] = sha1(vec)
            if "thumbnails" in t:
                for item_id, w, h, data in con.execute("SELECT item_id, width, height, data FROM thumbnails"):
                    st["thumbs"][item_id] = (w, h, sha1(data), bytes(data[:3]) == b"\xff\xd8\xff")
            if "reports" in t:
                st["reports"] = dict(con.execute("SELECT item_id, text FROM reports"))
            if "ingest_errors" in t:
                st["errors"] = dict(con.execute("SELECT uri, stage FROM ingest_errors"))
            if {"items", "embeddings", "thumbnails", "reports"} <= t:
                st["orphans"] = con.execute(
                    "SELECT (SELECT count(*) FROM embeddings WHERE item_id NOT IN (SELECT id FROM items))"
                    " + (SELECT count(*) FROM thumbnails WHERE item_id NOT IN (SELECT id FROM items))"
                    " + (SELECT count(*) FROM reports WHERE item_id NOT IN (SELECT id FROM items))").fetchone()[0]
            con.execute("COMMIT")
        finally:
            con.close()
    except sqlite3.Error as e:
        st["read_error"] = str(e)
    return st


def index_state(coll):
    d = os.path.join(coll, "index")
    base = urllib.parse.quote(SPACE, safe="") + ".faiss"
    out = {"dir": os.path.isdir(d), "faiss": False, "meta": None, "tmp": []}
    if not out["dir"]:
        return out
    names = os.listdir(d)
    out["tmp"] = sorted(n for n in names if n.endswith(".tmp"))
    out["faiss"] = base in names
    if base + ".meta" in names:
        try:
            with open(os.path.join(d, base + ".meta")) as f:
                m = json.load(f)
            out["meta"] = {"revision": int(m.get("revision", -1)), "count": int(m.get("count", -1))}
        except (OSError, ValueError):
            out["meta"] = {"revision": -1, "count": -1}
    return out


def wal_tail(path):
    """Frames in the WAL's current generation and how many follow its last commit frame (a
    transaction in flight when the process died).  None without a WAL."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    if len(data) < 32:
        return {"frames": 0, "uncommitted": 0, "partial": len(data) > 0}
    # A header and no frame: a write transaction had begun writing (the header is written with
    # its first frame), so it counts as a commit in flight.
    magic, _ver, page, _seq, s1, s2, _c1, _c2 = struct.unpack(">8I", data[:32])
    if magic not in (0x377F0682, 0x377F0683) or page == 0:
        return {"frames": 0, "uncommitted": 0, "partial": False}
    frame = 24 + page
    off, frames, after = 32, 0, 0
    while off + frame <= len(data):
        _pgno, commit, fs1, fs2 = struct.unpack_from(">4I", data, off)
        if (fs1, fs2) != (s1, s2):
            break
        frames += 1
        after = 0 if commit else after + 1
        off += frame
    partial = (off < len(data) and off + frame > len(data)) or frames == 0
    return {"frames": frames, "uncommitted": after, "partial": partial}


# ----------------------------------------------------------------------------------------
# Running the CLI


class Cli:
    def __init__(self, path, workdir, verbose):
        self.path = path
        self.verbose = verbose
        self.env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LC_ALL="C.UTF-8",
                        LOOKALIKE_MODELS_DIR=os.path.join(workdir, "models"))
        self.env.pop("LOOKALIKE_VERBOSE", None)
        self.outdir = os.path.join(workdir, "out")
        os.makedirs(self.outdir, exist_ok=True)

    def _wait_binary(self):
        for _ in range(240):  # someone may be rebuilding it
            if os.access(self.path, os.X_OK):
                return
            time.sleep(0.5)
        raise HarnessError("%s is missing" % self.path)

    def start(self, args):
        self._wait_binary()
        out = open(os.path.join(self.outdir, "stdout"), "w+b")
        err = open(os.path.join(self.outdir, "stderr"), "w+b")
        p = subprocess.Popen([self.path] + args, stdout=out, stderr=err, env=self.env, start_new_session=True)
        p._files = (out, err)
        return p

    @staticmethod
    def finish(p):
        out, err = p._files
        out.seek(0)
        err.seek(0)
        o, e = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        out.close()
        err.close()
        return o, e

    def run(self, args, timeout=300):
        """(rc, parsed JSON or None, stderr, seconds)"""
        t0 = time.monotonic()
        p = self.start(args)
        try:
            rc = p.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
            rc = "hung"
        o, e = self.finish(p)
        secs = time.monotonic() - t0
        try:
            js = json.loads(o) if o.strip() else None
        except ValueError:
            js = None
        if self.verbose:
            print("    $ lookalike-cli %s -> %s (%.2f s)" % (" ".join(args[:4]) + (" …" if len(args) > 4 else ""), rc, secs))
        return rc, js, e, secs


def run_and_kill(cli, args, coll, plan, pre_kill_snapshot=True, hard_timeout=300):
    """Starts `args` and SIGKILLs it as `plan` says: {"mode": "timer", "delay": s} (after s
    seconds), {"mode": "wal", "k": n, "after": s} (at the n-th write to the WAL after s
    seconds: inside a commit), {"mode": "db", "k": n} (at the n-th write to the database files) or
    {"mode": "index", "k": n, "event": (suffix, mask)} (at the n-th such index-file event).
    Returns what happened."""
    res = {"killed": False, "rc": None, "kill_at": None, "trigger": None, "snapshot": None, "probe": None}
    watcher = None
    if plan["mode"] != "timer":
        watcher = Inotify()
        if os.path.isdir(coll):
            watcher.watch(coll)
        if os.path.isdir(os.path.join(coll, "index")):
            watcher.watch(os.path.join(coll, "index"))
    t0 = time.monotonic()
    p = cli.start(args)
    seen = 0
    try:
        if plan["mode"] == "timer":
            deadline = t0 + plan["delay"]
            while p.poll() is None and time.monotonic() < deadline:
                time.sleep(min(0.002, max(0.0, deadline - time.monotonic())))
            if p.poll() is None:
                # What a reader sees now is committed: it must survive the kill.
                res["probe"] = probe_process(p.pid, coll)
                if pre_kill_snapshot:
                    res["snapshot"] = committed_items(coll, running=True)
                res["kill_at"] = time.monotonic() - t0
                os.kill(p.pid, signal.SIGKILL)
                res["killed"] = True
        else:
            fire = False
            index_dir = os.path.join(coll, "index")
            index_watched = os.path.isdir(index_dir)

            def watch_index():
                # The index folder is made by the first save: its first events may come before
                # the watch.  Files already there mean that save got under way unseen.
                nonlocal index_watched, seen
                if index_watched or not os.path.isdir(index_dir):
                    return
                watcher.watch(index_dir)
                index_watched = True
                if plan["mode"] == "index" and index_event_passed(plan["event"], os.listdir(index_dir)):
                    seen += 1

            while p.poll() is None and not fire:
                if time.monotonic() - t0 > hard_timeout:
                    break
                for d, name, mask in watcher.read(0.003):
                    if mask & IN_ISDIR and mask & IN_CREATE:
                        if name == "index" and d == coll:
                            watch_index()
                        continue
                    if match_event(plan, d, name, mask):
                        if time.monotonic() - t0 < plan.get("after", 0.0):
                            continue
                        seen += 1
                        if seen >= plan["k"]:
                            fire = True
                            res["trigger"] = "%s %s #%d" % (name, mask_name(mask), seen)
                            break
                # A folder made before its watch: look for it on every turn.
                watch_index()
                if os.path.isdir(coll):
                    watcher.watch(coll)
                if not fire and plan["mode"] == "index" and seen >= plan["k"]:
                    fire = True
                    res["trigger"] = "index save #%d already under way when its folder appeared" % seen
            if p.poll() is None:
                res["kill_at"] = time.monotonic() - t0
                os.kill(p.pid, signal.SIGKILL)
                res["killed"] = True
        res["rc"] = p.wait()
    finally:
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
        if watcher:
            watcher.close()
    res["elapsed"] = time.monotonic() - t0
    res["events_seen"] = seen
    res["stdout"], res["stderr"] = cli.finish(p)
    return res


def probe_process(pid, coll):
    """Where a live process is, from /proc: has it opened the database yet, and has the ingest's
    decode pool ("Thread (pooled)") started?"""
    out = {"db_open": False, "pool_threads": 0}
    db = os.path.realpath(os.path.join(coll, DB))
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == db:
                    out["db_open"] = True
                    break
            except OSError:
                pass
        for task in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/comm" % (pid, task)) as f:
                    if f.read().startswith("Thread (pooled)"):
                        out["pool_threads"] += 1
            except OSError:
                pass
    except OSError:
        return None
    return out


def mask_name(mask):
    for bit, name in ((IN_CREATE, "create"), (IN_MOVED_TO, "moved_to"), (IN_CLOSE_WRITE, "close_write"),
                      (IN_MODIFY, "modify")):
        if mask & bit:
            return name
    return hex(mask)


def match_event(plan, d, name, mask):
    mode = plan["mode"]
    if mode == "wal":
        return name == DB + "-wal" and bool(mask & IN_MODIFY)
    if mode == "db":
        return name.startswith(DB) and bool(mask & (IN_CREATE | IN_MODIFY))
    if mode == "index":
        if os.path.basename(d) != "index":
            return False
        want_name, want_mask = plan["event"]
        return name.endswith(want_name) and bool(mask & want_mask)
    return False


# Index-file events a kill can be placed on: the write of the index, its rename over the
# previous one (index new, sidecar old), the write of the sidecar and its rename.
INDEX_EVENTS = [
    (".faiss.tmp", IN_CREATE),
    (".faiss.tmp", IN_MODIFY),
    (".faiss.tmp", IN_CLOSE_WRITE),
    (".faiss", IN_MOVED_TO),
    (".faiss.meta.tmp", IN_CREATE),
    (".faiss.meta", IN_MOVED_TO),
]


def index_event_passed(event, names):
    """Whether the first save has visibly passed `event` (suffix, mask), judged from the files in
    the index folder: for a watch added after the folder appeared."""
    suffix, mask = event
    have = lambda sfx: any(n.endswith(sfx) for n in names)
    if suffix == ".faiss.tmp":
        return have(".faiss.tmp") or have(".faiss")
    if suffix == ".faiss":
        return have(".faiss")
    if suffix == ".faiss.meta.tmp":
        return have(".faiss.meta.tmp") or have(".faiss.meta")
    return have(suffix)


def count_events(cli, args, coll):
    """Runs `args` to completion, counting the file events a kill plan can target."""
    watcher = Inotify()
    os.makedirs(coll, exist_ok=True)
    watcher.watch(coll)
    if os.path.isdir(os.path.join(coll, "index")):
        watcher.watch(os.path.join(coll, "index"))
    counts = {"wal": 0, "db": 0, "index": 0}
    t0 = time.monotonic()
    p = cli.start(args)

    def drain(timeout):
        for d, name, mask in watcher.read(timeout):
            if mask & IN_ISDIR and mask & IN_CREATE and name == "index":
                watcher.watch(os.path.join(coll, "index"))
                continue
            for mode in ("wal", "db"):
                if match_event({"mode": mode}, d, name, mask):
                    counts[mode] += 1
            if os.path.basename(d) == "index" and name.endswith(".faiss.tmp") and mask & IN_CREATE:
                counts["index"] += 1

    while p.poll() is None:
        drain(0.003)
        if os.path.isdir(os.path.join(coll, "index")):
            watcher.watch(os.path.join(coll, "index"))
    drain(0.01)
    secs = time.monotonic() - t0
    watcher.close()
    o, e = cli.finish(p)
    try:
        js = json.loads(o) if o.strip() else None
    except ValueError:
        js = None
    return p.returncode, js, e, secs, counts


# ----------------------------------------------------------------------------------------
# The harness


class Harness:
    def __init__(self, args):
        self.a = args
        self.rng = random.Random(args.seed)
        self.work = args.workdir or tempfile.mkdtemp(prefix="lookalike-crash-")
        os.makedirs(self.work, exist_ok=True)
        self.failures = []
        self.runs = []
        self.figures = {
            "runs": 0, "kills_landed": 0, "kill_points_survived": 0, "completed_before_kill": 0,
            "phases": {}, "buckets": {b: 0 for b in BUCKETS}, "commits_in_flight": 0,
            "stale_index_after_kill": 0, "index_tmp_left": 0, "collections_failing_to_open": 0,
            "committed_items_lost": 0, "check_failures": 0, "half_written_items": 0,
            "other_failures": 0, "remove_failures": 0, "create_incomplete": 0, "cycles": 0, "completion_adds": 0,
            "items_checked": 0, "by_command": {}, "by_mode": {},
        }
        cli = os.path.abspath(args.cli)
        if not os.access(cli, os.X_OK):
            raise HarnessError("no CLI at %s (build it, or pass --cli)" % cli)
        if args.copy_cli:
            # The build folder may be rebuilt under us: run a private copy.
            copy = os.path.join(self.work, "lookalike-cli")
            shutil.copy2(cli, copy)
            cli = copy
        self.cli = Cli(cli, self.work, args.verbose)
        self.inotify = inotify_available()

    # -- setup ---------------------------------------------------------------------------

    def prepare_images(self):
        a = self.a
        if a.images:
            self.root = os.path.realpath(a.images)
            self.good_hint, self.corrupt_hint = None, None
        else:
            self.root = os.path.join(self.work, "images")
            if os.path.isdir(self.root):
                shutil.rmtree(self.root)
            os.makedirs(self.root)
            t0 = time.monotonic()
            good, corrupt = make_images(self.root, a.images_count, a.seed)
            self.root = os.path.realpath(self.root)
            self.good_hint = {os.path.realpath(p): v for p, v in good.items()}
            self.corrupt_hint = {os.path.realpath(p) for p in corrupt}
            print("made %d images + %d corrupt files in %s (%.1f s)"
                  % (len(good), len(corrupt), self.root, time.monotonic() - t0))

    def calibrate(self):
        """One uninterrupted pass: the reference state every later check compares with, and the
        durations the kill delays are drawn from."""
        c = os.path.join(self.work, "calibration")
        shutil.rmtree(c, ignore_errors=True)
        t = {}
        rc, js, err, t["create"], ev_create = count_events(self.cli, ["create", c, "--json"], c)
        if rc != 0:
            raise HarnessError("create failed during calibration: %s" % err.strip())
        rc, js, err, t["add_full"], ev_add = count_events(self.cli, ["add", c, self.root, "--json", "-q"], c)
        if rc not in (0, 2) or not js:
            raise HarnessError("add failed during calibration (rc %s): %s" % (rc, err.strip()[-2000:]))
        st = read_state(c)
        ref = {}
        for item_id, it in st["items"].items():
            ref[it["uri"]] = dict(it, emb=st["emb"].get(item_id), thumb=st["thumbs"].get(item_id),
                                  report=st["reports"].get(item_id))
        self.ref = ref
        self.good = set(ref)
        self.corrupt = set(st["errors"])
        self.schema_version = st["schema_version"]
        if self.good_hint is not None:
            lost = sorted(set(self.good_hint) - self.good)
            extra = sorted(self.good - set(self.good_hint))
            if lost or extra or self.corrupt != self.corrupt_hint:
                errs = {e["uri"]: e["message"] for e in js.get("errors", [])}
                raise HarnessError("the reference add did not give the expected items: not added %s, "
                                   "unexpected %s, errors %s" % ([(p, errs.get(p)) for p in lost[:5]], extra[:5],
                                                                 sorted(self.corrupt ^ self.corrupt_hint)[:5]))
            for uri, hint in self.good_hint.items():
                r = ref[uri]
                if (r["w"], r["h"]) != (hint["w"], hint["h"]) or (r["report"] or None) != hint["report"]:
                    raise HarnessError("reference item %s: %sx%s report %r, expected %sx%s %r"
                                       % (uri, r["w"], r["h"], r["report"], hint["w"], hint["h"], hint["report"]))
        for uri, r in ref.items():
            if not r["emb"] or not r["thumb"]:
                raise HarnessError("reference item %s has no embedding or thumbnail" % uri)
        rc, js, err, t["add_noop"] = self.cli.run(["add", c, self.root, "--json", "-q"])
        ids = sorted(st["items"])
        victims = self.rng.sample(ids, min(len(ids), max(1, len(ids) // 10)))
        rc, js, err, t["remove"], ev_remove = count_events(self.cli, ["remove", c] + [str(i) for i in victims] + ["--json"], c)
        self.calibration_remove = (rc, (js or {}).get("error") or err.strip()[-300:], victims,
                                   committed_items(c) or {})
        rc, js, err, t["add_short"], ev_short = count_events(self.cli, ["add", c, self.root, "--json", "-q"], c)
        shutil.rmtree(os.path.join(c, "index"), ignore_errors=True)
        rc, js, err, t["check_repair"], ev_check = count_events(self.cli, ["check", c, "--repair", "--json"], c)
        if rc != 0:
            raise HarnessError("check --repair failed on the calibration collection: %s" % err.strip())
        rc_rm, why, victims_rm, left = self.calibration_remove
        gone = [v for v in victims_rm if v not in left]
        if rc_rm != 0 or len(gone) != len(victims_rm):
            ctx = {"run": "calibration remove", "cycle": 0, "command": "remove",
                   "args": "remove %s" % " ".join(map(str, victims_rm)),
                   "failures": ["remove: uninterrupted remove of %d items exited %s (%s); %d of them gone"
                                % (len(victims_rm), rc_rm, why, len(gone))]}
            self.figures["remove_failures"] += 1
            self.failures.append(ctx)
            print("calibration: remove FAILED: " + ctx["failures"][0])
        self.t = t
        self.events = {"create": ev_create, "add": ev_add, "remove": ev_remove, "add_short": ev_short,
                       "check": ev_check}
        self.short_fraction = len(victims) / max(1, len(self.good))
        shutil.rmtree(c, ignore_errors=True)
        print("reference: %d items, %d corrupt files; uninterrupted durations: create %.2f s, add %.2f s, "
              "add with nothing to do %.2f s, add of %d items %.2f s, remove %.2f s, check --repair %.2f s"
              % (len(self.good), len(self.corrupt), t["create"], t["add_full"], t["add_noop"], len(victims),
                 t["add_short"], t["remove"], t["check_repair"]))
        print("file events in the reference add: %d WAL writes, %d index writes" % (ev_add["wal"], ev_add["index"]))

    # -- planning ------------------------------------------------------------------------

    def delay(self, estimate):
        """A delay in [0, 1.1 × estimate], stratified over the runs so that kills cover the
        whole duration (start, middle, end) rather than clustering."""
        if not self._strata:
            self._strata = list(range(10))
            self.rng.shuffle(self._strata)
        s = self._strata.pop()
        return 1.1 * estimate * (s + self.rng.random()) / 10.0

    _strata = []

    _scale = 1.0

    def observe(self, predicted, actual):
        """Follows the machine's speed (a shared machine's load drifts): the ratio of the
        uninterrupted adds' durations to their estimates scales later estimates."""
        if predicted > 0.05 and actual > 0:
            ratio = min(3.0, max(0.33, actual / predicted))
            self._scale = 0.6 * self._scale + 0.4 * ratio

    def add_estimate(self, present, index_stale, scaled=True):
        """How long an uninterrupted add would take with `present` items already in."""
        n = max(1, len(self.good))
        per_all = max(0.0, self.t["add_full"] - self.t["add_noop"])
        est = self.t["add_noop"] + max(0, len(self.good) - present) / n * per_all
        if index_stale:
            # A stale index is rebuilt (and saved) at the start: the reference's short add
            # paid that for a nearly full collection.
            rebuild = self.t["add_short"] - (self.t["add_noop"] + self.short_fraction * per_all)
            est += max(0.0, rebuild) * present / n
        return est * (self._scale if scaled else 1.0)

    def plan_for(self, command, estimate, wal_events=0, index_possible=True, db_events=0, index_weight=0.2,
                 index_saves=1):
        modes = [("timer", 0.55)]
        if self.inotify:
            if command == "create" or db_events:
                modes.append(("db", 0.45))
            else:
                if wal_events > 0:
                    modes.append(("wal", 0.25))
                if index_possible:
                    modes.append(("index", index_weight))
        mode = self.rng.choices([m for m, _ in modes], [w for _, w in modes])[0]
        if mode == "timer":
            return {"mode": "timer", "delay": self.delay(estimate)}
        if mode == "wal":
            # The k-th WAL write after a random moment: the kill lands inside a commit, after
            # its header (k = 1) or some of its page writes.  The moment is drawn from the first
            # 90 % of the job, so that a commit is still to come.
            return {"mode": "wal", "k": self.rng.randint(1, 12), "after": self.delay(estimate) * 0.9 / 1.1}
        if mode == "db":
            # Inotify merges back-to-back writes, so a run may show far fewer events than the
            # reference counted: draw from the first half of the range.
            return {"mode": "db", "k": self.rng.randint(1, max(1, int(0.5 * db_events)))}
        ev = self.rng.choice(INDEX_EVENTS)
        # A job that finds the index missing or stale saves it at its start, then at its end.
        return {"mode": "index", "k": self.rng.randint(1, max(1, index_saves)), "event": ev}

    # -- checks --------------------------------------------------------------------------

    def fail(self, ctx, kind, text):
        msg = "%s: %s" % (kind, text)
        ctx["failures"].append(msg)
        key = {"open": "collections_failing_to_open", "lost": "committed_items_lost", "check": "check_failures",
               "half": "half_written_items", "remove": "remove_failures"}.get(kind, "other_failures")
        return key

    def verify(self, ctx, coll, expect_prev, removed_targets=(), snapshot=None, allow_absent=False,
               complete=False):
        """Checks the collection after a kill (or a completion run).  Returns the items now present
        ({id: uri}) or None when the collection is absent (allowed only after a killed create)."""
        counts = {}

        def bad(kind, text):
            key = self.fail(ctx, kind, text)
            counts[key] = counts.get(key, 0) + 1

        raw = ctx.get("raw")
        if not os.path.exists(os.path.join(coll, DB)):
            if allow_absent:
                return None, counts
            bad("open", "collection.sqlite is gone")
            return None, counts
        # 1. check (the first program to open the collection after the kill).
        rc, js, err, _ = self.cli.run(["check", coll, "--json"])
        if rc == "hung":
            bad("check", "check hung")
        elif js is None or "ok" not in js:
            # A collection check cannot even open.
            bad("open", "check could not open the collection (rc %s): %s" % (rc, err.strip()[-500:]))
        else:
            if rc != 0 or not js["ok"] or js.get("problems"):
                bad("check", "check rc %s ok=%s problems=%s" % (rc, js.get("ok"), js.get("problems")))
            ctx["check_notes"] = js.get("notes", [])
        # 2. stats: the collection opens.
        rc, st_js, err, _ = self.cli.run(["stats", coll, "--json", "--errors"])
        if rc != 0 or not st_js:
            bad("open", "stats rc %s: %s" % (rc, err.strip()[-500:]))
            return {}, counts
        # 3. list, and the database itself.
        rc, ls_js, err, _ = self.cli.run(["list", coll, "--json", "--limit", "0"])
        if rc != 0 or not ls_js:
            bad("open", "list rc %s: %s" % (rc, err.strip()[-500:]))
            return {}, counts
        st = read_state(coll)
        if st["read_error"]:
            bad("other", "database unreadable after the CLI opened it: %s" % st["read_error"])
            return {}, counts
        items = {i: it["uri"] for i, it in st["items"].items()}
        listed = {it["id"]: it["uri"] for it in ls_js["items"]}
        if listed != items or ls_js.get("total") != len(items):
            bad("other", "list disagrees with the database (%d listed, %d rows)" % (len(listed), len(items)))
        if st_js.get("items") != len(items):
            bad("other", "stats says %s items, the database holds %d" % (st_js.get("items"), len(items)))
        if st_js.get("schema_version") != self.schema_version or st["schema_version"] != self.schema_version:
            bad("open", "schema_version %s (stats %s), expected %s"
                % (st["schema_version"], st_js.get("schema_version"), self.schema_version))
        space = {s["name"]: s for s in st_js.get("spaces", [])}.get(SPACE)
        if items and (not space or space.get("count") != len(items)):
            bad("half", "space %s holds %s vectors for %d items" % (SPACE, space and space.get("count"), len(items)))
        if raw and not raw["read_error"] and raw["db_exists"] and "items" in raw["tables"]:
            raw_items = {i: it["uri"] for i, it in raw["items"].items()}
            if raw_items != items:
                bad("other", "items changed between the kill and the first open: %d before, %d after"
                    % (len(raw_items), len(items)))
        # 4. Every item whole and identical to the reference.
        half = []
        for i, it in st["items"].items():
            r = self.ref.get(it["uri"])
            if r is None:
                bad("other", "unexpected item %d %s" % (i, it["uri"]))
                continue
            probs = []
            for key in ("filename", "size", "hash", "w", "h", "format"):
                if it[key] != r[key]:
                    probs.append("%s %r != %r" % (key, it[key], r[key]))
            if st["emb"].get(i) is None:
                probs.append("no embedding")
            elif st["emb"][i] != r["emb"]:
                probs.append("embedding differs")
            th = st["thumbs"].get(i)
            if th is None:
                probs.append("no thumbnail")
            elif th != r["thumb"]:
                probs.append("thumbnail differs")
            if st["reports"].get(i) != r["report"]:
                probs.append("report %r != %r" % (st["reports"].get(i), r["report"]))
            if probs:
                half.append("%d %s: %s" % (i, os.path.basename(it["uri"]), "; ".join(probs)))
        for h in half[:10]:
            bad("half", h)
        if len(half) > 10:
            bad("half", "… and %d more" % (len(half) - 10))
        if st["orphans"]:
            bad("half", "%d embeddings/thumbnails/reports without an item" % st["orphans"])
        self.figures["items_checked"] += len(items)
        stray = sorted(set(st["errors"]) - self.corrupt)
        if stray:
            bad("other", "ingest_errors name good files: %s" % stray[:5])
        # 5. Nothing committed was lost.
        lost = []
        for i, uri in (expect_prev or {}).items():
            if i in removed_targets:
                continue
            if items.get(i) != uri:
                lost.append(i)
        for i, uri in (snapshot or {}).items():
            if i not in removed_targets and items.get(i) != uri and i not in lost:
                lost.append(i)
        if lost:
            key = self.fail(ctx, "lost", "%d committed items lost or changed: ids %s"
                            % (len(lost), sorted(lost)[:20]))
            counts[key] = counts.get(key, 0) + len(lost)
        # Per verification, a collection fails to open (or check fails) once.
        for key in ("collections_failing_to_open", "check_failures", "remove_failures"):
            if counts.get(key):
                counts[key] = 1
        if removed_targets:
            gone = [i for i in removed_targets if i not in items]
            if gone and len(gone) != len(removed_targets):
                bad("remove", "remove applied in part: %d of %d items gone" % (len(gone), len(removed_targets)))
        # 6. The index on disk agrees with the database (check saved it if it was stale).
        sp = st["spaces"].get(SPACE)
        idx = st["index"]
        if sp and len(items) > 0:
            if not idx["meta"] or not idx["faiss"]:
                bad("check", "no index file after check")
            elif idx["meta"]["revision"] != sp["revision"] or idx["meta"]["count"] != len(st["emb"]):
                bad("check", "index file revision %s count %s, database revision %s count %s"
                    % (idx["meta"]["revision"], idx["meta"]["count"], sp["revision"], len(st["emb"])))
        if counts.get("remove_failures"):
            counts["remove_failures"] = 1
        # 7. After a completion run: exactly the expected set.
        if complete:
            have = set(items.values())
            if have != self.good:
                bad("other", "after completion: %d missing %s, %d extra" % (len(self.good - have),
                    sorted(self.good - have)[:3], len(have - self.good)))
            if set(st["errors"]) != self.corrupt:
                bad("other", "after completion ingest_errors %s, expected the %d corrupt files"
                    % (sorted(set(st["errors"]) ^ self.corrupt)[:5], len(self.corrupt)))
            err_list = {e["uri"] for e in st_js.get("error_list", [])}
            if err_list != self.corrupt:
                bad("other", "stats --errors lists %d errors, expected %d" % (len(err_list), len(self.corrupt)))
        return items, counts

    def classify(self, command, res, pre, raw, targets):
        """The phase a kill landed in, from the state it left."""
        if not res["killed"]:
            return "completed"
        plan_mode = res.get("plan_mode")
        idx = raw["index"]
        in_flight = bool(raw["wal"] and (raw["wal"]["uncommitted"] or raw["wal"]["partial"]))
        if command == "create":
            if not raw["db_exists"]:
                return "startup"
            if raw["read_error"] or raw["schema_version"] != self.schema_version:
                return "create-schema"
            if "embedder" not in raw["info"] or SPACE not in raw["spaces"]:
                return "create-info"
            return "teardown"
        if pre.get("unmigrated") and (raw["read_error"] or raw["schema_version"] != self.schema_version):
            return "migration"
        db_rev = raw["spaces"].get(SPACE, {}).get("revision")
        stale = idx["meta"] is None or db_rev is None or idx["meta"]["revision"] != db_rev
        if command == "add":
            have = {it["uri"] for it in raw["items"].values()}
            new = (have - pre["uris"]) & targets
            if in_flight or (new and not targets <= have):
                return "ingest"
            if idx["tmp"] or (res["trigger"] and plan_mode == "index"):
                return "index-save"
            if not new and not (targets <= have):
                probe = res.get("probe")
                if probe and not probe["db_open"]:
                    return "before-open"
                if probe and probe["pool_threads"]:
                    return "decode"
                return "startup"
            return "index-save" if stale and raw["items"] else "teardown"
        if command == "remove":
            if in_flight:
                return "ingest"
            if any(i in raw["items"] for i in targets):
                return "index-save" if (idx["tmp"] or plan_mode == "index") else "startup"
            # `remove` leaves the index to be rebuilt at next use unless it had it loaded.
            saves = self.events["remove"]["index"] > 0
            return "index-save" if (idx["tmp"] or (saves and stale)) else "teardown"
        if command == "check":
            # Run with the index folder deleted: what check writes is the rebuilt index.
            if idx["tmp"] or (idx["dir"] and not (idx["faiss"] and idx["meta"])) or plan_mode == "index":
                return "index-save"
            if not idx["dir"] or not idx["faiss"]:
                return "startup"
            return "teardown"
        return "startup"

    # -- runs ----------------------------------------------------------------------------

    def kill_run(self, cycle, command, args, coll, plan, prev, pre, targets=frozenset(), removed_targets=(),
                 keep_raw=False):
        n = len(self.runs) + 1
        ctx = {"run": n, "cycle": cycle, "command": command, "args": " ".join(args[:3] + (["…"] if len(args) > 3 else [])),
               "argv": args, "plan": plan, "failures": []}
        res = run_and_kill(self.cli, args, coll, plan, pre_kill_snapshot=(command != "create"))
        res["plan_mode"] = plan["mode"]
        raw = read_state(coll)
        ctx["raw"] = raw
        ctx["killed"] = res["killed"]
        ctx["kill_at"] = res["kill_at"]
        ctx["trigger"] = res["trigger"]
        ctx["elapsed"] = res["elapsed"]
        ctx["events_seen"] = res["events_seen"]
        exit_failure = None
        if not res["killed"] and res["rc"] not in (0, 2):
            exit_failure = self.fail(ctx, "remove" if command == "remove" else "other", "%s exited %s before the kill: %s"
                                     % (command, res["rc"], res["stderr"].strip()[-500:]))
        phase = self.classify(command, res, pre, raw, targets)
        ctx["phase"] = phase
        ctx["in_flight_commit"] = bool(res["killed"] and raw["wal"] and (raw["wal"]["uncommitted"] or raw["wal"]["partial"]))
        ctx["index_tmp"] = raw["index"]["tmp"]
        # Keep a copy of the state the kill left, for a post-mortem.
        last = os.path.join(self.work, "last-kill")
        shutil.rmtree(last, ignore_errors=True)
        if os.path.isdir(coll):
            shutil.copytree(coll, last, symlinks=True)
            if keep_raw:
                ctx["raw_copy"] = last + "-replay"
                shutil.rmtree(ctx["raw_copy"], ignore_errors=True)
                shutil.copytree(last, ctx["raw_copy"], symlinks=True)
        if command == "create" and phase in ("create-schema", "create-info"):
            ctx["create_incomplete"] = phase
        if command == "create" and os.path.exists(os.path.join(coll, DB)):
            # A create killed before its settings committed leaves a database that every command
            # refuses with "the creation ... was interrupted; create it again": the user's next
            # step, `create` again, must finish it (the checks below then see a whole collection).
            rc, _, err, _ = self.cli.run(["stats", coll, "--json"])
            if rc != 0 and "interrupted" in err:
                rc2, _, err2, _ = self.cli.run(["create", coll, "--json"])
                if rc2 == 0:
                    self.figures["interrupted_creates_finished"] = self.figures.get("interrupted_creates_finished", 0) + 1
                else:
                    self.fail(ctx, "open", "create after an interrupted create failed (rc %s): %s" % (rc2, err2.strip()[-300:]))
        items, counts = self.verify(ctx, coll, prev, removed_targets=removed_targets, snapshot=res["snapshot"],
                                    allow_absent=(command == "create"))
        if exit_failure:
            counts[exit_failure] = 1 if exit_failure == "remove_failures" else counts.get(exit_failure, 0) + 1
        if counts.get("collections_failing_to_open"):
            ctx["unopenable"] = True
        if ctx.get("check_notes"):
            if any("rebuilt" in x for x in ctx["check_notes"]):
                self.figures["stale_index_after_kill"] += 1
        self.record(ctx, counts)
        if ctx["failures"]:
            keep = os.path.join(self.work, "failure-run-%03d" % n)
            if os.path.isdir(last):
                shutil.move(last, keep)
            ctx["kept"] = keep
        return items, ctx

    def record(self, ctx, counts):
        f = self.figures
        f["runs"] += 1
        f["by_command"][ctx["command"]] = f["by_command"].get(ctx["command"], 0) + 1
        mode = ctx["plan"]["mode"]
        f["by_mode"][mode] = f["by_mode"].get(mode, 0) + 1
        ph = ctx["phase"]
        f["phases"][ph] = f["phases"].get(ph, 0) + 1
        f["buckets"][PHASE_BUCKET[ph]] += 1
        if ctx["killed"]:
            f["kills_landed"] += 1
            if not ctx["failures"]:
                f["kill_points_survived"] += 1
        else:
            f["completed_before_kill"] += 1
        if ctx["in_flight_commit"]:
            f["commits_in_flight"] += 1
        if ctx["index_tmp"]:
            f["index_tmp_left"] += 1
        if ctx.get("create_incomplete"):
            f["create_incomplete"] += 1
        for k, v in counts.items():
            f[k] += v
        plan = ctx["plan"]
        if plan["mode"] == "timer":
            how = "delay %.3f s" % plan["delay"]
        elif plan["mode"] == "wal":
            how = "WAL write #%d after %.3f s" % (plan["k"], plan["after"])
        elif plan["mode"] == "db":
            how = "db write #%d" % plan["k"]
        else:
            how = "%s %s #%d" % (plan["event"][0], mask_name(plan["event"][1]), plan["k"])
        line = "run %3d  cycle %2d  %-7s %-27s %-11s %s" % (
            ctx["run"], ctx["cycle"], ctx["command"], how,
            ph + ("*" if ctx["in_flight_commit"] else ""),
            ("killed at %.3f s" % ctx["kill_at"]) if ctx["killed"] else "exited at %.3f s" % ctx["elapsed"])
        if ctx.get("trigger"):
            line += " (%s)" % ctx["trigger"]
        print(line + ("" if not ctx["failures"] else "  FAILED"))
        for m in ctx["failures"]:
            print("      ! " + m)
        if ctx["failures"]:
            self.failures.append(ctx)
        rec = {k: v for k, v in ctx.items() if k not in ("raw",)}
        self.runs.append(rec)

    def completion(self, cycle, coll, prev):
        """An uninterrupted add that must finish the job: exactly the good images, the corrupt
        ones as errors, and nothing committed re-embedded."""
        ctx = {"run": "completion", "cycle": cycle, "failures": []}
        present = set(prev.values()) if prev else set()
        predicted = self.add_estimate(len(present & self.good), self.pre_state(coll, prev)["index_stale"], scaled=False)
        rc, js, err, secs = self.cli.run(["add", coll, self.root, "--json", "-q"])
        self.observe(predicted, secs)
        self.figures["completion_adds"] += 1
        if rc not in (0, 2) or not js:
            self.fail(ctx, "other", "completion add rc %s: %s" % (rc, err.strip()[-500:]))
        else:
            exp_added = len(self.good - present)
            want = {"added": exp_added, "unchanged": len(self.good & present), "updated": 0, "moved": 0,
                    "failed": len(self.corrupt), "cancelled": False}
            got = {k: js.get(k) for k in want}
            if got != want:
                self.fail(ctx, "other", "completion add reported %s, expected %s" % (got, want))
            if rc != (2 if self.corrupt else 0):
                self.fail(ctx, "other", "completion add exited %s" % rc)
        items, counts = self.verify(ctx, coll, prev, complete=True)
        for k, v in counts.items():
            self.figures[k] += v
        status = "ok" if not ctx["failures"] else "FAILED"
        print("cycle %2d  completion add: %d items, %.2f s  %s" % (cycle, len(items or {}), secs, status))
        for m in ctx["failures"]:
            print("      ! " + m)
        if ctx["failures"]:
            ctx["phase"] = "completion"
            self.failures.append(ctx)
        return items

    def plain_remove(self, number, coll, prev, victims, label=None):
        """An uninterrupted `remove`: it must succeed and remove exactly the victims, at once."""
        rc, js, err, _ = self.cli.run(["remove", coll] + [str(v) for v in victims] + ["--json"])
        now = committed_items(coll) or {}
        msgs = []
        if rc != 0:
            msgs.append("remove of %d items (uninterrupted) exited %s: %s"
                        % (len(victims), rc, (js or {}).get("error") or err.strip()[-300:]))
        gone = [v for v in victims if v not in now]
        if len(gone) != len(victims):
            msgs.append("remove applied in part: %d of %d items gone (ids %s; still there %s)"
                        % (len(gone), len(victims), sorted(victims)[:10],
                           sorted(set(victims) - set(gone))[:10]))
        others = {i: u for i, u in prev.items() if i not in victims}
        if any(now.get(i) != u for i, u in others.items()):
            msgs.append("remove took items it was not given")
        if msgs:
            ctx = {"run": label or "remove (setup)", "cycle": number, "command": "remove", "failures": msgs,
                   "args": "remove %s %s" % (coll, " ".join(map(str, victims)))}
            ctx["failures"] = ["remove: " + m for m in msgs]
            self.figures["remove_failures"] += 1
            self.failures.append(ctx)
            print("cycle %2d  %s FAILED" % (number, ctx["run"]))
            for m in ctx["failures"]:
                print("      ! " + m)
        return now

    def migration_run(self, number, coll, raw_copy):
        shutil.rmtree(coll, ignore_errors=True)
        shutil.copytree(raw_copy, coll, symlinks=True)
        # Every command but `create` refuses an interrupted create ("create it again"), so the
        # replay kills the `create` that finishes it: its migration of the half-made database.
        plan = self.plan_for("create", self.t["create"] * self._scale, db_events=max(2, self.events["create"]["db"]))
        _, ctx = self.kill_run(number, "create", ["create", coll, "--json"], coll, plan, None, {"uris": set()})
        shutil.rmtree(coll, ignore_errors=True)
        return 1

    def pre_state(self, coll, prev):
        raw = read_state(coll)
        rev = raw["spaces"].get(SPACE, {}).get("revision")
        meta = raw["index"]["meta"]
        return {"uris": set((prev or {}).values()),
                "unmigrated": raw["db_exists"] and raw["schema_version"] != self.schema_version,
                "index_stale": meta is None or rev is None or meta["revision"] != rev}

    def cycle(self, number, kind, budget):
        coll = os.path.join(self.work, "c%03d" % number)
        shutil.rmtree(coll, ignore_errors=True)
        used = 0
        prev = None
        print("cycle %2d  (%s collection)" % (number, kind))
        if kind == "fresh" and self.rng.random() < 0.4 and used < budget:
            plan = self.plan_for("create", self.t["create"] * self._scale, db_events=self.events["create"]["db"])
            if plan["mode"] != "timer":
                os.makedirs(coll, exist_ok=True)
            prev, ctx = self.kill_run(number, "create", ["create", coll, "--json"], coll, plan, None,
                                      {"uris": set()}, keep_raw=True)
            used += 1
            if ctx.get("unopenable"):
                return used
            if ctx["phase"] in ("create-schema", "create-info") and ctx.get("raw_copy") and used < budget:
                # The check above was the first to open (and migrate) the collection.  Replay the
                # state the kill left on a copy and kill an `add` there instead, so that kills
                # land in the migration at open too.
                used += self.migration_run(number, coll + "-m", ctx["raw_copy"])
            if ctx.get("raw_copy"):
                shutil.rmtree(ctx["raw_copy"], ignore_errors=True)
        if not os.path.exists(os.path.join(coll, DB)):
            rc, js, err, _ = self.cli.run(["create", coll, "--json"])
            if rc != 0:
                raise HarnessError("create failed: %s" % err.strip())
            prev = {}
        if kind == "big":
            predicted = self.add_estimate(0, True, scaled=False)
            rc, js, err, secs = self.cli.run(["add", coll, self.root, "--json", "-q"])
            self.observe(predicted, secs)
            if rc not in (0, 2):
                raise HarnessError("add failed: %s" % err.strip()[-500:])
            prev = committed_items(coll) or {}
        n_kills = self.rng.randint(2, 5)
        while used < budget and n_kills > 0:
            n_kills -= 1
            prev = prev or {}
            complete = self.good <= set(prev.values())
            if kind == "big":
                # A big collection and a short job: remove some items (uninterrupted), then
                # kill the add that puts them back, often near its end (the index save).
                k = self.rng.randint(1, max(1, len(prev) // 8))
                victims = self.rng.sample(sorted(prev), min(k, len(prev)))
                prev = self.plain_remove(number, coll, prev, victims)
            # Fresh cycles: now and then a killed remove or check --repair; only those once the
            # collection is complete (an add would have nothing to do).
            op = "add"
            r = self.rng.random()
            if kind == "fresh" and len(prev) >= 5 and (r < 0.12 or (complete and r < 0.5)):
                op = "remove"
            elif kind == "fresh" and prev and (r < 0.24 or complete):
                op = "check"
            pre = self.pre_state(coll, prev)
            if op == "add":
                threads = self.rng.choice([None, 1, 2, 3])
                args = ["add", coll, self.root, "--json", "-q"] + (["--threads", str(threads)] if threads else [])
                todo = len(self.good) - len(set(prev.values()) & self.good)
                est = self.add_estimate(len(prev), pre["index_stale"])
                wal = int(self.events["add"]["wal"] * todo / max(1, len(self.good))) + 2
                plan = self.plan_for("add", est, wal_events=wal, index_weight=0.35 if kind == "big" else 0.2,
                                     index_saves=2 if pre["index_stale"] else 1)
                targets = set(self.good)
                prev, ctx = self.kill_run(number, "add", args, coll, plan, prev, pre, targets=targets)
            elif op == "remove":
                victims = self.rng.sample(sorted(prev), self.rng.randint(1, min(20, len(prev))))
                args = ["remove", coll] + [str(v) for v in victims] + ["--json"]
                # `remove` writes the index only if it had it loaded (the reference run tells).
                plan = self.plan_for("remove", self.t["remove"] * self._scale, wal_events=max(1, self.events["remove"]["wal"]),
                                     index_possible=self.events["remove"]["index"] > 0)
                prev, ctx = self.kill_run(number, "remove", args, coll, plan, prev, pre, targets=set(victims),
                                          removed_targets=set(victims))
            else:
                # Index files are derived: without them check --repair rebuilds and writes them.
                shutil.rmtree(os.path.join(coll, "index"), ignore_errors=True)
                plan = self.plan_for("check", self.t["check_repair"] * self._scale, wal_events=0, index_weight=0.45)
                prev, ctx = self.kill_run(number, "check", ["check", coll, "--repair", "--json"], coll, plan,
                                          prev, pre)
            used += 1
            if ctx.get("unopenable"):
                return used  # nothing more can be learnt from this collection
            prev = prev or {}
        self.completion(number, coll, prev or {})
        if not self.a.keep:
            shutil.rmtree(coll, ignore_errors=True)
        return used

    def run(self):
        t0 = time.monotonic()
        load0 = os.getloadavg()
        self.prepare_images()
        self.calibrate()
        number = 0
        while self.figures["runs"] < self.a.runs:
            number += 1
            kind = "big" if self.rng.random() < self.a.big_fraction else "fresh"
            self.cycle(number, kind, self.a.runs - self.figures["runs"])
            self.figures["cycles"] = number
            if self.failures and self.a.stop_on_failure:
                break
        f = self.figures
        f["seconds"] = round(time.monotonic() - t0, 1)
        f["loadavg_start"] = [round(x, 2) for x in load0]
        f["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
        f["cpus"] = os.cpu_count()
        f["images"] = len(self.good)
        f["corrupt"] = len(self.corrupt)
        f["seed"] = self.a.seed
        f["calibration_seconds"] = {k: round(v, 3) for k, v in self.t.items()}
        f["calibration_events"] = self.events
        f["duration_scale_end"] = round(self._scale, 3)
        f["failures"] = len(self.failures)
        self.summary()
        if self.a.json:
            with open(self.a.json, "w") as out:
                json.dump({"figures": f, "runs": self.runs,
                           "failures": [{k: v for k, v in c.items() if k != "raw"} for c in self.failures]},
                          out, indent=2, default=lambda o: sorted(o) if isinstance(o, set) else str(o))
        ok = not self.failures
        if ok and not self.a.keep and not self.a.workdir:
            shutil.rmtree(self.work, ignore_errors=True)
        return 0 if ok else 1

    def summary(self):
        f = self.figures
        print()
        print("== crash-consistency summary (seed %d) ==" % self.a.seed)
        print("images                       %d good + %d corrupt" % (f["images"], f["corrupt"]))
        print("runs (kill attempts)         %d in %d cycles (%s); by mode %s"
              % (f["runs"], f["cycles"], ", ".join("%s %d" % kv for kv in sorted(f["by_command"].items())),
                 ", ".join("%s %d" % kv for kv in sorted(f["by_mode"].items()))))
        print("kills that landed            %d (survived %d); %d runs finished before the kill"
              % (f["kills_landed"], f["kill_points_survived"], f["completed_before_kill"]))
        for b in BUCKETS:
            parts = [("%s %d" % (p, n)) for p, n in sorted(f["phases"].items()) if PHASE_BUCKET[p] == b]
            print("  %-26s %3d  (%s)" % (b, f["buckets"][b], ", ".join(parts)))
        print("  commits in flight at the kill (uncommitted WAL frames): %d" % f["commits_in_flight"])
        print("  stale index found (and rebuilt) by check: %d; .tmp index files left by a kill: %d"
              % (f["stale_index_after_kill"], f["index_tmp_left"]))
        print("completion adds              %d (each checked for the exact set of items and errors)" % f["completion_adds"])
        print("item checks                  %d" % f["items_checked"])
        print("collections failing to open %d" % f["collections_failing_to_open"])
        print("committed items lost         %d" % f["committed_items_lost"])
        print("check failures               %d" % f["check_failures"])
        print("half-written items           %d" % f["half_written_items"])
        print("other failures               %d" % f["other_failures"])
        print("uninterrupted removes failed %d (no kill involved: `remove` itself failed or applied in part)"
              % f["remove_failures"])
        if f["create_incomplete"]:
            print("killed creates that left a database without its settings: %d (refused on open as an"
                  " interrupted create; `create` again finished %d)"
                  % (f["create_incomplete"], f.get("interrupted_creates_finished", 0)))
        print("time                         %.0f s; load average %s at start, %s at end (%d CPUs)"
              % (f["seconds"], f["loadavg_start"], f["loadavg_end"], f["cpus"]))
        crash_ok = not (f["collections_failing_to_open"] or f["committed_items_lost"] or f["check_failures"]
                        or f["half_written_items"])
        print("crash consistency: %s (%d kill points survived; 0 lost, 0 failing to open, 0 check failures "
              "and 0 half-written items wanted)%s"
              % ("ok" if crash_ok else "FAILED", f["kill_points_survived"],
                 "" if f["kill_points_survived"] >= 50 else "; fewer than the 50 kill points of the long run"))
        if self.failures:
            print()
            print("FAILED. To reproduce: %s --cli %s --seed %d --runs %d --images-count %d%s"
                  % (sys.argv[0], self.a.cli, self.a.seed, self.a.runs, self.a.images_count,
                     " --images %s" % self.a.images if self.a.images else ""))
            for c in self.failures[:15]:
                plan = c.get("plan", {})
                print("  run %s (cycle %s, %s %s, plan %s, killed at %s): %s"
                      % (c["run"], c["cycle"], c.get("command", "add"), c.get("args", ""), plan,
                         ("%.3f s" % c["kill_at"]) if c.get("kill_at") is not None else "-",
                         "; ".join(c["failures"])))
                if c.get("kept"):
                    print("    state left by the kill kept in %s" % c["kept"])
            if len(self.failures) > 15:
                print("  … and %d more (--json has them all)" % (len(self.failures) - 15))
            print("  work folder: %s" % self.work)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", default="build/dev/src/cli/lookalike-cli", help="the lookalike-cli to test")
    ap.add_argument("--runs", type=int, default=50, help="kill attempts (default 50)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--images", help="use the images in DIR instead of drawing them")
    ap.add_argument("--images-count", type=int, default=300, help="images to draw (default 300)")
    ap.add_argument("--big-fraction", type=float, default=0.35,
                    help="share of cycles that start from a full collection and kill short jobs (default 0.35)")
    ap.add_argument("--workdir", help="work folder (default: a new temporary one, deleted on success)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder and collections")
    ap.add_argument("--no-copy-cli", dest="copy_cli", action="store_false",
                    help="run --cli in place instead of a private copy")
    ap.add_argument("--stop-on-failure", action="store_true")
    ap.add_argument("--json", help="write the figures and every run to this file")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every CLI command")
    args = ap.parse_args()
    try:
        h = Harness(args)
        return h.run()
    except HarnessError as e:
        print("crash_harness: %s" % e, file=sys.stderr)
        return e.code


if __name__ == "__main__":
    sys.exit(main())
