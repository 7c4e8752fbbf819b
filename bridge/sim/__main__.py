"""python -m bridge.sim --port 8765 [--host 127.0.0.1] [--credentials user:pass,... | --credentials-file PATH]
                        [--sim-clock live|frozen] [--sim-speed N] [--max-limit N]

Credentials also come from CALLFIRE_BRIDGE_SIM_CREDENTIALS (how `callfire-bridge serve` passes them,
out of `ps`)."""
from __future__ import annotations

import argparse

from bridge.config import SIM_CLOCKS, Settings
from bridge.sim.app import MAX_LIMIT
from bridge.sim.clock import SimClock
from bridge.sim.credentials import chosen_credentials, parse_credentials
from bridge.sim.serve import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bridge.sim",
                                     description="Embedded CallFire API v2 simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--credentials", default=None,
                        help="user:pass,user2:pass2 (default: any Basic credentials work); also "
                             "CALLFIRE_BRIDGE_SIM_CREDENTIALS, which unlike a flag does not show in `ps`")
    parser.add_argument("--credentials-file", metavar="PATH",
                        help="read the user:pass pairs from PATH (commas or one per line)")
    parser.add_argument("--sim-clock", choices=SIM_CLOCKS,
                        help="live: wall-clock time (default); frozen: moves only on "
                             "/__sim/advance")
    parser.add_argument("--sim-speed", type=float, metavar="N",
                        help="live clock runs N times as fast as the wall clock (default 1)")
    parser.add_argument("--max-limit", type=int, metavar="N", default=MAX_LIMIT,
                        help=f"the most items a finder answers a page, as a v2 that caps `limit` "
                             f"(default {MAX_LIMIT}; 0: no cap)")
    args = parser.parse_args(argv)
    if args.max_limit < 0:
        parser.error("--max-limit must be >= 0")
    # Flags win over CALLFIRE_BRIDGE_SIM_* variables, as for `callfire-bridge serve`.
    settings = Settings.from_env(sim_clock=args.sim_clock, sim_speed=args.sim_speed)
    try:
        clock = SimClock(settings.sim_clock, settings.sim_speed)
    except ValueError as exc:  # a bad --sim-speed or environment value: a usage error
        parser.error(str(exc))
    try:
        credentials = parse_credentials(chosen_credentials(args.credentials, args.credentials_file,
                                                           settings.sim_credentials))
    except ValueError as exc:
        parser.error(str(exc))
    serve(args.host, args.port, credentials, clock, args.max_limit or None)


if __name__ == "__main__":
    main()
