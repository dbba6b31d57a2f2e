"""Every plot_*, explorer and summary runs with only the dataset (plus what the view needs by
nature: an issue, a date, a third actor), on any dataset: the bundled one, the notebook-08
example, three parties and no mediator, and actors that are all mediators or third parties.
Defaults come from the roles in actors.csv (negotiation_lib.ids), never from a dataset's ids.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

import negotiation_lib as nl
from negotiation_lib import figures, summaries, widgets

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SRC = Path(__file__).resolve().parents[1] / "src" / "negotiation_lib"


def _with_roles(folder: Path, roles: dict[str, str]) -> Path:
    """A copy of tests/fixtures/mini in ``folder`` with the given actor roles."""
    shutil.copytree(FIXTURES / "mini", folder)
    path = folder / "actors.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["role"] = roles[row["actor_id"]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


@pytest.fixture(scope="module", params=["bundled", "example", "three_parties", "no_parties"])
def any_neg(request, tmp_path_factory):
    base = tmp_path_factory.mktemp(request.param)
    if request.param == "bundled":
        neg = nl.load("ru-ua-2022-2026")
    elif request.param == "example":
        neg = nl.load(nl.write_example_dataset(base / "example"))
    elif request.param == "three_parties":
        neg = nl.load(_with_roles(base / "d", {"A": "party", "B": "party", "M": "party"}))
    else:
        roles = {"A": "mediator", "B": "third_party", "M": "third_party"}
        neg = nl.load(_with_roles(base / "d", roles))
    return request.param, neg


def test_defaults_follow_the_roles(any_neg):
    kind, neg = any_neg
    expected = {
        "bundled": (("RU", "UA"), ["RU", "UA"]),
        "example": (("union", "employer"), ["union", "employer"]),
        "three_parties": (("A", "B"), ["A", "B", "M"]),
        # no party: the first two actors are the pair; only A is a mediator
        "no_parties": (("A", "B"), ["A", "B"]),
    }[kind]
    assert nl.default_pair(neg) == expected[0]
    assert nl.parties(neg) == expected[1]
    roles = dict(zip(neg.actors["actor_id"], neg.actors["role"].astype(str), strict=True))
    for actor in nl.default_actors(neg):
        assert roles[actor] in ("party", "mediator") or actor in nl.default_pair(neg)


def test_one_pair_rule_for_every_view(any_neg):
    """A side left out is filled from the default pair with the actor that is not the other
    side, the same in the functions, the figures and the explorer."""
    _, neg = any_neg
    first, second = nl.default_pair(neg)
    others = [a for a in neg.actors["actor_id"] if a not in (first, second)]
    other = others[0] if others else second
    expected = {
        (None, None): (first, second),
        (other, None): (other, second if other != second else first),
        (None, other): (first, other),
        (None, first): (second, first),
        (second, None): (second, first),
    }
    for given, pair in expected.items():
        assert nl.ids.pair_or_default(neg, given) == pair, given
        figure = figures.plot_gap_over_time(neg, *given)
        assert figures._pair_title(neg, *pair) in figure.layout.title.text, given
        explorer = widgets.gap_explorer(neg, actor_a=given[0], actor_b=given[1])
        shown = (explorer.controls["actor_a"].value, explorer.controls["actor_b"].value)
        assert shown == pair, given
    with pytest.raises(nl.UnknownIdError, match="in pair"):
        nl.ids.pair_or_default(neg, (first, "no such actor"))


def _views(neg):
    issue = str(neg.issues["issue_id"].iloc[0])
    date = neg.positions["date"].max()
    third = [a for a in neg.actors["actor_id"] if a not in nl.default_pair(neg)]
    third = third[0] if third else nl.default_pair(neg)[0]
    return issue, date, third


def test_every_plot_runs_with_only_the_dataset(any_neg):
    _, neg = any_neg
    issue, date, third = _views(neg)
    made = [
        figures.plot_positions(neg, issue),
        figures.plot_gap_over_time(neg),
        figures.plot_gap_heatmap(neg),
        figures.plot_snapshot(neg, date),
        figures.plot_movement(neg),
        figures.plot_third_party_distance(neg, third),
        figures.plot_forecasts_over_time(neg, issue),
        figures.plot_forecast_sensitivity(
            neg, date, capability={nl.default_pair(neg)[0]: (0.5, 2.0)}, n_draws=5
        ),
        figures.plot_whatif(neg),
    ]
    # Scored against agreed texts: drawn when the dataset has one, a message otherwise.
    outcomes = figures.plot_forecast_vs_outcome(neg)
    assert outcomes.data or figures.figure_message(outcomes)
    assert {name for name in figures.__all__ if name.startswith("plot_")} == {
        "plot_forecast_vs_outcome",
        "plot_forecasts_over_time",
        "plot_forecast_sensitivity",
        "plot_whatif",
        "plot_positions",
        "plot_gap_over_time",
        "plot_gap_heatmap",
        "plot_snapshot",
        "plot_movement",
        "plot_third_party_distance",
    }
    for fig in made:
        assert isinstance(fig, go.Figure)
        assert fig.data, figures.figure_message(fig)  # something is drawn on every dataset


def test_every_explorer_runs_with_only_the_dataset(any_neg):
    _, neg = any_neg
    for make in (
        widgets.gap_explorer,
        widgets.position_explorer,
        widgets.evidence_explorer,
        widgets.whatif_explorer,
    ):
        explorer = make(neg)
        assert explorer.error is None, explorer.error
        no_outcome = make is widgets.whatif_explorer and nl.agreed_outcomes(neg).empty
        assert not explorer.message or (no_outcome and "No agreed outcome" in explorer.message)


def test_every_summary_runs_with_only_the_dataset(any_neg):
    _, neg = any_neg
    a, b = nl.default_pair(neg)
    _, date, third = _views(neg)
    overall = nl.compute_overall_gap(neg, a, b)
    tables = [
        nl.summarize(neg),
        nl.evidence_profile(neg),
        nl.movement_summary(neg),
        nl.movement_by_issue(neg, a),
        nl.third_party_distance(neg, third),
        nl.gap_extremes(nl.compute_gaps(neg, a, b), neg),
        nl.compare_overall_gaps({"all": overall}),
        nl.compare_positions({"now": nl.positions_asof(neg, date)}),
        nl.filter_positions(neg).positions,
        nl.evidence_table(neg),
    ]
    for table in tables:
        assert isinstance(table, pd.DataFrame)
        assert len(table)
    assert a in nl.describe_overall_gap(overall, a, b)
    assert str(neg.id) in summaries.summary_text(neg)


def test_no_bundled_id_in_src():
    """General by construction: no actor, issue or dataset id of a bundled dataset in src/."""
    ids = {"ru-ua-2022-2026", "iran-nuclear-2013-2015"}
    for dataset in ids.copy():
        bundled = nl.load(dataset)
        ids |= set(bundled.actors["actor_id"]) | set(bundled.issues["issue_id"])
    found = []
    for path in sorted(SRC.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for name in sorted(ids):
            for quote in ('"', "'", "`"):
                if f"{quote}{name}{quote}" in source:
                    found.append(f"{path.name}: {name}")
    assert not found


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ([2, 1, 3], ["i1", "i0", "i2"]),
        ([None, 1, 1], ["i1", "i2", "i0"]),  # ties in file order, a missing order last
        (["x", None, 0.5], ["i2", "i0", "i1"]),  # not a number: as missing
        ([-1, 10, -1], ["i0", "i2", "i1"]),
    ],
)
def test_issue_order_follows_the_order_column_then_the_file(order, expected):
    issues = pd.DataFrame({"issue_id": ["i0", "i1", "i2"], "order": order}, index=[7, 3, 5])
    neg = type("Issues", (), {"issues": issues})()
    assert nl.ids.issue_order(neg) == expected
    assert nl.ids.issue_order(type("Issues", (), {"issues": issues[["issue_id"]]})()) == [
        "i0",
        "i1",
        "i2",
    ]
