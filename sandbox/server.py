"""Run the sandbox: in a thread (tests) or as a process (``python -m sandbox``)."""

import contextlib
import ipaddress
import socket
import socketserver
import sys
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .app import SandboxApp
from .state import SandboxState

# A client that gave up (its timeout, an injected delay) closes the socket under us.
DISCONNECTS = (ConnectionError, socket.timeout, TimeoutError)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass

    def get_environ(self):
        environ = super().get_environ()
        environ["REQUEST_URI"] = self.path  # as sent: the app splits it before unquoting ids
        return environ

    def handle(self):
        try:
            return super().handle()
        except DISCONNECTS:
            self.close_connection = True
            return None

    def finish(self):
        with contextlib.suppress(DISCONNECTS):
            return super().finish()
        return None


class _VerboseHandler(_QuietHandler):
    def log_message(self, format, *args):
        sys.stderr.write(f"{self.address_string()} - {format % args}\n")


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    verbose = False

    def handle_error(self, request, client_address):
        """Disconnects are normal; anything else is printed only in verbose mode."""
        error = sys.exc_info()[1]
        if self.verbose and not isinstance(error, DISCONNECTS):
            return super().handle_error(request, client_address)
        return None


def _check_loopback(host):
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise ValueError(f"the sandbox only listens on the loopback interface, not on {host!r}")


class SandboxServer:
    """``with SandboxServer() as sandbox: sandbox.url`` serves on a free port.

    ``SandboxServer(state).start()`` runs it in a daemon thread; ``stop()`` ends it
    (and wakes requests sleeping in an injected delay).
    """

    def __init__(self, state=None, host="127.0.0.1", port=0, quiet=True):
        _check_loopback(host)
        self.state = state or SandboxState()
        self.app = SandboxApp(self.state, verbose=not quiet)
        handler = _QuietHandler if quiet else _VerboseHandler
        self.httpd = make_server(host, port, self.app, server_class=_ThreadingWSGIServer, handler_class=handler)
        self.httpd.verbose = not quiet
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
        self.app.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
