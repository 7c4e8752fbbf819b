"""spyne request objects -> plain dicts keyed by v1.1 names (what `bridge.translate` reads).

Attributes become "@name", simple content "_", repeated children lists; absent values are
left out, so the translation tables see exactly what the client sent.
"""
from __future__ import annotations

from typing import Any

from spyne import ComplexModelBase
from spyne.model.complex import XmlAttribute, XmlData


def request_dict(obj: Any) -> Any:
    if isinstance(obj, list):
        return [request_dict(item) for item in obj if item is not None]
    if not isinstance(obj, ComplexModelBase):
        return obj
    result: dict[str, Any] = {}
    for name, field_type in type(obj).get_flat_type_info(type(obj)).items():
        value = getattr(obj, name, None)
        if value is None or value == []:
            continue
        if isinstance(field_type, type) and issubclass(field_type, XmlAttribute):
            result[f"@{name}"] = value
        elif isinstance(field_type, type) and issubclass(field_type, XmlData):
            result["_"] = value
        else:
            result[name] = request_dict(value)
    return result
