"""Every configuration key the code reads is declared in config.py, with its
default there and nowhere else."""
from __future__ import annotations

import re
from pathlib import Path

import config

ROOT = Path(__file__).resolve().parents[2]
READ = re.compile(r"""config(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]+)["']""")
DEFAULT_ELSEWHERE = re.compile(r"""config\.get\(\s*["'][A-Z][A-Z0-9_]+["']\s*,""")


def _sources():
    for path in sorted((ROOT / "portal").rglob("*")):
        if path.suffix in (".py", ".html") and "__pycache__" not in path.parts:
            yield path
    yield ROOT / "run.py"


def test_every_key_read_is_declared_in_config():
    undeclared = sorted({f"{path.relative_to(ROOT)}: {key}" for path in _sources()
                         for key in READ.findall(path.read_text(encoding="utf-8"))
                         if not hasattr(config.Config, key)})
    assert undeclared == []


def test_no_default_is_repeated_outside_config():
    repeated = [f"{path.relative_to(ROOT)}:{n}" for path in _sources()
                for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if DEFAULT_ELSEWHERE.search(line)]
    assert repeated == []


def test_the_check_sees_reads():
    """The pattern finds both spellings, so the checks above cannot pass by finding nothing."""
    sample = 'current_app.config["APP_NAME"]; app.config.get("MAIL_SERVER", "x")'
    assert READ.findall(sample) == ["APP_NAME", "MAIL_SERVER"]
    assert DEFAULT_ELSEWHERE.search(sample)
