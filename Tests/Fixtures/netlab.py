#!/usr/bin/env python3
"""A corporate network in miniature, for calltop's end-to-end tests.

  netlab.py certs DIR
      A private CA (DIR/ca.pem) and a server certificate it signed for
      localhost and 127.0.0.1 (DIR/server.pem, DIR/server.key), made with the
      openssl tool.
  netlab.py front --dir DIR --upstream http://127.0.0.1:PORT --log FILE
      Two TLS listeners with that certificate. "api" forwards every request
      to the upstream (the Twilio simulator) and rewrites an off-host
      redirect (http://H:P/...) to the "offhost" listener, which forwards to
      H:P: the pre-signed media host, now on https. Prints
      "LISTENING <api port> <offhost port>". Logs one JSON line per request:
      listener, method, path, and whether an Authorization header came.
  netlab.py proxy --log FILE
      An HTTP CONNECT proxy (what HTTPS_PROXY points at). Prints
      "LISTENING <port>"; logs "CONNECT host:port" per tunnel.
Standard library only.
"""
import argparse
import http.client
import json
import os
import select
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()


def log_line(path, text):
    with LOCK, open(path, "a") as f:
        f.write(text + "\n")


def make_certs(d):
    os.makedirs(d, exist_ok=True)
    run = lambda *a: subprocess.run(a, check=True, capture_output=True)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=calltop test CA",
        "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.pem",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
        "-keyout", f"{d}/server.key", "-out", f"{d}/server.csr")
    with open(f"{d}/ext.cnf", "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    run("openssl", "x509", "-req", "-in", f"{d}/server.csr", "-CA", f"{d}/ca.pem", "-CAkey", f"{d}/ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", f"{d}/ext.cnf", "-out", f"{d}/server.pem")


class Forwarder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    listener = "api"
    upstream = None  # (host, port)
    log = None
    offhost = {}  # shared: the offhost listener's upstream and port

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.forward()

    def do_POST(self):
        self.forward()

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        log_line(self.log, json.dumps({"listener": self.listener, "method": self.command, "path": self.path,
                                       "auth": "Authorization" in self.headers}))
        upstream = self.upstream if self.listener == "api" else self.offhost.get("upstream")
        if upstream is None:
            self.send_response(502); self.send_header("Content-Length", "0"); self.end_headers(); return
        conn = http.client.HTTPConnection(*upstream, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() in ("transfer-encoding", "connection", "content-length"):
                continue
            if k.lower() == "location":
                target = urllib.parse.urlsplit(v)
                if target.scheme == "http" and (target.hostname, target.port) != tuple(self.upstream):
                    self.offhost["upstream"] = (target.hostname, target.port)
                    v = urllib.parse.urlunsplit(("https", f"127.0.0.1:{self.offhost['port']}", target.path, target.query, ""))
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()


def tls_server(handler, d):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(f"{d}/server.pem", f"{d}/server.key")
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    return server


def front(args):
    up = urllib.parse.urlsplit(args.upstream)
    offhost = {}
    api_handler = type("Api", (Forwarder,), {"listener": "api", "upstream": (up.hostname, up.port), "log": args.log, "offhost": offhost})
    off_handler = type("Off", (Forwarder,), {"listener": "offhost", "upstream": (up.hostname, up.port), "log": args.log, "offhost": offhost})
    api = tls_server(api_handler, args.dir)
    off = tls_server(off_handler, args.dir)
    offhost["port"] = off.server_address[1]
    threading.Thread(target=off.serve_forever, daemon=True).start()
    print(f"LISTENING {api.server_address[1]} {off.server_address[1]}", flush=True)
    api.serve_forever()


class Tunnel(socketserver.BaseRequestHandler):
    log = None

    def handle(self):
        f = self.request.makefile("rb")
        line = f.readline().decode("latin-1").strip()
        while True:
            h = f.readline()
            if h in (b"\r\n", b"\n", b""):
                break
        method, target, _ = (line.split(" ") + ["", ""])[:3]
        if method != "CONNECT":
            self.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n"); return
        log_line(self.log, f"CONNECT {target}")
        host, port = target.rsplit(":", 1)
        upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=30)
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        socks = [self.request, upstream]
        while True:
            ready, _, _ = select.select(socks, [], [], 30)
            if not ready:
                break
            for s in ready:
                data = s.recv(65536)
                if not data:
                    upstream.close(); return
                (upstream if s is self.request else self.request).sendall(data)


def proxy(args):
    handler = type("T", (Tunnel,), {"log": args.log})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    print(f"LISTENING {server.server_address[1]}", flush=True)
    server.serve_forever()


def main():
    # A test runner's child may inherit a blocked SIGTERM: take it back, so terminate() works.
    import signal
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("certs"); c.add_argument("dir")
    f = sub.add_parser("front"); f.add_argument("--dir", required=True); f.add_argument("--upstream", required=True); f.add_argument("--log", required=True)
    x = sub.add_parser("proxy"); x.add_argument("--log", required=True)
    args = p.parse_args()
    if args.cmd == "certs":
        make_certs(args.dir)
    elif args.cmd == "front":
        front(args)
    else:
        proxy(args)


if __name__ == "__main__":
    sys.exit(main())
