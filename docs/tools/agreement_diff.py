"""Print the unified diff of the Russian texts of agreement versions 1 and 2
(pasted into docs/agreement-v1-v2.md). Run from the repository root:
python docs/tools/agreement_diff.py"""
import difflib
from pathlib import Path

CONTENT = Path(__file__).resolve().parents[2] / "portal" / "content"
old = (CONTENT / "agreement_v1_ru.txt").read_text(encoding="utf-8").splitlines(keepends=True)
new = (CONTENT / "agreement_v2_ru.txt").read_text(encoding="utf-8").splitlines(keepends=True)
old[-1] = old[-1] if old[-1].endswith("\n") else old[-1] + "\n"
print("".join(difflib.unified_diff([line.replace("\t", "→") for line in old], new,
                                   "agreement_v1_ru.txt", "agreement_v2_ru.txt", n=0)), end="")
