"""CallFire v1.1 SOAP bridge on CallFire v2."""
# Every `bridge.*` module runs this file first, so spyne (imported only by bridge modules) is
# never imported before its Python 3.12+ fix is in place.
from bridge import spyne_compat  # noqa: F401
