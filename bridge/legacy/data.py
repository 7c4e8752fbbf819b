"""The seed (bridge.sim.seed: the v2 simulator's sample data) indexed the way v1.1 reads it.

Read-only and shared: the legacy simulator serves only reads, so every login sees exactly the
data a fresh v2 simulator account starts with.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from bridge.sim.autoreplies import SEED_AUTO_REPLIES
from bridge.sim.number_seed import NUMBER_LEASES
from bridge.sim.contacts import SEED_LISTS
from bridge.sim.seed import SOUND_IDS, SeedBroadcast, build_seed
from bridge.sim.sounds import seed_sound

RESULT_FIELDS = {"calls": "finalCallResult", "texts": "finalTextResult"}


def newest_first(actions: list[dict]) -> list[dict]:
    """CallFire's order for query results: created descending, then id descending."""
    return sorted(actions, key=lambda a: (a["created"], a["id"]), reverse=True)


@dataclass(frozen=True)
class Schedule:
    broadcast_id: int
    wire: dict          # the v2 Schedule


@dataclass(frozen=True)
class LegacyData:
    calls: dict[int, dict]
    texts: dict[int, dict]
    contacts: dict[int, dict]
    broadcasts: dict[int, SeedBroadcast]
    batches: dict[int, dict]          # v2 Batch without its counts
    schedules: dict[int, Schedule]
    auto_replies: dict[int, dict]     # v2 TextAutoReply by id
    sounds: dict[int, dict]           # v2 CampaignSound by id (the account's library)
    recordings: dict[int, dict]       # v2 CallRecording by id (inside the calls' records)
    numbers: dict[str, dict]          # v2 NumberLease by number (the account's numbers)
    contact_lists: dict[int, dict]    # {id, name, created, members} (bridge/sim/contacts.py)

    def actions(self, kind: str) -> dict[int, dict]:
        """The calls or the texts (`kind`: "calls" or "texts")."""
        return self.calls if kind == "calls" else self.texts

    def of_broadcast(self, broadcast: SeedBroadcast) -> list[dict]:
        """A broadcast's calls or texts, oldest first."""
        store = self.actions(broadcast.kind)
        return [store[i] for i in broadcast.action_ids]

    def of_batch(self, batch: dict) -> list[dict]:
        broadcast = self.broadcasts[batch["broadcastId"]]
        return [a for a in self.of_broadcast(broadcast) if a.get("batchId") == batch["id"]]


@cache
def legacy_data() -> LegacyData:
    seed = build_seed()
    schedules = {s["id"]: Schedule(broadcast_id, s) for broadcast_id, b in seed.broadcasts.items()
                 for s in b.wire.get("schedules", ())}
    return LegacyData(calls=seed.calls, texts=seed.texts, contacts=seed.contacts,
                      broadcasts=seed.broadcasts, batches=seed.batches, schedules=schedules,
                      auto_replies={r["id"]: r for r in SEED_AUTO_REPLIES},
                      sounds={i: seed_sound(i).wire for i in sorted(SOUND_IDS)},
                      recordings=seed.recordings, numbers={n["number"]: n for n in NUMBER_LEASES},
                      contact_lists={c["id"]: c for c in SEED_LISTS})
