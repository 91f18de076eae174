from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from portal.api_tokens import digest_of
from portal.models import ApiToken, Notice, SpOC, User

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_reports_json(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_demo", "--json")
    first = json.loads(capsys.readouterr().out)
    call_command("seed_demo", "--json")
    second = json.loads(capsys.readouterr().out)
    assert first["ok"] and first["counts"] == second["counts"]
    assert SpOC.objects.count() == 7
    assert User.objects.get(username="fr_staff").clearance == 2
    assert Notice.objects.count() == first["counts"]["notices"]


@pytest.mark.django_db
def test_seed_demo_hashes_the_shared_password_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.contrib.auth.hashers import MD5PasswordHasher

    from portal.seed import DEMO_PASSWORD, USERS

    hashed: list[str] = []
    encode = MD5PasswordHasher.encode

    def counting(self: MD5PasswordHasher, password: str, salt: str) -> str:
        hashed.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    call_command("seed_demo", verbosity=0)
    assert hashed == [DEMO_PASSWORD]
    users = User.objects.filter(username__in=[u["username"] for u in USERS])
    assert len(users) == len(USERS) and all(user.check_password(DEMO_PASSWORD) for user in users)


@pytest.mark.django_db
def test_issue_api_token_prints_a_working_token(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_demo")
    capsys.readouterr()
    call_command("issue_api_token", "uk_staff", "--json")
    report = json.loads(capsys.readouterr().out)
    token = ApiToken.objects.get(user__username="uk_staff")
    assert token.digest == digest_of(report["token"]) and token.spoc.code == report["spoc"] == "uk-spoc"
    assert token.expires_at.isoformat() == report["expires"]
    from rest_framework.test import APIClient

    api = APIClient(HTTP_AUTHORIZATION=f"Token {report['token']}")
    assert api.get("/api/me/").json()["nationality"] == "GBR"


@pytest.mark.django_db
def test_issue_api_token_for_an_unknown_user_fails_with_json(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        call_command("issue_api_token", "nobody", "--json")
    assert exit_info.value.code == 1
    assert json.loads(capsys.readouterr().out) == {"ok": False, "error": "no active user 'nobody'"}


def test_production_settings_pass_the_deploy_check() -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "a-long-random-production-secret-7f3c9b1e5d",
        "ALLOWED_HOSTS": "portal.example.mil",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
