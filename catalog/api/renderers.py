"""Element sets as TLE / 3LE / OMM text, chosen with `?format=`."""

from __future__ import annotations

import json
from typing import Any

from rest_framework.renderers import BaseRenderer

from catalog.formats.elements import ElementSetRecord
from catalog.services.export import render_records


class ElementSetRenderer(BaseRenderer):
    """Renders a list of ElementSetRecord; anything else (an error body) as JSON text."""

    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, list) and all(isinstance(item, ElementSetRecord) for item in data):
            text, errors = render_records(data, self.format)
            response = (renderer_context or {}).get("response")
            if response is not None and errors:
                response["X-Skipped-Records"] = str(len(errors))
            return text.encode(self.charset)
        return json.dumps(data, default=str).encode(self.charset)


def _renderer(name: str, media_type: str) -> type[ElementSetRenderer]:
    return type(
        f"{name.replace('-', '_').upper()}Renderer",
        (ElementSetRenderer,),
        {"format": name, "media_type": media_type},
    )


TLERenderer = _renderer("tle", "text/plain")
ThreeLineRenderer = _renderer("3le", "text/plain")
OMMJSONRenderer = _renderer("omm-json", "application/json")
OMMXMLRenderer = _renderer("omm-xml", "application/xml")
OMMKVNRenderer = _renderer("omm-kvn", "text/plain")
OMMCSVRenderer = _renderer("omm-csv", "text/csv")

ELEMENT_SET_RENDERERS = [
    TLERenderer,
    ThreeLineRenderer,
    OMMJSONRenderer,
    OMMXMLRenderer,
    OMMKVNRenderer,
    OMMCSVRenderer,
]
