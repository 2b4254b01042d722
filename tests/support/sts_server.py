#!/usr/bin/env python3
"""A loopback STS that speaks AssumeRoleWithWebIdentity, for credential tests.

sts_server.py PORT_FILE LOG_FILE --access-key-id K --secret-access-key S
              --session-token T [--expires-in SECONDS] [--deny CODE]
Writes its port to PORT_FILE. Takes the form-encoded request (POST body or GET
query) as STS does, checks it names the action, version, role, session and
token, and answers the XML document STS sends, with Expiration SECONDS from now
(default 3600). With --deny CODE it answers 403 and an ErrorResponse instead.
Appends one JSON line per request ({"method", "path", "params", "authorization"})
to LOG_FILE. Stops by itself after 120 s.
"""
import argparse
import datetime
import json
import os
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("port_file")
parser.add_argument("log_file")
parser.add_argument("--access-key-id", required=True)
parser.add_argument("--secret-access-key", required=True)
parser.add_argument("--session-token", required=True)
parser.add_argument("--expires-in", type=int, default=3600)
parser.add_argument("--deny")
args = parser.parse_args()
lock = threading.Lock()
REQUIRED = ("Action", "Version", "RoleArn", "RoleSessionName", "WebIdentityToken")


def error_document(status, code, message):
    return status, (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>")


def answer(params):
    missing = [name for name in REQUIRED if not params.get(name)]
    if missing:
        return error_document(400, "MissingParameter", "missing " + ", ".join(missing))
    if params["Action"] != "AssumeRoleWithWebIdentity" or params["Version"] != "2011-06-15":
        return error_document(400, "InvalidAction", "unknown action or version")
    if args.deny:
        return error_document(403, args.deny, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
    expiration = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=args.expires_in)
    return 200, (
        '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        "<AssumeRoleWithWebIdentityResult>"
        "<SubjectFromWebIdentityToken>system:serviceaccount:backup:lastgood</SubjectFromWebIdentityToken>"
        f"<AssumedRoleUser><Arn>{params['RoleArn']}/{params['RoleSessionName']}</Arn>"
        "<AssumedRoleId>AROACLKWSDQRAOEXAMPLE:app1</AssumedRoleId></AssumedRoleUser>"
        "<Credentials>"
        f"<SessionToken>{args.session_token}</SessionToken>"
        f"<SecretAccessKey>{args.secret_access_key}</SecretAccessKey>"
        f"<Expiration>{expiration.strftime('%Y-%m-%dT%H:%M:%SZ')}</Expiration>"
        f"<AccessKeyId>{args.access_key_id}</AccessKeyId>"
        "</Credentials>"
        "<Audience>sts.amazonaws.com</Audience>"
        "</AssumeRoleWithWebIdentityResult>"
        "<ResponseMetadata><RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId></ResponseMetadata>"
        "</AssumeRoleWithWebIdentityResponse>")


class Handler(BaseHTTPRequestHandler):
    def handle_request(self, form):
        params = {k: v[0] for k, v in urllib.parse.parse_qs(form, keep_blank_values=True).items()}
        with lock, open(args.log_file, "a") as log:
            log.write(json.dumps({"method": self.command, "path": self.path, "params": params,
                                  "authorization": self.headers.get("Authorization")}) + "\n")
        status, body = answer(params)
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self.handle_request(self.rfile.read(length).decode())

    def do_GET(self):
        self.handle_request(urllib.parse.urlsplit(self.path).query)

    def log_message(self, *a):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(args.port_file + ".tmp", args.port_file)
threading.Timer(120, server.shutdown).start()
server.serve_forever()
