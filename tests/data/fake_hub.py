#!/usr/bin/python3
"""A stand-in for the Hugging Face hub on loopback, for tests of the model downloader.

    fake_hub.py ROOT [LOG]   prints "PORT <n>" once listening on 127.0.0.1; appends one line
                             per request to LOG: "<path>\t<Range header or ->\t<auth: yes|no>"

GET /<org>/<name>/resolve/<revision>/<file> serves ROOT/<org>/<name>/<file> as the hub does: with
an ETag that is the git SHA-1 of the bytes (40 hex, not a SHA-256), honouring "Range: bytes=N-"
with 206 and Content-Range (416 past the end). GET /files/<file> serves ROOT/files/<file> the same
way (plain URLs for download lists). Behaviours chosen by the repository name:
  org/redirected   model.safetensors answers 302 to /cdn/org/redirected/model.safetensors
  org/lfs, org/badsum, org/flaky, org/norange, org/range416, org/slow
                   model.safetensors is an LFS file: 302 to /cdn/<org>/<name>/model.safetensors
                   with "X-Linked-Etag: <sha256>" and X-Linked-Size, as the hub answers. The
                   SHA-256 stated is the content's, or the text of ROOT/<org>/<name>/
                   model.safetensors.sha256 where that exists (org/badsum's test writes a wrong one)
  org/etag         model.safetensors answers 200 directly with "ETag: <sha256>" (the hub's final
                   answer for LFS files carries that too)
  org/gated        every file needs "Authorization: Bearer secret-token" (else 401)
  org/to-file      config.json redirects to file:///etc/passwd
  org/huge         model.safetensors claims a Content-Length of 10 GB
  org/stall        model.safetensors sends headers and 10 bytes, then nothing for 30 s
  org/short        model.safetensors sends its Content-Length and half of the bytes, then closes
anything else missing answers 404.
/cdn/<org>/<name>/<file> is the storage host: it refuses any request that carries an Authorization
header (a token must never follow a redirect there) and serves ROOT/<org>/<name>/<file>, except:
  org/flaky        a request without Range gets all headers but only half of the bytes, then the
                   connection closes; a Range request is served (206)
  org/norange      ignores Range: always 200 with everything
  org/range416     answers 416 to any Range request
  org/slow, org/norange, org/range416
                   send 64 KiB pieces with a pause between them (downloads to cancel midway)
No behaviour depends on how many requests came before: Qt may silently resend a GET whose
connection closed early, and such a request must not shift what the next one gets.
"""
import hashlib
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = sys.argv[1]
LOG = sys.argv[2] if len(sys.argv) > 2 else None
LFS = {"org/lfs", "org/badsum", "org/flaky", "org/norange", "org/range416", "org/slow"}
PACED = {"org/slow", "org/norange", "org/range416"}
lock = threading.Lock()


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Hub(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_bytes(self, data, status=200, length=None, headers=()):
        self.send_response(status)
        self.send_header("Content-Length", str(len(data) if length is None else length))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if LOG:
            with lock, open(LOG, "a") as log:
                auth = "yes" if self.headers.get("Authorization") else "no"
                log.write(f"{self.path}\t{self.headers.get('Range') or '-'}\t{auth}\n")
        parts = self.path.split("/")
        if len(parts) == 5 and parts[1] == "cdn":
            if self.headers.get("Authorization"):
                return self.send_bytes(b"token forwarded to the storage host", 400)
            return self.storage(f"{parts[2]}/{parts[3]}", parts[4])
        if len(parts) == 3 and parts[1] == "files":
            return self.serve(os.path.join(ROOT, "files", parts[2]))
        # /org/name/resolve/rev/file
        if len(parts) != 6 or parts[3] != "resolve":
            return self.send_bytes(b"not found", 404)
        org, name, file = parts[1], parts[2], parts[5]
        repo = f"{org}/{name}"
        path = os.path.join(ROOT, org, name, file)
        if repo == "org/gated" and self.headers.get("Authorization") != "Bearer secret-token":
            return self.send_bytes(b"gated", 401)
        if repo == "org/redirected" and file == "model.safetensors":
            return self.send_bytes(b"", 302, headers=[("Location", "/cdn/org/redirected/model.safetensors")])
        if repo in LFS and file == "model.safetensors" and os.path.isfile(path):
            data = read(path)
            stated = hashlib.sha256(data).hexdigest()
            if os.path.isfile(path + ".sha256"):
                stated = read(path + ".sha256").decode().strip()
            return self.send_bytes(b"", 302, headers=[("Location", f"/cdn/{repo}/{file}"),
                                                      ("X-Linked-Etag", f'"{stated}"'),
                                                      ("X-Linked-Size", str(len(data)))])
        if repo == "org/etag" and file == "model.safetensors":
            return self.serve(path, etag=hashlib.sha256(read(path)).hexdigest())
        if repo == "org/to-file" and file == "config.json":
            return self.send_bytes(b"", 302, headers=[("Location", "file:///etc/passwd")])
        if repo == "org/huge" and file == "model.safetensors":
            self.send_response(200)
            self.send_header("Content-Length", str(10 * 1024 ** 3))
            self.end_headers()
            self.wfile.write(b"x" * 1024)
            self.close_connection = True
            return
        if repo == "org/short" and file == "model.safetensors":
            self.send_response(200)
            self.send_header("Content-Length", str(os.path.getsize(path)))
            self.end_headers()
            self.wfile.write(read(path)[: os.path.getsize(path) // 2])
            self.close_connection = True
            return
        if repo == "org/stall" and file == "model.safetensors":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.wfile.flush()
            time.sleep(30)
            self.close_connection = True
            return
        return self.serve(path)

    def storage(self, repo, file):
        path = os.path.join(ROOT, repo, file)
        if os.path.isfile(path):
            if repo == "org/flaky" and not self.headers.get("Range"):
                data = read(path)
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            if repo == "org/range416" and self.headers.get("Range"):
                return self.send_bytes(b"", 416, headers=[("Content-Range", f"bytes */{os.path.getsize(path)}")])
        return self.serve(path, ranges=repo != "org/norange", pace=repo in PACED)

    def serve(self, path, etag=None, ranges=True, pace=False):
        if not os.path.isfile(path):
            return self.send_bytes(b"not found", 404)
        data = read(path)
        if etag is None:  # what the hub sends for files kept in git: their git SHA-1
            etag = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        headers = [("ETag", f'"{etag}"'), ("Accept-Ranges", "bytes")]
        status = 200
        wanted = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if ranges and wanted:
            first = int(wanted.group(1))
            if first >= len(data):
                return self.send_bytes(b"", 416, headers=[("Content-Range", f"bytes */{len(data)}")])
            headers.append(("Content-Range", f"bytes {first}-{len(data) - 1}/{len(data)}"))
            data = data[first:]
            status = 206
        if not pace:
            return self.send_bytes(data, status, headers=headers)
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        for at in range(0, len(data), 64 * 1024):
            try:
                self.wfile.write(data[at:at + 64 * 1024])
                self.wfile.flush()
            except OSError:  # the client cancelled
                return
            time.sleep(0.005)


server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
server.daemon_threads = True
print(f"PORT {server.server_address[1]}", flush=True)
server.serve_forever()
