import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests of this same run, never in production.
    dropped = {"DEBUG", "SECRET_KEY", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_value(expression: str, **env: str) -> str:
    code = f"from django.conf import settings; print({expression})"
    return run_manage("shell", "-c", code, **env).stdout.strip().splitlines()[-1]


def test_production_settings_pass_check_deploy_without_a_warning():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x7Hq2-production-like-secret-key-that-is-long-and-random-9Kd!vP0zR4",
        CENSUS_PEPPER="a-production-census-pepper",
        ALLOWED_HOSTS="ruamkit.saensuk.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="0", SECRET_KEY="", CENSUS_PEPPER="p")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_without_redis_tasks_run_in_process_and_cache_is_local():
    out = settings_value(
        "settings.CELERY_TASK_ALWAYS_EAGER, settings.CACHES['default']['BACKEND']", REDIS_URL=""
    )
    assert out == "True django.core.cache.backends.locmem.LocMemCache"


def test_with_redis_celery_and_cache_use_it():
    out = settings_value(
        "settings.CELERY_TASK_ALWAYS_EAGER, settings.CELERY_BROKER_URL, "
        "settings.CACHES['default']['BACKEND']",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert out == "False redis://127.0.0.1:6379/3 django.core.cache.backends.redis.RedisCache"


def test_sqlite_under_var_when_no_database_url():
    out = settings_value("settings.DATABASES['default']['NAME']", DATABASE_URL="")
    assert out.endswith("var/db.sqlite3")


@pytest.mark.django_db
def test_urls_carry_the_language_and_thai_is_the_default(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="")
    assert response.status_code == 302 and response["Location"] == "/th/"
    assert client.get("/th/").status_code == 200
    assert client.get("/en/").status_code == 200
    assert '<html lang="th"' in client.get("/th/").content.decode()
    assert '<html lang="en"' in client.get("/en/").content.decode()


def test_times_are_bangkok(settings):
    assert settings.TIME_ZONE == "Asia/Bangkok" and settings.USE_TZ


@pytest.mark.django_db
def test_health_check(client):
    assert client.get("/healthz").json() == {"status": "ok"}
