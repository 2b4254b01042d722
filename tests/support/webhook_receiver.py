#!/usr/bin/env python3
"""A tiny HTTP receiver for webhook tests, on a free loopback port.

webhook_receiver.py PORT_FILE LOG_FILE [--fail-first N] [--status S] [--hang]
Writes the port it listens on to PORT_FILE, appends one JSON line per request
({"path", "content_type", "body"}) to LOG_FILE, answers S (default 500) to the
first N requests and 200 after; with --hang it never answers. Stops by itself
after 120 s so a test that dies cannot leave it behind.
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("port_file")
parser.add_argument("log_file")
parser.add_argument("--fail-first", type=int, default=0)
parser.add_argument("--status", type=int, default=500)
parser.add_argument("--hang", action="store_true")
args = parser.parse_args()
lock = threading.Lock()
seen = 0


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        global seen
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8", "replace")
        with lock:
            seen += 1
            n = seen
            with open(args.log_file, "a") as log:
                log.write(json.dumps({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                      "body": body}) + "\n")
        if args.hang:
            time.sleep(60)
            return
        status = args.status if n <= args.fail_first else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *a):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(args.port_file + ".tmp", args.port_file)
threading.Timer(120, server.shutdown).start()
server.serve_forever()
