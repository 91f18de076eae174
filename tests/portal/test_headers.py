"""Every authenticated answer is private (no-store, varies by cookie and token); pages carry a
Content-Security-Policy they satisfy (no inline script)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from portal.api.urls import router
from portal.models import User

# An inline script is one without src; JSON data blocks (`json_script`) are data, never run.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _paths_without_arguments(patterns: Any = None, prefix: str = "") -> list[str]:
    found: list[str] = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern)
        if "<" in route or "(?P" in route or route.startswith("^"):
            continue
        if isinstance(entry, URLResolver):
            found += _paths_without_arguments(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            found.append("/" + prefix + route)
    return sorted(set(found))


PAGES = [
    path
    for path in _paths_without_arguments()
    if not path.startswith(("/api/", "/admin/", "/logout/")) and "upload" not in path
]
API_LISTS = [f"/api/{prefix}/" for prefix, _viewset, _basename in router.registry]


def test_the_generated_lists_are_not_empty() -> None:
    assert "/" in PAGES and "/notices/" in PAGES and "/audit/" in PAGES
    assert "/api/notices/" in API_LISTS and "/api/sensors/" in API_LISTS


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_private_and_satisfies_the_policy(
    coalition: dict[str, User], client: Client, path: str
) -> None:
    client.force_login(coalition["security_officer"])
    answer = client.get(path)
    assert answer["Cache-Control"] == "no-store", path
    assert {"Cookie", "Authorization"} <= {v.strip() for v in answer["Vary"].split(",")}
    policy = answer["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    if answer.status_code == 200 and "text/html" in answer["Content-Type"]:
        body = answer.content.decode()
        assert not INLINE_SCRIPT.search(body), path
        assert not INLINE_HANDLER.search(body), path


@pytest.mark.parametrize("path", API_LISTS)
def test_every_api_list_answered_to_a_token_is_private(coalition: dict[str, User], path: str) -> None:
    from rest_framework.test import APIClient

    from portal.api_tokens import issue

    _, key = issue(coalition["uk_staff"], name="header check")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    answer = api.get(path)
    assert answer.status_code in {200, 403}, (path, answer.status_code)
    assert answer["Cache-Control"] == "no-store", path
    assert {"Cookie", "Authorization"} <= {v.strip() for v in answer["Vary"].split(",")}


def test_the_sign_in_page_is_not_marked_private(client: Client) -> None:
    answer = client.get("/login/")
    assert answer.status_code == 200
    assert answer.get("Cache-Control") != "no-store"
    assert "Content-Security-Policy" in answer
