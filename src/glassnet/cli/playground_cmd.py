"""``glassnet playground``: the local web playground."""

from __future__ import annotations

import json
import sys

from glassnet.cli._common import UsageError


def add_parser(sub) -> None:
    p = sub.add_parser(
        "playground",
        help="train and watch a network in the browser (a local web page)",
        description="Serve the glassnet playground on this computer: datasets, "
        "network shape and training settings on one page, glassnet's engine "
        "training live, the numbers of every step, and export of the model and of "
        "the 'glassnet train' command. Works offline; stop it with Ctrl+C.",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this computer only; any "
        "other address lets other machines use the playground)",
    )
    p.add_argument(
        "--port", type=int, default=8765, help="port (default: 8765; 0: any free port)"
    )
    p.add_argument("--open", action="store_true", help="open the page in a browser")
    p.add_argument(
        "--max-sessions",
        dest="max_sessions",
        type=int,
        metavar="N",
        default=5,
        help="browser tabs served at the same time (default: 5; a browser keeps "
        "at most 6 connections to one server and each tab holds one, so more "
        "tabs in one browser wait)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print the address as one JSON line instead of a sentence",
    )
    p.set_defaults(run=run)


def run(args) -> int:
    from glassnet.playground import Limits, PlaygroundServer, is_loopback

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be in [0, 65535]; got {args.port}")
    if not 1 <= args.max_sessions <= 256:
        raise UsageError(f"--max-sessions must be in [1, 256]; got {args.max_sessions}")
    if not is_loopback(args.host):
        print(
            f"glassnet: warning: serving on {args.host}, not on this computer "
            "only: anyone who can reach this machine can use the playground and "
            "its processor, and any web page you visit could send it requests "
            "(requests must name this address, a loopback name or an IP address "
            "as their host).",
            file=sys.stderr,
            flush=True,
        )
    try:
        server = PlaygroundServer(
            args.host, args.port, limits=Limits(max_sessions=args.max_sessions)
        )
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {args.host} port {args.port}: {exc.strerror or exc}; "
            "choose another --port or --host"
        ) from None
    if args.json:
        host, port = server.server_address[:2]
        print(json.dumps({"url": server.url, "host": host, "port": port}), flush=True)
    else:
        print(f"glassnet playground at {server.url} (Ctrl+C stops it)", flush=True)
    if args.open:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    if not args.json:
        print("glassnet playground stopped", flush=True)
    return 0
