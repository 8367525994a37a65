"""Lighthouse (mobile preset) on the public pages, in kk and ru, against a running portal.

    npm install --prefix .lighthouse lighthouse@13.5.0          # once (not committed)
    python run.py &                                               # or any running portal
    python bench/lighthouse.py --base http://127.0.0.1:5000 [--runs 3]

Uses Debian's Chromium (CHROME_PATH, default /usr/bin/chromium) headless with
--no-sandbox. Lighthouse's default config is the mobile preset (Moto G Power
viewport, simulated slow 4G, 4x CPU slowdown). For every page and language it
prints the median over --runs of the four category scores, LCP, total blocking
time, CLS and the transferred bytes without images. Nothing is asserted."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = {
    "home": "/{lang}/",
    "search": "/{lang}/practitioners/",
    "results": "/{lang}/practitioners/?q=notary",  # noindex by design (a query variant): SEO scores it down
    "landing": "/{lang}/practitioners/category/notary",
    "profile": "/{lang}/practitioners/{profile}",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def lighthouse_bin(prefix: Path) -> str:
    found = prefix / "node_modules" / ".bin" / "lighthouse"
    if not found.exists():
        sys.exit(f"Lighthouse is not installed: npm install --prefix {prefix} lighthouse@13.5.0")
    return str(found)


def run_once(binary: str, url: str, chrome: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        command = [binary, url, "--quiet", "--output=json", f"--output-path={out}",
                   "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
                   f"--only-categories={','.join(CATEGORIES)}"]
        for attempt in range(2):  # Chromium sometimes fails to start on a loaded machine: once more
            proc = subprocess.run(command, env={**os.environ, "CHROME_PATH": chrome}, capture_output=True, text=True)
            if proc.returncode == 0:
                break
        else:
            raise RuntimeError(f"lighthouse failed on {url}: {proc.stderr[-2000:]}")
        report = json.loads(out.read_text(encoding="utf-8"))
    audits = report["audits"]
    items = audits.get("network-requests", {}).get("details", {}).get("items", [])
    transfer = sum(i.get("transferSize", 0) for i in items if i.get("resourceType") != "Image")
    return {
        **{c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES},
        "lcp_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "kib_no_images": transfer / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:5000")
    parser.add_argument("--profile", type=int, default=1, help="id of a public profile")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--langs", default="kk,ru")
    parser.add_argument("--prefix", type=Path, default=ROOT / ".lighthouse")
    args = parser.parse_args()
    binary = lighthouse_bin(args.prefix)
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    print(f"{'page':8} {'lang':4} {'perf':>4} {'a11y':>4} {'best':>4} {'seo':>4} {'LCP s':>6} {'TBT ms':>7} "
          f"{'CLS':>5} {'KiB':>6}")
    for lang in args.langs.split(","):
        for name, pattern in PAGES.items():
            url = args.base.rstrip("/") + pattern.format(lang=lang, profile=args.profile)
            runs = [run_once(binary, url, chrome) for _ in range(args.runs)]
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            print(f"{name:8} {lang:4} {med['performance']:4.0f} {med['accessibility']:4.0f} "
                  f"{med['best-practices']:4.0f} {med['seo']:4.0f} {med['lcp_s']:6.2f} {med['tbt_ms']:7.0f} "
                  f"{med['cls']:5.3f} {med['kib_no_images']:6.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
