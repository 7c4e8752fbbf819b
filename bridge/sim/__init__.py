"""Embedded CallFire API v2 simulator: the bridge's default upstream and its test double."""
from bridge.sim.app import Simulator, create_app
from bridge.sim.clock import SimClock
from bridge.sim.credentials import parse_credentials
from bridge.sim.serve import RunningSim, serve, start_in_thread

__all__ = ["RunningSim", "SimClock", "Simulator", "create_app", "parse_credentials", "serve",
           "start_in_thread"]
