"""The mapping reference: `mappings/*.yaml` as a catalog that people can read and search.

The converters run on the same tables (`bridge.mappings.load()`), so what the CLI
(`callfire-bridge mappings`), `docs/mappings.md` and the /mappings page show cannot drift
from what the bridge does.  Every function here is pure; the renderers only format.

Catalog API (bridge.reference.catalog)
--------------------------------------
``catalog(directory=MAPPINGS_DIR) -> Catalog`` (cached); ``build(MappingSet) -> Catalog``.

``Catalog``
    ``operations``: tuple[Operation]; ``tables``: tuple[Table]; ``entries``: tuple[Entry],
    in table order (operations, then entities, enums, faults).
    ``operation(name)``, ``table(name)`` (case-insensitive), ``entry(id)``,
    ``in_table(name)``, and ``select(operation=None, lossy_only=False, text="")``: the page's
    filters (``text``: words that must all occur, case-insensitive, in id, table, v1, v2,
    converter, note or v2_fields).

``Operation``: ``name`` (QueryCalls), ``port`` (CallService), ``request``/``response``
    (svc:QueryCalls / svc:CallQueryResult), ``endpoints`` ("GET /calls",
    "POST /calls/broadcasts?start=true"), ``summary``, ``rules`` (sentences),
    ``entities`` (entity tables its response uses), ``enums`` (enum tables it uses).

``Table``: a heading over entries. ``name``, ``kind`` (operation | entity | enum | errors),
    ``v1`` (e.g. "data:Call", "data:Result"), ``v2`` (e.g. "Call", "Call.finalCallResult, ..."),
    ``operations`` (served operations that use it; empty for BroadcastStatus and RecordingState).

``Entry``: one row.
    ``id``        stable anchor, unique, [a-z0-9-]: "querycalls-request-labelname",
                  "call-response-finalresult", "sendcall-v2only-body-status",
                  "callresult-invalid-number", "broadcaststatus-v2-scheduled",
                  "errors-status-404", "errorresponse-message".  Built from the table name,
                  the direction and the v1.1 path (enum: the v1.1 value, or "v2-" + the v2
                  value for v2-only values and fallbacks), so it survives reordering.
    ``kind``      field | v2_only | enum | fault
    ``direction`` request (v1.1 -> v2) | response (v2 -> v1.1) | both (enum values)
    ``table``     the operation, entity, enum table, "errors" or "ErrorResponse"
    ``operations`` the served operations whose requests or responses carry it
    ``v1``, ``v2`` the two sides as the table writes them ("" = none on that side)
    ``convert``, ``default`` (None = none), ``fate`` (carried | lossy | bridge | ignored |
    v2_only), ``lossy`` (bool: the "lossy only" filter), ``note``, ``entity``, ``via``,
    ``required``, ``v2_fields``.  ``as_dict()`` for JSON.

Cells (bridge.reference.cells): ``target(entry)``, ``how(entry)``, ``default(entry)``,
``value(text)``: the display text every renderer uses for those columns.

Lookups (bridge.reference.lookup): ``lookup(catalog, *terms) -> LookupResult`` answers
"Result INVALID_NUMBER", "FinalResult=INVALID_NUMBER", "QueryCalls.LabelName", "LabelName",
"v2:campaignId", "QueryCalls"; ``LookupResult.kind`` is operation | field | v2 | enum | none,
``suggestions`` holds the "did you mean" words when nothing matched.

Exports (bridge.reference.export): ``to_markdown``, ``to_csv``, ``to_json``
(``EXPORTERS`` by format name); docs/mappings.md is ``to_markdown(catalog())``.
"""
from bridge.reference.catalog import Catalog, Entry, Operation, Table, build, catalog
from bridge.reference.lookup import LookupResult, lookup

__all__ = ["Catalog", "Entry", "LookupResult", "Operation", "Table", "build", "catalog", "lookup"]
