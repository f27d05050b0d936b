"""``python -m sandbox --port 8399 --seed demo``: a HubSpot stand-in on 127.0.0.1.

Seeds: ``--seed demo`` (a small hand-written portal), ``--seed generated --companies N
--contacts-per-company K --deals N --tickets N`` (deterministic bulk data), or only
``--companies N`` (plain companies). Rate limits are off unless ``--rate-limit [N]``;
faults are off unless one of the ``--fault-*``/``--latency`` options is given.
Admin endpoints: ``/_sandbox/stats``, ``/_sandbox/log``, ``/_sandbox/faults``... (see README).
"""

import argparse
import contextlib
import os
import signal
import sys

from .server import SandboxServer
from .state import SEARCH_LAG, SandboxState


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m sandbox", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8399)
    parser.add_argument("--token", default="sandbox-token", help="the Bearer token it accepts (all scopes)")
    parser.add_argument(
        "--state-file", help="load the state from this JSON file (if it exists) and save it there on exit"
    )
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    seeding = parser.add_argument_group("seeding (only when no state file was loaded)")
    seeding.add_argument("--seed", choices=("demo", "generated", "none"), help="what to put in a new portal")
    seeding.add_argument("--companies", type=int, help="companies to generate (alone: plain companies, the first seed)")
    seeding.add_argument("--contacts-per-company", type=int, default=2)
    seeding.add_argument("--deals", type=int, help="deals to generate (default: one per company)")
    seeding.add_argument("--tickets", type=int, help="tickets to generate (default: one per two companies)")
    seeding.add_argument("--products", type=int, default=20)
    seeding.add_argument("--owners", type=int, default=5)
    seeding.add_argument("--random-seed", type=int, default=1, help="same number, same generated data")
    limits = parser.add_argument_group("rate limits (off by default)")
    limits.add_argument(
        "--rate-limit", type=int, nargs="?", const=100, metavar="N", help="requests per 10 s (default 100)"
    )
    limits.add_argument("--search-rate-limit", type=int, default=5, metavar="N", help="searches per second (default 5)")
    limits.add_argument(
        "--daily-limit", type=int, default=250000, metavar="N", help="requests per day (default 250000)"
    )
    faults = parser.add_argument_group("fault injection (shares between 0 and 1)")
    faults.add_argument("--fault-5xx", type=float, default=0.0, metavar="SHARE", help="answer 502/503/504")
    faults.add_argument("--fault-429", type=float, default=0.0, metavar="SHARE", help="answer 429 ten-secondly")
    faults.add_argument(
        "--fault-timeout", type=float, default=0.0, metavar="SHARE", help="sleep --timeout-seconds first"
    )
    faults.add_argument(
        "--timeout-seconds", type=float, default=35.0, help="length of an injected timeout (default 35)"
    )
    faults.add_argument(
        "--fault-malformed", type=float, default=0.0, metavar="SHARE", help="send a truncated JSON body"
    )
    faults.add_argument(
        "--fault-partial", type=float, default=0.0, metavar="SHARE", help="answer batch writes 207, some inputs refused"
    )
    faults.add_argument(
        "--fault-retry-after", type=float, default=0.0, metavar="SHARE", help="injected 429s that carry Retry-After"
    )
    faults.add_argument("--latency", type=float, default=0.0, metavar="SECONDS", help="added to every request")
    faults.add_argument(
        "--latency-max", type=float, default=0.0, metavar="SECONDS", help="latency drawn between --latency and this"
    )
    faults.add_argument("--fault-seed", type=int, default=0, help="same number, same sequence of faults")
    parser.add_argument(
        "--search-lag",
        type=float,
        default=SEARCH_LAG,
        metavar="SECONDS",
        help=f"writes stay invisible to search up to this long (default {SEARCH_LAG:g}, like HubSpot's index)",
    )
    parser.add_argument(
        "--association-page-size",
        type=int,
        default=500,
        metavar="N",
        help="associations of one record per page of an association read (HubSpot: 500)",
    )
    return parser


def build_state(args):
    if args.state_file and os.path.exists(args.state_file):
        state = SandboxState.load(args.state_file)
        state.tokens.setdefault(args.token, None)
    else:
        state = SandboxState(tokens={args.token: None})
        if args.seed == "demo":
            state.seed_demo()
        elif args.seed == "generated":
            state.seed_generated(
                companies=args.companies if args.companies is not None else 100,
                contacts_per_company=args.contacts_per_company,
                deals=args.deals,
                tickets=args.tickets,
                products=args.products,
                owners=args.owners,
                seed=args.random_seed,
            )
        elif args.seed is None and args.companies:
            state.seed_companies(args.companies)
    state.configure(search_lag=args.search_lag, association_page_size=args.association_page_size)
    state.set_rate_limits(
        enabled=args.rate_limit is not None,
        per_ten_seconds=args.rate_limit or 100,
        search_per_second=args.search_rate_limit,
        daily=args.daily_limit,
    )
    state.set_faults(
        error_rate=args.fault_5xx,
        rate_limit_rate=args.fault_429,
        timeout_rate=args.fault_timeout,
        timeout_seconds=args.timeout_seconds,
        malformed_rate=args.fault_malformed,
        partial_rate=args.fault_partial,
        retry_after_rate=args.fault_retry_after,
        latency=args.latency,
        latency_max=args.latency_max,
        seed=args.fault_seed,
    )
    return state


def main(argv=None):
    args = build_parser().parse_args(argv)
    state = build_state(args)
    server = SandboxServer(state, host=args.host, port=args.port, quiet=not args.verbose)

    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    counts = ", ".join(f"{len(records)} {name}" for name, records in state.objects.items() if records)
    sys.stdout.write(f"HubSpot sandbox on {server.url} (portal {state.portal_id}; {counts or 'empty'})\n")
    sys.stdout.flush()
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    finally:
        server.app.stopping.set()
        server.httpd.server_close()
        if args.state_file:
            state.save(args.state_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
