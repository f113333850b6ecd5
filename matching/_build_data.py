"""Rebuild ``matching/data/domain_dict.txt`` and ``field_names.tsv`` from the shared taxonomies.

(Maintainer script.)

Run ``uv run python -m matching._build_data [SHARED_DATA_DIR]``; the default directory is
``../shared/data``. The output holds short names from the NSFC research-field codes and the
GB/T 4754-2017 industry classification (2 to 8 characters, Chinese only), which the tokenizer
loads beside ``manual_terms.txt`` and the synonym table so these names are segmented whole.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

_HAN_ONLY = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
_SPLIT = re.compile(r"[、，,；;和及与（）()]+")


def _names(path: Path, column: str) -> set[str]:
    out: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            name = (row.get(column) or "").strip()
            if _HAN_ONLY.match(name):
                out.add(name)
            # Parts of compound names ("采矿、冶金设备") are useful terms by themselves.
            for part in _SPLIT.split(name):
                part = part.removesuffix("的").removesuffix("等")
                if _HAN_ONLY.match(part) and len(part) >= 3:
                    out.add(part)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    shared = Path(args[0]) if args else Path(__file__).resolve().parents[2] / "shared" / "data"
    words = _names(shared / "nsfc_codes.tsv", "name") | _names(shared / "gbt4754_2017.tsv", "name")
    out = Path(__file__).with_name("data") / "domain_dict.txt"
    out.write_text(
        "# 由 matching/_build_data.py 生成 (generated): NSFC 申请代码与 GB/T 4754-2017 的短名称\n"
        + "\n".join(sorted(words))
        + "\n",
        encoding="utf-8",
    )
    print(f"{len(words)} words -> {out}")
    # Names of the research-field codes: field inference mixes a code's name into the code's
    # centroid, so a field has a meaning even with few supplies carrying it.
    names = Path(__file__).with_name("data") / "field_names.tsv"
    rows = []
    with (shared / "nsfc_codes.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
            if code and name:
                rows.append(f"{code}\t{name}")
    names.write_text(
        "# 由 matching/_build_data.py 生成 (generated): NSFC 申请代码 → 名称 (code → name)\n"
        + "\n".join(sorted(rows))
        + "\n",
        encoding="utf-8",
    )
    print(f"{len(rows)} field names -> {names}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
