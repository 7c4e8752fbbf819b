"""One account's text auto-replies: GET/POST /texts/auto-replys, GET/DELETE .../{id}.

An auto-reply is stored, not enacted: the simulator receives no inbound texts to answer.
"""
from __future__ import annotations

import copy

from bridge.sim.errors import bad_request, not_found
from bridge.sim.seed import SHORT_CODE, TEXT_NUMBER
from bridge.sim.validate import check_object
from bridge.sim.vocab import sms_sender

# The same in every account (ids 1 and 2); new ones get 3, 4, ...
SEED_AUTO_REPLIES = (
    {"id": 1, "number": TEXT_NUMBER, "match": "HOURS",
     "message": "We are open 8am to 6pm, Monday to Friday."},
    {"id": 2, "number": SHORT_CODE, "keyword": "WHITEN", "match": "WHITEN",
     "message": "Thanks for joining Whitening promo alerts! Reply STOP to opt out."},
)


class AutoReplies:
    def __init__(self) -> None:
        self._by_id = {reply["id"]: copy.deepcopy(reply) for reply in SEED_AUTO_REPLIES}
        self._next_id = max(self._by_id) + 1

    def find(self, number: str | None, limit: int, offset: int) -> dict:
        """A TextAutoReplyPage, oldest first; `number` as stored (11 digits or a short code)."""
        wanted = None if number is None else sms_sender(number) or number
        found = [r for r in self._by_id.values() if wanted is None or r["number"] == wanted]
        return {"items": found[offset:offset + limit], "limit": limit, "offset": offset,
                "totalCount": len(found)}

    def get(self, reply_id: int) -> dict:
        if reply_id not in self._by_id:
            raise not_found(f"auto reply {reply_id} not found")
        return self._by_id[reply_id]

    def create(self, body: object) -> int:
        """A TextAutoReply needs the number it answers for and a message; `id` is ignored."""
        body = check_object(body, "TextAutoReply")
        for required in ("number", "message"):
            if not body.get(required):
                raise bad_request(f"{required}: an auto reply needs a {required}")
        number = sms_sender(body["number"])
        if number is None:
            raise bad_request(f"number: {body['number']!r} is neither an 11-digit number nor a short code")
        reply_id = self._next_id
        self._next_id += 1
        self._by_id[reply_id] = {**{k: v for k, v in body.items() if k != "id"}, "id": reply_id,
                                 "number": number}
        return reply_id

    def delete(self, reply_id: int) -> None:
        self.get(reply_id)
        del self._by_id[reply_id]
