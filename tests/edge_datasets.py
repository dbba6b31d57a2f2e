"""Edge-case datasets for the report, notebook 09 and the browser tests: each a small valid
dataset built from the template (`nl.init_dataset`), with made-up values. Tests get them through
the `edge_dataset` and `edge_cases` fixtures, or import `EDGE_CASES` to parametrize."""

from __future__ import annotations

from pathlib import Path

EDGE_CASES = (
    "one_actor",
    "one_issue",
    "no_events",
    "no_salience_no_ranges",
    "parties_only",
    "single_date",
    "parties_never_meet",
    "large",
)


def _edge_tables(case: str) -> dict[str, list[dict[str, object]]]:
    n_actors = {"one_actor": 1, "parties_only": 2, "parties_never_meet": 3, "large": 15}.get(
        case, 4
    )
    n_issues = {"one_issue": 1, "large": 45}.get(case, 3)
    n_dates = 1 if case == "single_date" else 4
    roles = ["party", "party", "mediator", "third_party"] + ["third_party"] * 20
    actors = [
        {"actor_id": f"a{i}", "name": f"Actor {i} <b>&</b>", "role": roles[i]}
        for i in range(n_actors)
    ]
    issues = [
        {
            "issue_id": f"i{j}",
            "label": f"Issue {j} <i>label</i>",
            "category": "process",
            "low_label": "nothing",
            "high_label": "everything",
            "order": j + 1,
        }
        for j in range(n_issues)
    ]
    anchors = [{"issue_id": f"i{j}", "value": 50, "label": "half"} for j in range(n_issues)]
    dates = [f"2024-0{d + 1}-15" for d in range(n_dates)]
    events = [
        {"event_id": f"e{d}", "date": day, "name": f"Round {d}", "kind": "talks_round"}
        for d, day in enumerate(dates)
    ]
    sources = [{"source_id": "s1", "title": "Made-up minutes", "source_type": "official"}]
    positions = []
    for i in range(n_actors):
        for j in range(n_issues):
            if case == "parties_never_meet" and i < 2 and j % 2 != i:
                continue  # actor 0 speaks only to even issues, actor 1 only to odd ones
            for d, day in enumerate(dates):
                value = (17 * i + 29 * j + 11 * d) % 101
                row = {
                    "position_id": f"p{i}-{j}-{d}",
                    "date": day,
                    "event_id": f"e{d}",
                    "actor_id": f"a{i}",
                    "issue_id": f"i{j}",
                    "stance": "demand",
                    "value": value,
                    "value_low": max(0, value - 5),
                    "value_high": min(100, value + 5),
                    "salience": 0.5,
                    "status": "asserted",
                    "summary": f"Actor {i} on issue {j} <script>x</script>",
                    "quote": "We say so.",
                    "source_id": "s1",
                    "confidence": ["high", "medium", "low"][(i + j + d) % 3],
                }
                if case == "no_salience_no_ranges":
                    row.update(value_low="", value_high="", salience="")
                if case == "no_events":
                    row["event_id"] = ""
                positions.append(row)
    if case == "no_events":
        events = []
    return {
        "actors": actors,
        "issues": issues,
        "scale_anchors": anchors,
        "events": events,
        "sources": sources,
        "positions": positions,
    }


def write_edge_dataset(case: str, folder: Path) -> Path:
    """Write the edge-case dataset `case` (one of EDGE_CASES) into `folder`; return the folder."""
    import csv

    import negotiation_lib as nl

    nl.init_dataset(folder)
    meta_path = folder / "datapackage.json"
    meta = meta_path.read_text(encoding="utf-8").replace(
        '"name": "my-negotiation"', f'"name": "edge-{case.replace("_", "-")}"'
    )
    meta_path.write_text(meta, encoding="utf-8")
    for name, rows in _edge_tables(case).items():
        path = folder / f"{name}.csv"
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows([{c: row.get(c, "") for c in header} for row in rows])
    return folder
