"""A stand-in for CallFire's own v1.1 SOAP service: the reads, answered from the v2 simulator's
seed by an independent reading of the v1.1 contract (see README.md), for side-by-side comparison
with the bridge."""
from bridge.legacy.app import LegacyApp, create_app
from bridge.legacy.serve import RunningLegacy, serve, start_in_thread

__all__ = ["LegacyApp", "RunningLegacy", "create_app", "serve", "start_in_thread"]
