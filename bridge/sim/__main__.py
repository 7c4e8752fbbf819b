"""python -m bridge.sim --port 8765 [--host 127.0.0.1] [--credentials user:pass,...]"""
from __future__ import annotations

import argparse

from bridge.sim.serve import parse_credentials, serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bridge.sim",
                                     description="Embedded CallFire API v2 simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--credentials", default=None,
                        help="user:pass,user2:pass2 (default: any Basic credentials work)")
    args = parser.parse_args(argv)
    serve(args.host, args.port, parse_credentials(args.credentials))


if __name__ == "__main__":
    main()
