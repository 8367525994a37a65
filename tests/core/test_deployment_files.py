"""The deployment files run as documented: the Procfile, the systemd units, the env file
example, the gunicorn settings and the nginx example name commands, settings and headers
that exist, and docs/deployment.md names only commands and settings that exist.

- The app spec of every process is ``portal:create_app("config.ProductionConfig")``, and
  gunicorn loads it with deploy/gunicorn.conf.py (a real create_app, on a test configuration).
- Every ``flask`` command in the Procfile, the units and the docs resolves in the portal's CLI.
- ``systemd-analyze verify`` accepts the units (skipped where it is not installed).
- ``nginx -t`` accepts the nginx file, and a running nginx with it passes the forwarded headers
  the portal's ProxyFix reads, serves the static files with their cache headers, redirects
  HTTP to HTTPS and refuses other host names (skipped where nginx is not installed:
  ``apt-get install nginx-light``)."""
from __future__ import annotations

import ast
import datetime as dt
import http.client
import json
import os
import re
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import click
import pytest
from flask.cli import FlaskGroup, ScriptInfo

import config
from config import TestConfig

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
NGINX_CONF = DEPLOY / "nginx" / "alemtrust.conf"
ENV_EXAMPLE = DEPLOY / "alemtrust.env.example"
DOCS = ROOT / "docs" / "deployment.md"
APP_SPEC = 'portal:create_app("config.ProductionConfig")'
SERVER_NAME = "alemtrust.kz"
TIMEOUT = 120
# settings the deployment files may set that config.py does not read
NOT_IN_CONFIG = {"FLASK_APP": "Flask", "AWS_ACCESS_KEY_ID": "boto3", "AWS_SECRET_ACCESS_KEY": "boto3",
                 "WEB_BIND": "gunicorn.conf.py", "WEB_CONCURRENCY": "gunicorn.conf.py",
                 "WEB_TIMEOUT": "gunicorn.conf.py", "WEB_LOG_LEVEL": "gunicorn.conf.py"}


class GunicornCheck(TestConfig):
    """A test configuration for the gunicorn subprocess (its database and instance folder
    from the environment the test gives it)."""
    SQLALCHEMY_DATABASE_URI = os.environ.get("DEPLOY_TEST_DATABASE", "sqlite://")
    INSTANCE_PATH = os.environ.get("DEPLOY_TEST_INSTANCE", "")


# --- reading the files ---------------------------------------------------------------------------


def procfile() -> dict[str, list[str]]:
    """{process type: argv} of the Procfile."""
    out = {}
    for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_-]+):\s*(.+)$", line)
        if m:
            out[m.group(1)] = shlex.split(m.group(2))
    return out


def unit(name: str) -> dict[str, dict[str, list[str]]]:
    """{section: {key: [values]}} of a systemd unit file."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in (UNITS / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def config_env_names() -> set[str]:
    """The environment variables config.py reads."""
    return set(re.findall(r"""(?:environ\.get|_bool)\(\s*["']([A-Z][A-Z0-9_]+)["']""",
                          (ROOT / "config.py").read_text(encoding="utf-8")))


def sourced(path: Path, extra: str = "") -> dict[str, str]:
    """The variables a POSIX shell gets from ``set -a; . path`` (as deploy/alemtrust-flask does)."""
    script = f'set -a; . "{path}"; set +a; {extra} "{sys.executable}" -c "import json, os; print(json.dumps(dict(os.environ)))"'
    done = subprocess.run(["sh", "-c", script], env={"PATH": os.environ.get("PATH", "")}, capture_output=True,
                          text=True, timeout=30, check=True)
    return json.loads(done.stdout)


def flask_argv(argv: list[str]) -> list[str]:
    """The command words of a ``flask`` argv (without the executable and ``--app SPEC``)."""
    words = list(argv[1:])
    if words[:1] == ["--app"]:
        words = words[2:]
    return words


def resolve(app, words: list[str]) -> click.Command:
    """The click command that ``flask <words>`` runs in the portal's CLI (pytest.fail if none);
    options (``--name``) among the words must be options of that command."""
    info = ScriptInfo(create_app=lambda: app)
    group = FlaskGroup(create_app=lambda: app)
    ctx = click.Context(group, obj=info)
    command: click.Command = group
    path: list[str] = []
    rest = list(words)
    while rest and not rest[0].startswith("-") and isinstance(command, click.Group):
        word = rest.pop(0)
        found = command.get_command(ctx, word)
        if found is None:
            pytest.fail(f"`flask {' '.join(path + [word])}` is not a command of the portal")
        command, path = found, path + [word]
    assert path and not isinstance(command, click.Group), f"`flask {' '.join(words)}` names no command"
    known = {name for param in command.params for name in getattr(param, "opts", [])}
    for word in rest:
        if word.startswith("--"):
            assert word.split("=")[0] in known, f"`flask {' '.join(path)}` has no option {word}"
    return command


# --- the app spec, gunicorn, the Procfile and the units -------------------------------------------


def test_every_process_runs_the_production_app():
    procs = procfile()
    assert set(procs) == {"release", "web", "worker"}
    web = unit("alemtrust-web.service")["Service"]
    worker = unit("alemtrust-worker@.service")["Service"]
    specs = [procs["web"][-1], procs["release"][2], procs["worker"][2],
             shlex.split(web["ExecStart"][0])[-1], shlex.split(worker["ExecStart"][0])[2],
             sourced(ENV_EXAMPLE)["FLASK_APP"]]
    assert specs == [APP_SPEC] * len(specs)
    assert procs["release"][:2] == ["flask", "--app"] and procs["worker"][:2] == ["flask", "--app"]
    # README's production section starts gunicorn with the same app
    assert APP_SPEC in (ROOT / "README.md").read_text(encoding="utf-8")

    tree = ast.parse(APP_SPEC.split(":", 1)[1], mode="eval").body
    assert APP_SPEC.split(":", 1)[0] == "portal" and isinstance(tree, ast.Call) and tree.func.id == "create_app"
    from werkzeug.utils import import_string

    assert issubclass(import_string(tree.args[0].value), config.Config)


def test_gunicorn_loads_the_app_spec_with_the_settings_file(database_url, tmp_path):
    """gunicorn itself reads deploy/gunicorn.conf.py and loads the spec of the units (with a test
    configuration in place of ProductionConfig): a real create_app."""
    spec = APP_SPEC.replace("config.ProductionConfig", f"{__name__}.GunicornCheck")
    env = {k: v for k, v in os.environ.items() if k not in config_env_names() and k not in NOT_IN_CONFIG}
    env |= {"DEPLOY_TEST_DATABASE": database_url, "DEPLOY_TEST_INSTANCE": str(tmp_path / "instance"),
            "WEB_BIND": "127.0.0.1:18123", "WEB_CONCURRENCY": "3"}
    web = shlex.split(unit("alemtrust-web.service")["Service"]["ExecStart"][0])
    assert web[1:3] == ["--config", "/srv/alemtrust/app/deploy/gunicorn.conf.py"]
    assert procfile()["web"][1:3] == ["--config", "deploy/gunicorn.conf.py"]
    done = subprocess.run([sys.executable, "-m", "gunicorn", "--print-config", "--config",
                           str(DEPLOY / "gunicorn.conf.py"), spec],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    printed = dict(re.findall(r"^(\w+)\s+= (.*)$", done.stdout, re.M))
    assert printed["bind"] == "['127.0.0.1:18123']"
    assert printed["workers"] == "3" and printed["timeout"] == "60" and printed["worker_class"] == "sync"


def test_the_gunicorn_defaults():
    def settings(**env):
        namespace: dict = {}
        saved = {k: os.environ.get(k) for k in ("WEB_BIND", "PORT", "WEB_CONCURRENCY", "WEB_TIMEOUT")}
        try:
            for k in saved:
                os.environ.pop(k, None)
            os.environ.update(env)
            exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
        finally:
            for k, v in saved.items():
                os.environ.pop(k, None)
                if v is not None:
                    os.environ[k] = v
        return namespace

    default = settings()
    assert default["bind"] == "127.0.0.1:8000" and default["workers"] == os.cpu_count() * 2 + 1
    assert settings(PORT="5001")["bind"] == "0.0.0.0:5001"  # a Procfile platform
    assert settings(WEB_BIND="10.0.0.11:8000", PORT="5001")["bind"] == "10.0.0.11:8000"


def test_the_procfile_and_unit_commands_exist(app):
    procs = procfile()
    assert resolve(app, flask_argv(procs["release"])).name == "upgrade"
    for argv in (procs["worker"], shlex.split(unit("alemtrust-worker@.service")["Service"]["ExecStart"][0])):
        assert Path(argv[0]).name == "flask"
        assert flask_argv(argv) == ["portal", "worker"]
        assert resolve(app, flask_argv(argv)).name == "worker"
    # and the worker runs: one round on the test database
    result = app.test_cli_runner().invoke(args=["portal", "worker", "--once"])
    assert result.exit_code == 0, result.output


def test_the_health_timer_runs_the_worker_health_check(database_url):
    """alemtrust-health.service runs the check that needs no app (python -m portal.cli.worker
    health), every 5 minutes by its timer."""
    from click.testing import CliRunner

    from portal.cli import worker

    service = unit("alemtrust-health.service")["Service"]
    argv = shlex.split(service["ExecStart"][0])
    assert argv[0] == "/srv/alemtrust/venv/bin/python" and argv[1:4] == ["-m", "portal.cli.worker", "health"]
    assert service["Type"] == ["oneshot"] and service["EnvironmentFile"] == ["/etc/alemtrust/alemtrust.env"]
    assert unit("alemtrust-health.timer")["Timer"]["OnUnitActiveSec"] == ["5min"]
    result = CliRunner().invoke(worker.main, [*argv[3:], "--database-url", database_url])
    assert result.exit_code in (worker.OK, worker.UNHEALTHY), result.output  # the database was read
    assert "Outbox" in result.output


def test_the_units_run_hardened_with_the_instance_folder_writable():
    web, worker = unit("alemtrust-web.service"), unit("alemtrust-worker@.service")
    instance = sourced(ENV_EXAMPLE)["PORTAL_INSTANCE_PATH"]
    for sections in (web, worker):
        service = sections["Service"]
        assert service["User"] == ["alemtrust"] and service["Group"] == ["alemtrust"]
        assert service["EnvironmentFile"] == ["/etc/alemtrust/alemtrust.env"]
        assert service["Restart"] == ["always"]
        assert service["NoNewPrivileges"] == ["yes"] and service["ProtectSystem"] == ["strict"]
        # ProtectSystem=strict leaves only the state directory writable: the instance folder
        assert service["StateDirectory"] == ["alemtrust"] and instance == "/var/lib/alemtrust"
        assert service["WorkingDirectory"] == ["/srv/alemtrust/app"]
        assert sections["Install"]["WantedBy"] == ["multi-user.target"]
    assert web["Service"]["Type"] == ["notify"]  # gunicorn tells systemd when it is up
    assert "%i" in worker["Unit"]["Description"][0]  # a template: alemtrust-worker@1, @2, ...


def test_systemd_analyze_verifies_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    env_file = tmp_path / "alemtrust.env"
    env_file.write_text(ENV_EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    names = []
    for path in sorted([*UNITS.glob("*.service"), *UNITS.glob("*.timer")]):
        text = (path.read_text(encoding="utf-8").replace("/srv/alemtrust/venv", sys.prefix)
                .replace("/srv/alemtrust/app", str(ROOT)).replace("/etc/alemtrust/alemtrust.env", str(env_file)))
        (tmp_path / path.name).write_text(text, encoding="utf-8")
        names.append(path.name)
        if path.name.endswith("@.service"):  # an instance of the template, as systemctl starts it
            instance = path.name.replace("@.service", "@1.service")
            (tmp_path / instance).write_text(text, encoding="utf-8")
            names.append(instance)
    done = subprocess.run([analyze, "verify", *[str(tmp_path / n) for n in names]], capture_output=True, text=True,
                          timeout=60, env=os.environ | {"SYSTEMD_LOG_LEVEL": "notice"})
    messages = done.stdout + done.stderr
    assert done.returncode == 0, messages
    assert not re.search(r"Unknown|ignoring|not executable|Failed|Invalid", messages), messages


def test_the_env_example_sets_settings_that_exist_and_passes_the_offline_check(tmp_path):
    """Every name is read by config.py (or by Flask, boto3, gunicorn.conf.py); filled in with a
    key, the example passes check-config --offline --strict."""
    names = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.M))
    unknown = sorted(n for n in names - config_env_names() - set(NOT_IN_CONFIG))
    assert unknown == []
    values = sourced(ENV_EXAMPLE)
    assert values["MAIL_DEFAULT_SENDER"] == "AlemTrust <noreply@alemtrust.kz>"
    assert values["SECRET_KEY"] == ""  # a placeholder never passes for a key
    env = {k: v for k, v in os.environ.items() if k not in config_env_names()}
    env |= {k: values[k] for k in names if k in values} | {"PORTAL_INSTANCE_PATH": str(tmp_path)}
    command = [sys.executable, "-m", "portal.cli.check_config", "--offline", "--strict"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 1
    assert [line.split()[1] for line in done.stdout.splitlines() if line.startswith(("MISSING", "WRONG", "WARN"))] \
        == ["SECRET_KEY:"], done.stdout
    env["SECRET_KEY"] = "k" + os.urandom(24).hex()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_flask_wrapper_reads_the_env_file(tmp_path):
    """deploy/alemtrust-flask loads the env file and runs flask; the two checks run without the app."""
    wrapper = DEPLOY / "alemtrust-flask"
    assert os.access(wrapper, os.X_OK)
    assert subprocess.run(["sh", "-n", str(wrapper)], capture_output=True, timeout=10).returncode == 0
    env_file = tmp_path / "alemtrust.env"
    env_file.write_text(ENV_EXAMPLE.read_text(encoding="utf-8")
                        .replace("\nSECRET_KEY=\n", f"\nSECRET_KEY=k{os.urandom(24).hex()}\n")
                        .replace("PORTAL_INSTANCE_PATH=/var/lib/alemtrust", f"PORTAL_INSTANCE_PATH={tmp_path}")
                        .replace("@10.0.0.21:5432/", f"@127.0.0.1:{_free_port()}/"),  # nothing listens there
                        encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", ""), "ALEMTRUST_ENV": str(env_file), "ALEMTRUST_APP": str(ROOT),
           "ALEMTRUST_VENV": sys.prefix}
    done = subprocess.run([str(wrapper), "--version"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Flask" in done.stdout, done.stdout + done.stderr
    done = subprocess.run([str(wrapper), "portal", "check-config", "--offline", "--strict"], env=env,
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All 12 checks OK." in done.stdout and f"instance folder: {tmp_path} is writable" in done.stdout
    done = subprocess.run([str(wrapper), "portal", "worker-health", "--max-age", "60"], env=env, capture_output=True,
                          text=True, timeout=TIMEOUT)  # the database does not answer: exit code 2
    assert done.returncode == 2 and "DATABASE UNREACHABLE" in done.stdout, done.stdout + done.stderr


# --- the docs ---------------------------------------------------------------------------------------


def _code(text: str) -> list[str]:
    """The code of the page: fenced blocks and inline spans."""
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", text, re.M | re.S)
    text = re.sub(r"^```[a-z]*\n.*?^```", "", text, flags=re.M | re.S)
    return blocks + re.findall(r"`([^`\n]+)`", text)


def test_every_flask_command_in_the_docs_exists(app):
    commands = set()
    for code in _code(DOCS.read_text(encoding="utf-8")):
        for m in re.finditer(r"(?:\bflask|\$A|alemtrust-flask)((?:[ \t]+(?:--)?[a-z][a-z0-9-]*)+)", code):
            commands.add(tuple(m.group(1).split()))
    named = {words[:next((i for i, w in enumerate(words) if w.startswith("-")), len(words))] for words in commands}
    assert {("db", "upgrade"), ("portal", "check-config"), ("portal", "worker"), ("search", "reindex"),
            ("portal", "create-admin"), ("portal", "storage", "migrate")} <= named
    for words in sorted(commands):
        resolve(app, list(words))


def test_every_setting_in_the_docs_table_exists():
    text = DOCS.read_text(encoding="utf-8")
    table = text.split("## Settings", 1)[1].split("\n## ", 1)[0]
    names = set()
    for row in re.findall(r"^\| (.+?) \|", table, re.M):
        names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", row))
    assert len(names) > 40
    assert sorted(names - config_env_names() - set(NOT_IN_CONFIG)) == []
    for name, where in NOT_IN_CONFIG.items():
        if where == "gunicorn.conf.py":
            assert name in (DEPLOY / "gunicorn.conf.py").read_text(encoding="utf-8")
    # and the settings a production environment needs are all in the table and the env example
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    for needed in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "STORAGE_BACKEND",
                   "STORAGE_S3_BUCKET", "MAIL_SERVER", "TRUSTED_PROXIES", "PORTAL_BASE_URL", "VAPID_PRIVATE_KEY"):
        assert needed in names and f"\n{needed}=" in example


# --- nginx ----------------------------------------------------------------------------------------------


def _nginx() -> str:
    path = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
    if path is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light): the nginx example is not run")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for SERVER_NAME."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVER_NAME)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(SERVER_NAME)]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _site_packages() -> str:
    import flask_appbuilder

    return str(Path(flask_appbuilder.__file__).resolve().parents[1])


def nginx_copy(folder: Path, http_port: int, https_port: int, backends: list[int]) -> Path:
    """deploy/nginx/alemtrust.conf with test certificates, loopback ports, the test backends and
    this checkout's static folders, inside a minimal nginx.conf; the path of that file."""
    cert, key = _certificate(folder)
    site = NGINX_CONF.read_text(encoding="utf-8")
    site = site.replace("/etc/ssl/alemtrust/fullchain.pem", str(cert)).replace("/etc/ssl/alemtrust/privkey.pem", str(key))
    site = site.replace("/srv/alemtrust/app/", f"{ROOT}/")
    site = re.sub(r"/srv/alemtrust/venv/lib/python3\.\d+/site-packages/", _site_packages() + "/", site)
    site = re.sub(r"^\s*listen \[::\]:\d+[^;]*;\n", "", site, flags=re.M)
    site = re.sub(r"listen 80\b", f"listen 127.0.0.1:{http_port}", site)
    site = re.sub(r"listen 443\b", f"listen 127.0.0.1:{https_port}", site)
    servers = re.findall(r"^\s*server (\d+\.\d+\.\d+\.\d+:\d+)", site, re.M)
    assert len(servers) == len(backends) == 2, "the example's upstream has two app servers"
    for old, port in zip(servers, backends):
        site = site.replace(f"server {old}", f"server 127.0.0.1:{port}")
    (folder / "site.conf").write_text(site, encoding="utf-8")
    (folder / "tmp").mkdir()
    main = folder / "nginx.conf"
    user = "user root;\n" if os.geteuid() == 0 else ""  # the workers read this test's private folders
    main.write_text(f"""{user}pid {folder}/nginx.pid;
error_log {folder}/error.log;
daemon off;
events {{}}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {folder}/tmp/body;
    proxy_temp_path {folder}/tmp/proxy;
    fastcgi_temp_path {folder}/tmp/fastcgi;
    uwsgi_temp_path {folder}/tmp/uwsgi;
    scgi_temp_path {folder}/tmp/scgi;
    include {folder}/site.conf;
}}
""", encoding="utf-8")
    return main


def test_nginx_accepts_the_example(tmp_path):
    nginx = _nginx()
    main = nginx_copy(tmp_path, _free_port(), _free_port(), [_free_port(), _free_port()])
    done = subprocess.run([nginx, "-t", "-c", str(main), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


def test_nginx_upload_limit_and_static_caching_match_the_portal():
    text = NGINX_CONF.read_text(encoding="utf-8")
    size = re.search(r"client_max_body_size (\d+)m;", text)
    limit = int(size.group(1)) * 1024 * 1024
    assert limit >= config.Config.ATTACHMENT_MAX_BYTES * config.Config.ATTACHMENT_MAX_COUNT + 1024 * 1024
    assert limit >= config.Config.MAX_CONTENT_LENGTH
    from portal.core.static_files import IMMUTABLE

    assert f'default "{IMMUTABLE}";' in text
    assert f'""      "public, max-age={config.Config.STATIC_MAX_AGE}";' in text


class Backends:
    """Two app servers in this process: the portal's own proxy handling (core.hardening with
    TRUSTED_PROXIES=1, i.e. werkzeug's ProxyFix) in front of a view that tells what it saw."""

    def __init__(self):
        from flask import Flask, jsonify, request
        from werkzeug.serving import make_server

        from portal.core import hardening

        self.servers, self.threads = [], []
        for name in ("a", "b"):
            app = Flask(f"backend_{name}")
            app.config.update(TRUSTED_PROXIES=1, SECURITY_HSTS=False, SECURITY_HSTS_MAX_AGE=0)
            hardening.init_app(app)

            def echo(path="", _name=name):
                return jsonify(server=_name, remote_addr=request.remote_addr, scheme=request.scheme,
                               host=request.host, path=request.path, length=len(request.get_data()))

            app.add_url_rule("/", "root", echo, methods=["GET", "POST"])
            app.add_url_rule("/<path:path>", "echo", echo, methods=["GET", "POST"])
            server = make_server("127.0.0.1", 0, app, threaded=True)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            self.servers.append(server)
            self.threads.append(thread)

    @property
    def ports(self) -> list[int]:
        return [s.server_port for s in self.servers]

    def close(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()


@pytest.fixture
def running_nginx(tmp_path):
    nginx = _nginx()
    backends = Backends()
    http_port, https_port = _free_port(), _free_port()
    main = nginx_copy(tmp_path, http_port, https_port, backends.ports)
    proc = subprocess.Popen([nginx, "-c", str(main), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"nginx did not start: {proc.stderr.read().decode() if proc.stderr else ''}"
                                f"{(tmp_path / 'error.log').read_text() if (tmp_path / 'error.log').exists() else ''}")
                time.sleep(0.05)
        yield http_port, https_port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        backends.close()


def https(port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None,
          server_name: str = SERVER_NAME) -> tuple[int, dict, bytes]:
    """A request over TLS with SNI ``server_name`` (the test certificate is not verified)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    conn.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30),
                                    server_hostname=server_name)
    try:
        conn.request(method, path, body=body, headers={"Host": server_name, **(headers or {})})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def plain_http(port: int, path: str, host: str = SERVER_NAME) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def test_nginx_passes_what_the_portal_reads_and_serves_static_files(running_nginx):
    http_port, https_port = running_nginx

    # the app servers see the client's address, https and the public host, whatever the client claims
    seen = []
    for _ in range(4):
        status, _headers, body = https(https_port, "GET", "/kk/practitioners/?q=x",
                                       headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "http",
                                                "X-Forwarded-Host": "evil.example"})
        assert status == 200
        seen.append(json.loads(body))
    assert {s["server"] for s in seen} == {"a", "b"}  # both app servers of the upstream
    for answer in seen:
        assert answer["remote_addr"] == "127.0.0.1"  # nginx's peer, not the forged entry
        assert answer["scheme"] == "https" and answer["host"] == SERVER_NAME
        assert answer["path"] == "/kk/practitioners/"

    # an upload as large as the portal allows passes; a larger body is refused by nginx
    allowed = config.Config.ATTACHMENT_MAX_BYTES * config.Config.ATTACHMENT_MAX_COUNT + 512 * 1024
    status, _headers, body = https(https_port, "POST", "/requests/new", body=b"x" * allowed,
                                   headers={"Content-Type": "application/octet-stream"})
    assert status == 200 and json.loads(body)["length"] == allowed
    status, _headers, _body = https(https_port, "POST", "/requests/new", body=b"x" * (31 * 1024 * 1024),
                                    headers={"Content-Type": "application/octet-stream"})
    assert status == 413

    # static files from disk: a year under a content hash, an hour without
    css = (ROOT / "portal" / "static" / "css" / "site.css").read_bytes()
    status, headers, body = https(https_port, "GET", "/static/css/site.css?v=0123456789ab")
    assert status == 200 and body == css
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["x-content-type-options"] == "nosniff"
    status, headers, _body = https(https_port, "GET", "/static/css/site.css")
    assert status == 200 and headers["cache-control"] == "public, max-age=3600"
    status, headers, body = https(https_port, "GET", "/static/appbuilder/css/ab.css?v=1")
    assert status == 200 and body == (Path(_site_packages()) / "flask_appbuilder/static/appbuilder/css/ab.css").read_bytes()
    assert https(https_port, "GET", "/static/css/nothing-here.css")[0] == 404

    # plain HTTP redirects to https; other host names get nothing
    status, headers = plain_http(http_port, "/kk/practitioners/?q=x")
    assert status == 301 and headers["location"] == f"https://{SERVER_NAME}/kk/practitioners/?q=x"
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        plain_http(http_port, "/", host="other.example")
    with pytest.raises(ssl.SSLError):
        https(https_port, "GET", "/", server_name="other.example")
