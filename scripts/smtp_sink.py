#!/usr/bin/env python3
"""A local SMTP sink for Butler's e-mail tests (aiosmtpd from PyPI).

Usage: smtp_sink.py <port> <folder> [<user>:<password>]. Listens on 127.0.0.1:<port>; every message received
is written to <folder>/<n>.json as {"from", "to", "subject", "priority", "text", "html", "contentType"}.
With a user and password, the server requires AUTH (PLAIN/LOGIN, without TLS) and refuses other logins.
"""
import json
import os
import sys
import time
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(message["subject"]),
            "priority": str(message.get("X-Priority", "")),
            "contentType": message.get_content_type(),
            "text": text.get_content() if text else "",
            "html": html.get_content() if html else "",
        }
        self.count += 1
        path = os.path.join(self.folder, f"{self.count}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as handle:
            json.dump(record, handle)
        os.rename(path + ".tmp", path)
        return "250 OK"


class Login:
    def __init__(self, user, password):
        self.user, self.password = user.encode(), password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == self.user and auth_data.password == self.password
        return AuthResult(success=ok)


port, folder = int(sys.argv[1]), sys.argv[2]
os.makedirs(folder, exist_ok=True)
options = {}
if len(sys.argv) > 3:
    user, password = sys.argv[3].split(":", 1)
    options = {"authenticator": Login(user, password), "auth_required": True, "auth_require_tls": False}
controller = Controller(Sink(folder), hostname="127.0.0.1", port=port, **options)
controller.start()
print("ready", flush=True)
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    controller.stop()
