"""Contract check: schemathesis over the public OpenAPI document of the API
(``/api/v1/openapi.json``), anonymously and with a client's, a practitioner's
and an admin's token, against the portal served by ``run.py`` (demo data; the
database in DATABASE_URL, else SQLite in a temp folder).

Fails on any server error (5xx), on any answer that the document does not
describe (status code, content type, body schema), and when an operation of the
document was never exercised. Operations that end the caller's own session or
account (sign-out, closing the account, ending sessions, changing the password)
run last, in a run of their own with a throwaway account's token, so they cannot
take the other runs' tokens away. Bounded: ``--examples`` cases per operation
and ``--max-time`` seconds per run.

    python .ci/schemathesis.py [--examples 25] [--max-time 120]
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_PASSWORD = "Schema-admin-1"
USERS = {
    "client": ("client@demo.alemtrust.kz", "Demo-pass-1"),
    "practitioner": ("practitioner@demo.alemtrust.kz", "Demo-pass-1"),
    "admin": ("admin@alemtrust.kz", ADMIN_PASSWORD),
}
SPEC = "/api/v1/openapi.json"
# what ends the caller's own token or account: run last, with a throwaway account
SELF_ENDING = r"/security/logout|/account/close|/account/sessions|/account/password$"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _call(url: str, data: dict | None = None, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps(data).encode() if data is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=30) as response:
        return json.loads(response.read())


def _wait(base: str, server: subprocess.Popen, seconds: int = 180) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the portal stopped with code {server.returncode}")
        try:
            urllib.request.urlopen(base + SPEC, timeout=2)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
    raise SystemExit("the portal did not answer in time")


def _throwaway_token(base: str) -> str:
    """A new client account (through the API's registration) whose token the self-ending run may end."""
    agreement = _call(base + "/api/v1/agreement")
    body = {"email": f"throwaway{int(time.time())}@example.com", "password": "Throwaway-pass-1",
            "full_name": "Schema Thesis", "phone": "+77012345678", "accept_agreement": True,
            "agreement_version": agreement["version"]}
    try:
        return _call(base + "/api/v1/account/register", body)["access_token"]
    except urllib.error.HTTPError as err:
        raise SystemExit(f"registering the throwaway account failed: {err.code} {err.read()[:500]!r}") from err


def _operations(spec: dict) -> set[str]:
    return {f"{method.upper()} {path}" for path, ops in spec["paths"].items() for method in ops
            if method in ("get", "post", "put", "patch", "delete")}


def _exercised(report: Path) -> set[str]:
    """The operations a JUnit report shows as run (not skipped)."""
    if not report.exists():
        return set()
    done = set()
    for case in ET.parse(report).getroot().iter("testcase"):
        if case.find("skipped") is None:
            done.add(case.get("name", "").strip())
    return done


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=25)
    parser.add_argument("--max-time", type=int, default=120)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="schemathesis-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PORTAL_INSTANCE_PATH=str(work / "instance"), PORTAL_PORT=str(port),
               PORTAL_ADMIN_PASSWORD=ADMIN_PASSWORD, PORTAL_DEMO_DATA="1", RATELIMIT_ENABLED="0",
               MAIL_SERVER="", SEARCH_SYNC="inline", NOTIFY_SYNC="inline", VAPID_PRIVATE_KEY="",
               VAPID_PUBLIC_KEY="")
    for key in ("VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY"):  # no pushes to the random endpoints it invents
        env.pop(key, None)
    log = open(work / "server.log", "w")
    server = subprocess.Popen([sys.executable, "run.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    failed, exercised = [], set()
    try:
        _wait(base, server)
        spec_file = work / "openapi.json"
        spec = _call(base + SPEC)
        spec_file.write_text(json.dumps(spec))
        tokens = {role: _call(base + "/api/v1/security/login", {"username": u, "password": p})["access_token"]
                  for role, (u, p) in USERS.items()}
        runs = [(role, tokens.get(role), ["--exclude-path-regex", SELF_ENDING])
                for role in ("anonymous", *tokens)]
        runs.append(("throwaway (self-ending operations)", _throwaway_token(base),
                     ["--include-path-regex", SELF_ENDING]))
        for number, (role, token, selection) in enumerate(runs):
            print(f"== schemathesis as {role}", flush=True)
            report = work / f"junit-{number}.xml"
            command = ["schemathesis", "run", str(spec_file), "--url", base, "--checks", CHECKS,
                       "--max-examples", str(args.examples), "--max-time", str(args.max_time),
                       "--workers", "1", "--no-color", "--generation-database", "none", "--seed", "20261204",
                       "--report", "junit", "--report-junit-path", str(report), *selection]
            if token:
                command += ["--header", f"Authorization: Bearer {token}"]
            if subprocess.run(command, cwd=work).returncode != 0:
                failed.append(role)
            exercised |= _exercised(report)
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    errors = [line for line in (work / "server.log").read_text().splitlines() if "Traceback" in line]
    never = sorted(_operations(spec) - exercised) if "spec" in locals() else []
    if failed or errors or never:
        if failed:
            print("schemathesis failed as: " + ", ".join(failed))
        if never:
            print(f"{len(never)} operations never exercised: " + "; ".join(never))
        if errors:
            print(f"{len(errors)} tracebacks in the server log {work / 'server.log'}")
            print((work / "server.log").read_text()[-6000:])
        return 1
    print(f"schemathesis: {len(_operations(spec))} operations, all exercised; no server error and no answer "
          f"outside the document in {len(runs)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
