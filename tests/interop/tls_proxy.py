"""A TLS-terminating reverse proxy for the push tests: https on loopback in front of an http server.

    python3 tls_proxy.py CERT KEY UPSTREAM_PORT PORT_FILE

Listens on a free 127.0.0.1 port with the certificate chain CERT and its
key KEY, writes the port to PORT_FILE once it listens, and forwards each
request (method, path and query, headers, body) to 127.0.0.1:UPSTREAM_PORT
over plain http, relaying the answer (status, headers, body). Connections
are kept alive (HTTP/1.1); a client that refuses the certificate only ends
its own connection.
"""
import http.client
import http.server
import os
import ssl
import sys

# Headers of one hop, not forwarded (the bodies are relayed whole, with their length).
HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
    "te", "trailer", "transfer-encoding", "upgrade", "content-length",
}


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream_port = 0

    def setup(self):
        self.request.do_handshake()
        super().setup()

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else None

    def forward(self):
        body = self.read_body()
        upstream = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=120)
        upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for name, value in self.headers.items():
            if name.lower() not in HOP:
                upstream.putheader(name, value)
        if body is not None:
            upstream.putheader("Content-Length", str(len(body)))
        upstream.endheaders(body)
        reply = upstream.getresponse()
        data = reply.read()
        upstream.close()
        self.send_response_only(reply.status, reply.reason)
        for name, value in reply.getheaders():
            if name.lower() not in HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = forward

    def log_message(self, format, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A handshake the client broke off (an untrusted certificate) is expected.
        print(f"tls_proxy: {client_address}: {sys.exc_info()[1]}", file=sys.stderr)


def main():
    cert, key, upstream, port_file = sys.argv[1:]
    Proxy.upstream_port = int(upstream)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = Server(("127.0.0.1", 0), Proxy)
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
