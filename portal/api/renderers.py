"""The browsable API, marked like every portal page: its banners carry the combination of the
markings of the records it shows."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rest_framework.renderers import BrowsableAPIRenderer

from portal.banners import note_on_page
from portal.markings.marking import Marking, MarkingError


def markings_in(data: Any) -> Iterator[Marking]:
    """Every `marking` field at any depth of a response body."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "marking" and isinstance(value, str):
                    try:
                        yield Marking.parse(value)
                    except MarkingError:
                        continue
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


class MarkedBrowsableAPIRenderer(BrowsableAPIRenderer):
    def get_context(
        self, data: Any, accepted_media_type: str | None, renderer_context: Mapping[str, Any]
    ) -> Any:
        for marking in markings_in(data):
            note_on_page(marking)
        return super().get_context(data, accepted_media_type, renderer_context)
