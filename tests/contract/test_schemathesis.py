"""Schemathesis against the live API on 127.0.0.1: every check, every role, stateful phase through the links.

The run is bounded (EXAMPLES per operation and phase) so it takes a few minutes. Each role's token
runs the whole document; the JSON report's failures must be none, except the drift listed in
KNOWN_DRIFT (each entry says why it is still there; the list only shrinks).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.contract.live import ROLE_LOGINS, seed_with_tokens, served

ROOT = Path(__file__).resolve().parents[2]
ST = Path(sys.executable).with_name("st")
EXAMPLES = {"vendor_admin": 5, "channel_manager": 3, "vendor_viewer": 2, "partner_admin": 3, "partner_user": 2}
PHASES = "examples,coverage,fuzzing,stateful"

# (check code, "METHOD /path"): refusals the document cannot express yet (cross-field or
# state rules), to be moved into the request models (issue 11, item 7).
KNOWN_DRIFT: dict[tuple[str, str], str] = {}


def _run(base: str, token: str, examples: int, workdir: Path) -> dict:
    config = workdir / "schemathesis.toml"
    config.write_text('[auth.openapi.bearer]\nbearer = "${TANDEM_ST_TOKEN}"\n')
    report = workdir / "run.json"
    command = [str(ST), "--config-file", str(config), "run", f"{base}/api/v1/openapi.json", "--checks", "all",
               "-n", str(examples), "--phases", PHASES, "--workers", "1", "--seed", "11", "--no-shrink",
               "--report", "json", "--report-json-path", str(report), "--report-dir", str(workdir),
               "--request-timeout", "30"]
    env = {**os.environ, "TANDEM_ST_TOKEN": token, "SCHEMATHESIS_HOOKS": "tests.contract.st_hooks",
           "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    completed = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    (workdir / "output.txt").write_text(completed.stdout + completed.stderr)
    assert report.exists(), completed.stdout[-3000:] + completed.stderr[-3000:]
    return json.loads(report.read_text())


@pytest.mark.skipif(not ST.exists(), reason="schemathesis is in requirements-dev.txt")
def test_schemathesis_finds_nothing_for_any_role(app, tmp_path):
    tokens = seed_with_tokens()
    problems, total = [], 0
    with served(app) as base:
        for role in os.environ.get("TANDEM_ST_ROLES", ",".join(ROLE_LOGINS)).split(","):
            workdir = tmp_path / role
            workdir.mkdir()
            result = _run(base, tokens[role], EXAMPLES[role], workdir)
            generated = result["test_cases"]["generated"]
            total += generated
            phases = ", ".join(f"{name}={phase['status']}" for name, phase in result["phases"].items())
            print(f"\nschemathesis {role}: {generated} generated cases over {result['operations']['tested']} "
                  f"operations, phases {phases}")
            assert result["errors"] == [], (role, result["errors"])
            for failure in result["failures"]:
                for operation in failure["operations"]:
                    if (failure["code"], operation) not in KNOWN_DRIFT:
                        problems.append(f"{role}: {failure['code']} {failure['title']}: {operation}")
            if any(p.startswith(role + ":") for p in problems):
                print((workdir / "output.txt").read_text()[-20000:])
    print(f"\nschemathesis: {total} generated cases in all")
    assert problems == []
