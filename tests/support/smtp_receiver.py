#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd, Debian's python3-aiosmtpd) for mail tests, on a free loopback port.

smtp_receiver.py PORT_FILE LOG_FILE [--user U --password P] [--cert CERT --key KEY [--require-starttls]]
Writes the port to PORT_FILE when it accepts connections, appends one JSON line per
message ({"mail_from", "rcpt_tos", "data", "auth_user", "tls"}) to LOG_FILE. With
--user/--password it offers AUTH (PLAIN, LOGIN) and rejects other credentials;
with --cert/--key it offers STARTTLS (and AUTH only after it). Stops by itself
after 120 s so a test that dies cannot leave it behind.
"""
import os
import sys

try:
    import aiosmtpd  # noqa: F401
except ImportError:  # a pyenv python3 first on PATH: Debian's has the package
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

import argparse
import json
import socket
import ssl
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("port_file")
parser.add_argument("log_file")
parser.add_argument("--user")
parser.add_argument("--password")
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--require-starttls", action="store_true")
args = parser.parse_args()


class Handler:
    async def handle_DATA(self, server, session, envelope):
        with open(args.log_file, "a") as log:
            log.write(json.dumps({
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "data": envelope.content.decode("utf-8", "replace"),
                "auth_user": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
                "tls": session.ssl is not None,
            }) + "\n")
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and args.user is not None
          and auth_data.login.decode() == args.user and auth_data.password.decode() == args.password)
    return AuthResult(success=ok, auth_data=auth_data)


with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]

kwargs = {}
if args.user:
    kwargs.update(authenticator=authenticator, auth_require_tls=bool(args.cert))
if args.cert:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    kwargs.update(tls_context=context, require_starttls=args.require_starttls)
controller = Controller(Handler(), hostname="127.0.0.1", port=port, **kwargs)
controller.start()
tmp = args.port_file + ".tmp"
with open(tmp, "w") as f:
    f.write(str(port))
os.rename(tmp, args.port_file)
threading.Event().wait(120)
controller.stop()
