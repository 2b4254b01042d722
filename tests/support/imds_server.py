#!/usr/bin/env python3
"""A loopback EC2 instance metadata service (IMDSv2 only), for credential tests.

imds_server.py PORT_FILE LOG_FILE --access-key-id K --secret-access-key S
               --session-token T [--role NAME] [--expires-in SECONDS]
Writes its port to PORT_FILE. PUT /latest/api/token (with
X-aws-ec2-metadata-token-ttl-seconds) hands out a session token; the GETs under
/latest/meta-data/iam/security-credentials/ need it in
X-aws-ec2-metadata-token (401 otherwise, as IMDSv2 when v1 is off) and answer
the role's name, then its credentials as JSON, Expiration SECONDS from now.
Without --role the instance has no role (404). Appends one JSON line per
request ({"method", "path", "token"}) to LOG_FILE. Stops by itself after 120 s.
"""
import argparse
import datetime
import json
import os
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("port_file")
parser.add_argument("log_file")
parser.add_argument("--access-key-id", required=True)
parser.add_argument("--secret-access-key", required=True)
parser.add_argument("--session-token", required=True)
parser.add_argument("--role")
parser.add_argument("--expires-in", type=int, default=3600)
args = parser.parse_args()
lock = threading.Lock()
tokens = set()
PREFIX = "/latest/meta-data/iam/security-credentials/"


class Handler(BaseHTTPRequestHandler):
    def log(self):
        with lock, open(args.log_file, "a") as log:
            log.write(json.dumps({"method": self.command, "path": self.path,
                                  "token": self.headers.get("X-aws-ec2-metadata-token")}) + "\n")

    def reply(self, status, body, content_type="text/plain"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        self.log()
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
        if self.path != "/latest/api/token":
            return self.reply(404, "not found")
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self.reply(400, "missing or bad X-aws-ec2-metadata-token-ttl-seconds")
        token = secrets.token_urlsafe(32)
        with lock:
            tokens.add(token)
        self.reply(200, token)

    def do_GET(self):
        self.log()
        with lock:
            valid = self.headers.get("X-aws-ec2-metadata-token") in tokens
        if not valid:
            return self.reply(401, "")
        if not self.path.startswith(PREFIX) or not args.role:
            return self.reply(404, "not found")
        role = self.path[len(PREFIX):]
        if role == "":
            return self.reply(200, args.role)
        if role != args.role:
            return self.reply(404, "not found")
        now = datetime.datetime.now(datetime.timezone.utc)
        expiration = now + datetime.timedelta(seconds=args.expires_in)
        self.reply(200, json.dumps({
            "Code": "Success", "LastUpdated": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "Type": "AWS-HMAC",
            "AccessKeyId": args.access_key_id, "SecretAccessKey": args.secret_access_key,
            "Token": args.session_token, "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ")}),
            "application/json")

    def log_message(self, *a):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(args.port_file + ".tmp", args.port_file)
threading.Timer(120, server.shutdown).start()
server.serve_forever()
