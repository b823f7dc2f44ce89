#!/usr/bin/env python3
"""A scriptable loopback HTTP server for gc's tests (stdlib only).

Binds 127.0.0.1 on a free port (HTTPS with --tls-cert and --tls-key), prints
the port on the first line of standard output, and serves until --lifetime
seconds have passed, so that no test can leave it running.

Every request is counted under its key=K parameter, or its path when it has
none; /count?key=K tells how many there were, so a test can count attempts
(with a key of its own, to start from zero).

With length=0 in its query, an answer has no Content-Length: the body ends
where the connection does (HTTP/1.0).

Routes (optional query parameters in brackets):
  /ok                      200, two NDJSON lines
  /flaky?n=K[&key=]        500 for the first K requests of the key, then 200
  /429[?after=S&key=]      429 with Retry-After: S (default 1) the first time, then 200
  /slow?ms=N               sleeps N ms, then 200
  /big?bytes=N             200 with N bytes of 'x'
  /redirect?to=URL         302 to URL
  /loop                    302 to itself, for ever
  /status?code=N           answers N
  /auth                    200 with the bearer token of --token, else 401
  /readings?since=TS[&limit=N]
                           the reading records of --data with "ts" after TS, in
                           file order, at most N of them
  /echo-headers            200, the request's headers as "Name: value" lines
  /count?key=K             the number of requests counted under K
  POST /ingest?fail=P[&seed=S&key=]
                           takes the body under its Idempotency-Key header, failing
                           at random P percent of the time (seeded by S): half of
                           the failures before taking the body, half after (an
                           answer lost on the way back); the same key with the same
                           body again is answered 200, with another body 422
  /received                what /ingest took, one "KEY BODY" line each, in order
"""

import argparse
import os
import json
import random
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

OK_BODY = (b'{"type":"reading","v":1,"device":"pv-001","ts":"2026-11-01T10:00:00Z",'
           b'"period_s":300,"energy_wh":310}\n'
           b'{"type":"reading","v":1,"device":"pv-001","ts":"2026-11-01T10:05:00Z",'
           b'"period_s":300,"energy_wh":305}\n')

hits = {}
hits_lock = threading.Lock()
ingested = {}  # Idempotency-Key -> body, in the order first taken
ingest_rng = None


def count(key):
    """Counts one more request under KEY; returns the new count."""
    with hits_lock:
        hits[key] = hits.get(key, 0) + 1
        return hits[key]


class Handler(BaseHTTPRequestHandler):
    server_version = "gc-test"
    token = None
    data_file = None
    root = None

    def log_message(self, format, *args):  # quiet: the tests read stdout for the port only
        pass

    def reply(self, code, body=b"", ctype="application/x-ndjson", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        if self.with_length:
            self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self.with_length = q.get("length") != "0"
        seen = count(q.get("key", url.path)) if url.path != "/count" else 0

        if url.path == "/ok":
            self.reply(200, OK_BODY)
        elif url.path == "/flaky":
            if seen <= int(q.get("n", "1")):
                self.reply(500, b"try again\n", "text/plain")
            else:
                self.reply(200, OK_BODY)
        elif url.path == "/429":
            if seen <= 1:
                self.reply(429, b"slow down\n", "text/plain",
                           [("Retry-After", q.get("after", "1"))])
            else:
                self.reply(200, OK_BODY)
        elif url.path == "/slow":
            time.sleep(int(q.get("ms", "1000")) / 1000)
            self.reply(200, OK_BODY)
        elif url.path == "/big":
            self.reply(200, b"x" * int(q.get("bytes", "0")), "text/plain")
        elif url.path == "/redirect":
            self.reply(302, headers=[("Location", q.get("to", "/ok"))])
        elif url.path == "/loop":
            self.reply(302, headers=[("Location", "/loop")])
        elif url.path == "/status":
            code = int(q.get("code", "200"))
            self.reply(code, b"status %d\n" % code, "text/plain")
        elif url.path == "/auth":
            if self.token is not None and \
                    self.headers.get("Authorization") == "Bearer " + self.token:
                self.reply(200, OK_BODY)
            else:
                self.reply(401, b"unauthorised\n", "text/plain",
                           [("WWW-Authenticate", "Bearer")])
        elif url.path == "/readings" and self.data_file is not None:
            self.reply(200, self.readings(q.get("since", ""), int(q.get("limit", "-1"))))
        elif url.path == "/file" and self.root is not None:
            # Only names directly in --root: no paths, so nothing else can be served.
            name = os.path.basename(q.get("name", ""))
            try:
                with open(os.path.join(self.root, name), "rb") as f:
                    self.reply(200, f.read(), "text/plain")
            except OSError:
                self.reply(404, b"no such file\n", "text/plain")
        elif url.path == "/echo-headers":
            lines = "".join("%s: %s\n" % (k, v) for k, v in self.headers.items())
            self.reply(200, lines.encode(), "text/plain")
        elif url.path == "/received":
            with hits_lock:
                lines = b"".join(k.encode() + b" " + v + b"\n" for k, v in ingested.items())
            self.reply(200, lines, "text/plain")
        elif url.path == "/count":
            with hits_lock:
                n = hits.get(q.get("key"), 0)
            self.reply(200, b"%d\n" % n, "text/plain")
        else:
            self.reply(404, b"no such route\n", "text/plain")

    def do_POST(self):
        global ingest_rng
        url = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self.with_length = True
        count(q.get("key", url.path))
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        key = self.headers.get("Idempotency-Key")
        if url.path != "/ingest":
            self.reply(404, b"no such route\n", "text/plain")
            return
        if not key:
            self.reply(400, b"no Idempotency-Key\n", "text/plain")
            return
        with hits_lock:
            if ingest_rng is None:
                ingest_rng = random.Random(int(q.get("seed", "1")))
            r = ingest_rng.random() * 100
            fail = float(q.get("fail", "0"))
            if r < fail / 2:
                self.reply(500, b"not taken\n", "text/plain")
                return
            if key in ingested and ingested[key] != body:
                self.reply(422, b"another body under this key\n", "text/plain")
                return
            ingested.setdefault(key, body)
        if r < fail:
            self.reply(500, b"taken, answer lost\n", "text/plain")
        else:
            self.reply(200, b"{}\n", "application/json")

    def readings(self, since, limit):
        out = []
        with open(self.data_file, "rb") as f:
            for line in f:
                if line.strip() and json.loads(line).get("ts", "") > since:
                    out.append(line if line.endswith(b"\n") else line + b"\n")
        return b"".join(out if limit < 0 else out[:limit])


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a sleeping handler must not keep the process alive

    def handle_error(self, request, client_address):
        # A client that stops reading (a size limit, a timeout) is part of the tests.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description="loopback HTTP server for gc's tests")
    ap.add_argument("--lifetime", type=float, default=60, help="seconds before it exits")
    ap.add_argument("--token", help="the bearer token /auth accepts")
    ap.add_argument("--data", help="NDJSON reading records for /readings")
    ap.add_argument("--root", help="a directory whose files /file?name=NAME serves")
    ap.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate ...")
    ap.add_argument("--tls-key", help="... and this PEM private key")
    args = ap.parse_args()

    Handler.token = args.token
    Handler.data_file = args.data
    Handler.root = args.root
    server = Server(("127.0.0.1", 0), Handler)
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    stop = threading.Timer(args.lifetime, server.shutdown)
    stop.daemon = True
    stop.start()
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
