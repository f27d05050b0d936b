"""``python -m sandbox --port 8399 --companies 25``: a HubSpot stand-in on 127.0.0.1."""

import argparse
import contextlib
import os
import signal
import sys

from .server import SandboxServer
from .state import SandboxState


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8399)
    parser.add_argument("--token", default="sandbox-token", help="the Bearer token it accepts")
    parser.add_argument("--companies", type=int, default=0, help="seed this many companies (new state only)")
    parser.add_argument("--state-file", help="load the state from this JSON file and save it there on exit")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    if args.state_file and os.path.exists(args.state_file):
        state = SandboxState.load(args.state_file)
    else:
        state = SandboxState(tokens={args.token: None})
        state.seed_companies(args.companies)
    server = SandboxServer(state, host=args.host, port=args.port, quiet=not args.verbose)

    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    sys.stdout.write(f"HubSpot sandbox on {server.url} (portal {state.portal_id})\n")
    sys.stdout.flush()
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    finally:
        server.httpd.server_close()
        if args.state_file:
            state.save(args.state_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
