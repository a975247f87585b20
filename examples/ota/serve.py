#!/usr/bin/env python3
"""Serve LFS images to examples/ota/ota.lua.

usage: serve.py [--dir DIR] [--bind ADDR] [--port N]
GET /NAME gives DIR/NAME; GET /NAME.sha256 gives DIR/NAME.sha256 when that
file exists, else the SHA-256 of DIR/NAME in hex, computed at each request (so
rebuilding the image is enough). HTTP/1.0: one request per connection, as the
device reads until the server closes. --port 0 picks a free port; the first
line on stdout says where it serves.
"""
import argparse
import hashlib
import http.server
import os
import sys


def make_handler(root):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            name = self.path.lstrip("/")
            if not name or "/" in name or name.startswith("."):
                return self.send_error(404)
            path = os.path.join(root, name)
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    body = f.read()
            elif name.endswith(".sha256") and os.path.isfile(path[:-7]):
                with open(path[:-7], "rb") as f:
                    body = (hashlib.sha256(f.read()).hexdigest() + "\n").encode()
            else:
                return self.send_error(404)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            sys.stderr.write("serve.py: %s %s\n" % (self.address_string(), fmt % args))

    return Handler


def main():
    ap = argparse.ArgumentParser(description="Serve LFS images to ota.lua")
    ap.add_argument("--dir", default=".", help="folder with lfs.img (default .)")
    ap.add_argument("--bind", default="0.0.0.0", help="address (default all)")
    ap.add_argument("--port", type=int, default=8000, help="port (0: any free one)")
    a = ap.parse_args()
    httpd = http.server.HTTPServer((a.bind, a.port), make_handler(os.path.abspath(a.dir)))
    print("serving %s at http://%s:%d/" % (a.dir, a.bind, httpd.server_port), flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
