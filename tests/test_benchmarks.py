"""Every benchmark in bench/ still runs: each script's ``--quick`` smoke mode, in CI.

Full runs stay manual (``make bench``); this only proves the scripts have not rotted.
Nothing here looks at the figures: timing is never asserted.
"""

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
# The benchmarks are the scripts; the other modules (serving.py, databases.py) are theirs.
SCRIPTS = sorted(
    path.name for path in BENCH.glob("*.py") if 'if __name__ == "__main__":' in path.read_text()
)


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_runs_quick(script):
    result = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick"],
        cwd=BENCH.parent,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert result.stdout.strip(), f"{script} --quick printed no figures"
