"""CallFire v2 REST side of the bridge."""
from bridge.v2.client import Page, V2Client

__all__ = ["Page", "V2Client"]
