"""The v2 ErrorResponse body, raised as an exception from anywhere in the simulator."""
from __future__ import annotations

HELP_LINK = "https://developers.callfire.com/docs.html#errors"
_TITLES = {400: "Bad request", 401: "Unauthorized", 404: "Not found", 405: "Method not allowed",
           415: "Unsupported media type", 500: "Internal error"}


class SimError(Exception):
    """An HTTP error answered with the v2 ErrorResponse body."""

    def __init__(self, status: int, message: str, developer_message: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.developer_message = developer_message or message

    def body(self) -> dict:
        # The 2020 spec declares internalCode a *string* (older specs and the SDKs say integer).
        return {
            "httpStatusCode": self.status,
            "internalCode": "0",
            "message": self.message,
            "developerMessage": f"{_TITLES.get(self.status, 'Error')}: {self.developer_message}",
            "helpLink": HELP_LINK,
        }


def bad_request(message: str) -> SimError:
    return SimError(400, message)


def not_found(message: str) -> SimError:
    return SimError(404, message)
