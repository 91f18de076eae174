"""Management commands: the demo seed, API tokens, and the production settings' deploy check."""

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
def test_prepare_demo_migrates_seeds_and_prints_the_codes_in_one_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("prepare_demo", verbosity=0)
    out = capsys.readouterr().out
    assert "Demo data ready:" in out
    assert "Current one-time passwords" in out and "agreement_admin" in out
    assert User.objects.filter(username="us_operator").exists()
    call_command("prepare_demo", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["seed"]["counts"]["spocs"] == 7
    assert {entry["username"] for entry in report["otp"]["codes"]} >= {"agreement_admin", "security_officer"}


def test_make_run_starts_django_once_before_it_serves() -> None:
    recipe = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    commands = [
        line.strip() for line in recipe.splitlines() if line.lstrip("\t@").startswith("$(PY) manage.py")
    ]
    # prepare_demo, then the server with the periodic jobs beside it.
    assert commands[0].endswith("manage.py prepare_demo")
    assert "run_embedded_beat" in commands[1] and "runserver" in commands[2] and len(commands) == 3


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
