"""Run the sandbox: in a thread (tests) or as a process (``python -m sandbox``)."""

import ipaddress
import socketserver
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .app import SandboxApp
from .state import SandboxState


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


def _check_loopback(host):
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise ValueError(f"the sandbox only listens on the loopback interface, not on {host!r}")


class SandboxServer:
    """``with SandboxServer() as sandbox: sandbox.url`` serves on a free port."""

    def __init__(self, state=None, host="127.0.0.1", port=0, quiet=True):
        _check_loopback(host)
        self.state = state or SandboxState()
        self.app = SandboxApp(self.state)
        handler = _QuietHandler if quiet else WSGIRequestHandler
        self.httpd = make_server(host, port, self.app, server_class=_ThreadingWSGIServer, handler_class=handler)
        self.host, self.port = self.httpd.server_address[:2]
        self._thread = None

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def start(self):
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="hubspot-sandbox", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self.httpd.serve_forever()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
