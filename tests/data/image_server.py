#!/usr/bin/python3
"""A web server on loopback with images and every kind of bad answer, for tests of adding by URL.

    image_server.py ROOT [LOG]   prints "PORT <n>" once listening on 127.0.0.1; appends one line
                                 per event to LOG: "<event>\t<path>" where event is "get" when a
                                 request arrives and "end" when its answer is over (sent, or the
                                 client went away)

GET /img/<file>            ROOT/<file>, Content-Type from the extension
GET /redirect/<n>/<file>   302 to /redirect/<n-1>/<file>, and /redirect/0/<file> to /img/<file>
GET /loop                  302 to /loop, for ever
GET /to-file               302 to file:///etc/passwd
GET /to-ftp                302 to ftp://127.0.0.1/x.png
GET /html                  200, an HTML page (as a site's error page or a link to a page is)
GET /text                  200, text/plain that is no image
GET /missing               404
GET /always500             500
GET /flaky/<key>/<file>    503 to the first request for <key>, then ROOT/<file>
GET /slow/<file>           headers and 100 bytes of ROOT/<file>, then nothing for 30 s (a stall)
GET /hang                  nothing at all for 30 s (no headers: a server that accepted and froze)
GET /huge                  claims a Content-Length of 10 GB
GET /endless               no Content-Length; sends bytes until the client goes away
"""
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = sys.argv[1]
LOG = sys.argv[2] if len(sys.argv) > 2 else None
log_lock = threading.Lock()
flaky_seen = set()
TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif"}


def log(event, path):
    if LOG:
        with log_lock, open(LOG, "a") as f:
            f.write(f"{event}\t{path}\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", ctype="application/octet-stream", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location):
        self.answer(302, b"", "text/plain", [("Location", location)])

    def serve_file(self, name):
        path = os.path.join(ROOT, os.path.basename(name))
        if not os.path.isfile(path):
            return self.answer(404, b"not found", "text/plain")
        with open(path, "rb") as f:
            body = f.read()
        self.answer(200, body, TYPES.get(os.path.splitext(name)[1], "application/octet-stream"))

    def do_GET(self):
        log("get", self.path)
        try:
            self.route()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            log("end", self.path)

    def route(self):
        parts = self.path.split("?")[0].split("/")[1:]
        head = parts[0]
        if head == "img":
            return self.serve_file(parts[1])
        if head == "redirect":
            n = int(parts[1])
            return self.redirect(f"/redirect/{n - 1}/{parts[2]}" if n > 0 else f"/img/{parts[2]}")
        if head == "loop":
            return self.redirect("/loop")
        if head == "to-file":
            return self.redirect("file:///etc/passwd")
        if head == "to-ftp":
            return self.redirect("ftp://127.0.0.1/x.png")
        if head == "html":
            return self.answer(200, b"<!DOCTYPE html><html><body>An image page</body></html>", "text/html; charset=utf-8")
        if head == "text":
            return self.answer(200, b"hello, this is text", "text/plain")
        if head == "always500":
            return self.answer(500, b"broken", "text/plain")
        if head == "flaky":
            with log_lock:
                first = parts[1] not in flaky_seen
                flaky_seen.add(parts[1])
            if first:
                return self.answer(503, b"try later", "text/plain")
            return self.serve_file(parts[2])
        if head == "slow":
            with open(os.path.join(ROOT, os.path.basename(parts[1])), "rb") as f:
                body = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:100])
            self.wfile.flush()
            return self.sleep_until_gone(30)
        if head == "hang":
            return self.sleep_until_gone(30)
        if head == "huge":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(10 * 1000 ** 3))
            self.end_headers()
            self.wfile.write(b"\x89PNG\r\n\x1a\n")
            return self.sleep_until_gone(30)
        if head == "endless":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"\x89PNG\r\n\x1a\n" + b"\0" * 65528
            while True:
                self.wfile.write(chunk)
        return self.answer(404, b"not found", "text/plain")

    def sleep_until_gone(self, seconds):
        # Sleeps in small steps, noticing a client that closed the connection.
        self.connection.settimeout(0.05)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                if self.connection.recv(1, 0x2) == b"":  # MSG_PEEK: b"" once the peer closed
                    return
            except TimeoutError:
                pass
            except OSError:
                return


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


server = Server(("127.0.0.1", 0), Handler)
print(f"PORT {server.server_address[1]}", flush=True)
server.serve_forever()
