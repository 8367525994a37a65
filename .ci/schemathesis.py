"""Contract check: schemathesis over every published OpenAPI document, anonymous
and with a client's, a practitioner's and an admin's token, against the portal
served by ``run.py`` (demo data; the database in DATABASE_URL, else SQLite in a
temp folder). Fails on any server error (5xx). Bounded: ``--examples`` test
cases per operation and ``--max-time`` seconds per run.

    python .ci/schemathesis.py [--examples 25] [--max-time 90]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_PASSWORD = "Schema-admin-1"
USERS = {
    "client": ("client@demo.alemtrust.kz", "Demo-pass-1"),
    "practitioner": ("practitioner@demo.alemtrust.kz", "Demo-pass-1"),
    "admin": ("admin@alemtrust.kz", ADMIN_PASSWORD),
}
SPECS = {"search": "/api/v1/search/openapi.json", "portal": "/api/v1/_openapi"}
PREFIX = {"search": "", "portal": ""}  # both documents hold full paths


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
            urllib.request.urlopen(base + "/api/v1/search/openapi.json", timeout=2)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
    raise SystemExit("the portal did not answer in time")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=25)
    parser.add_argument("--max-time", type=int, default=90)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="schemathesis-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PORTAL_INSTANCE_PATH=str(work / "instance"), PORTAL_PORT=str(port),
               PORTAL_ADMIN_PASSWORD=ADMIN_PASSWORD, PORTAL_DEMO_DATA="1", RATELIMIT_ENABLED="0",
               MAIL_SERVER="", SEARCH_SYNC="inline", NOTIFY_SYNC="inline")
    log = open(work / "server.log", "w")
    server = subprocess.Popen([sys.executable, "run.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    failed = []
    try:
        _wait(base, server)
        tokens = {role: _call(base + "/api/v1/security/login", {"username": u, "password": p})["access_token"]
                  for role, (u, p) in USERS.items()}
        # FAB's full document needs an admin; schemathesis reads it from a file
        spec_file = work / "portal-openapi.json"
        spec_file.write_text(json.dumps(_call(base + SPECS["portal"], token=tokens["admin"])))
        locations = {"search": base + SPECS["search"], "portal": str(spec_file)}
        for spec, location in locations.items():
            for role in ["anonymous", *tokens]:
                print(f"== schemathesis: {spec} document as {role}", flush=True)
                command = ["schemathesis", "run", location, "--url", base + PREFIX[spec],
                           "--checks", "not_a_server_error", "--max-examples", str(args.examples),
                           "--max-time", str(args.max_time), "--workers", "1", "--no-color",
                           "--generation-database", "none", "--seed", "20261204",
                           # signing out would end the token the rest of the run uses
                           "--exclude-path-regex", "/security/logout"]
                if role != "anonymous":
                    command += ["--header", f"Authorization: Bearer {tokens[role]}"]
                result = subprocess.run(command, cwd=work)
                if result.returncode != 0:
                    failed.append(f"{spec} as {role}")
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    errors = [line for line in (work / "server.log").read_text().splitlines() if "Traceback" in line]
    if failed or errors:
        print("schemathesis found server errors in: " + ", ".join(failed) if failed else "",
              f"\n{len(errors)} tracebacks in the server log {work / 'server.log'}" if errors else "")
        print((work / "server.log").read_text()[-6000:])
        return 1
    print("schemathesis: 0 server errors in", len(locations) * (len(tokens) + 1), "runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
