"""docs/threat-model.md: every test it cites as proof of a claim exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CITED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def test_every_cited_test_exists():
    cited = set(CITED.findall((ROOT / "docs" / "threat-model.md").read_text()))
    assert len(cited) > 30
    missing = [
        f"{path}::{name}"
        for path, name in sorted(cited)
        if not re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.MULTILINE)
    ]
    assert missing == []
