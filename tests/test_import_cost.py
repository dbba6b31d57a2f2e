"""`import negotiation_lib` stays light: plotly and ipywidgets load only when asked for.

(How long the import takes compared with pandas is measured in benchmarks/bench_core.py.)
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["plotly", "ipywidgets", "frictionless", "hypothesis", "IPython", "kaleido", "pypdf"]


def _modules_after(code: str) -> dict[str, bool]:
    script = (
        code + f"\nimport json, sys\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_leaves_plotly_and_ipywidgets_out():
    loaded = _modules_after("import negotiation_lib as nl\nnl.load")
    assert loaded == dict.fromkeys(HEAVY, False)


def test_loading_and_computing_stay_light():
    loaded = _modules_after(
        "import negotiation_lib as nl\n"
        "from pathlib import Path\n"
        f"neg = nl.load(Path({str(__file__)!r}).parent / 'fixtures' / 'mini')\n"
        "nl.compute_overall_gap(neg, 'A', 'B')\n"
        "nl.validate(neg.path)\n"
    )
    assert loaded["plotly"] is False
    assert loaded["ipywidgets"] is False


def test_public_api_names():
    import negotiation_lib as nl

    for name in [
        "load",
        "list_datasets",
        "validate",
        "ValidationError",
        "Negotiation",
        "positions_asof",
        "compute_gaps",
        "compute_overall_gap",
        "compute_movement",
        "compute_conflicts",
    ]:
        assert name in nl.__all__
        assert callable(getattr(nl, name))


def test_figures_and_widgets_load_on_first_use():
    loaded = _modules_after(
        "import negotiation_lib as nl\n"
        "import sys\n"
        "assert 'plotly' not in sys.modules\n"
        "assert callable(nl.figures.plot_gap_over_time)\n"
        "assert not hasattr(nl, 'plot_gap_over_time')  # one spelling: nl.figures.plot_*\n"
        "assert 'ipywidgets' not in sys.modules\n"
        "nl.widgets\n"
    )
    assert loaded["plotly"] is True
    assert loaded["ipywidgets"] is True
