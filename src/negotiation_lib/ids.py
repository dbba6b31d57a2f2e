"""The ids of a dataset: their order, names, checks, and the defaults that follow from roles.

**One error for an unknown id.** Every public function raises :class:`UnknownIdError` (a
subclass of both ``ValueError`` and ``KeyError``) for an actor, issue or dataset id the dataset
does not have; the message names the id, the table it was looked up in, and the closest known
ids.

**Defaults from the data** (never from a particular dataset):

- :func:`default_pair`: the first two actors with role ``party`` in actors.csv order, otherwise
  the first two actors; :func:`pair_or_default` fills a side a caller left out from it (the
  one rule every view with a pair follows);
- :func:`parties`: the actors with role ``party`` (when fewer than two, the default pair), the
  sides a third party is compared against;
- :func:`default_actors`: the parties plus the mediators (actors.csv order), what snapshots and
  movement show by default.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import numpy as np
import pandas as pd

from . import schema

__all__ = [
    "UnknownIdError",
    "actor_names",
    "actor_order",
    "check_actors",
    "check_ids",
    "check_issues",
    "default_actors",
    "default_pair",
    "issue_labels",
    "issue_order",
    "issue_row",
    "pair_or_default",
    "parties",
]

_SHOWN = 12  # known ids listed in a message at most


class UnknownIdError(ValueError, KeyError):
    """An actor, issue or dataset id that the dataset (or the data folders) does not have.

    Attributes: ``id`` (the unknown id), ``kind`` (``"actor"``, ``"issue"``, ``"dataset"``),
    ``table`` (where it was looked up), ``known`` (the known ids), ``closest`` (up to three
    known ids that look like it). ``lead`` replaces the message's opening words.
    """

    def __init__(
        self,
        kind: str,
        value: object,
        known: Iterable[object],
        *,
        table: str,
        lead: str | None = None,
    ):
        self.kind, self.id, self.table = kind, value, table
        self.known = [str(k) for k in known]
        self.closest = difflib.get_close_matches(str(value), self.known, n=3, cutoff=0.5)
        message = f"{lead or f'unknown {kind} id {value!r}'} (not in {table})"
        if self.closest:
            message += f"; closest: {', '.join(self.closest)}"
        listed = ", ".join(self.known[:_SHOWN]) or "none"
        more = f", … ({len(self.known)} in all)" if len(self.known) > _SHOWN else ""
        message += f"; known: {listed}{more}"
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would show the message quoted
        return self.message


def check_ids(
    kind: str,
    values: Iterable[object],
    known: Iterable[object],
    *,
    table: str,
    given_as: str | None = None,
):
    """Return ``values`` as a list of str; raise :class:`UnknownIdError` for the first one not
    in ``known`` (its message says the argument, ``given_as``, when given)."""
    known = [str(k) for k in known]
    known_set = set(known)
    values = [str(v) for v in values]
    for value in values:
        if value not in known_set:
            lead = None if given_as is None else f"unknown {kind} id {value!r} in {given_as}"
            raise UnknownIdError(kind, value, known, table=table, lead=lead)
    return values


def actor_order(neg) -> list[str]:
    """Actor ids in the order of actors.csv (the order of traces and legends)."""
    return [str(a) for a in neg.actors["actor_id"]]


def check_actors(neg, actors: str | Iterable[str], *, given_as: str | None = None) -> list[str]:
    """``actors`` as a list (a single id becomes a list of one); :class:`UnknownIdError` for an
    id that actors.csv lacks (``given_as`` names the argument in the message)."""
    actors = [actors] if isinstance(actors, str) else actors
    return check_ids("actor", actors, actor_order(neg), table="actors.csv", given_as=given_as)


def check_issues(neg, issues: str | Iterable[str], *, given_as: str | None = None) -> list[str]:
    """``issues`` as a list; :class:`UnknownIdError` for an id that issues.csv lacks."""
    issues = [issues] if isinstance(issues, str) else issues
    return check_ids("issue", issues, neg.issues["issue_id"], table="issues.csv", given_as=given_as)


def actor_names(neg) -> dict[str, str]:
    """Raw (unescaped) actor names by id; the id itself where the name is missing."""
    return {
        str(a): str(a) if pd.isna(name) else str(name)
        for a, name in zip(neg.actors["actor_id"], neg.actors["name"], strict=True)
    }


def issue_order(neg) -> list[str]:
    """Issue ids sorted by ``issues.order`` (then file order)."""
    found = [str(i) for i in neg.issues["issue_id"]]
    if "order" not in neg.issues:
        return found
    key = pd.to_numeric(neg.issues["order"], errors="coerce").to_numpy(dtype="float64")
    missing = np.isnan(key)
    # by order, a missing order last, ties in file order (lexsort: last key first)
    ranked = np.lexsort((np.arange(len(key)), np.where(missing, 0.0, key), missing))
    return [found[i] for i in ranked]


def issue_labels(neg) -> dict[str, str]:
    """Raw (unescaped) issue labels by id; the id itself where the label is missing."""
    return {
        str(i): str(i) if pd.isna(label) else str(label)
        for i, label in zip(neg.issues["issue_id"], neg.issues["label"], strict=True)
    }


def issue_row(neg, issue_id: str) -> pd.Series:
    """The issues.csv row of ``issue_id`` (:class:`UnknownIdError` when there is none)."""
    check_issues(neg, [issue_id])
    return neg.issues[neg.issues["issue_id"] == issue_id].iloc[0]


def _with_role(neg, role: str) -> list[str]:
    roles = neg.actors["role"].astype("object")
    return [str(a) for a, r in zip(neg.actors["actor_id"], roles, strict=True) if r == role]


def default_pair(neg) -> tuple[str, str]:
    """The first two actors with role ``party`` (actors.csv order), else the first two actors.

    A dataset with a single actor gives that actor twice (views then say to pick two)."""
    pair = _with_role(neg, schema.PARTY_ROLE)[:2]
    if len(pair) < 2:
        pair = actor_order(neg)[:2]
    if not pair:
        raise ValueError("the dataset has no actors")
    return pair[0], pair[-1]


def pair_or_default(neg, pair: Iterable[str | None] | None) -> tuple[str, str]:
    """The pair to compare: ``pair`` checked (two known actor ids), :func:`default_pair` when
    ``None``. A side given as ``None`` is filled from the default pair, with the default actor
    that is not the other side: ``(None, "B")`` compares B with the first party (or with the
    second, when B is the first)."""
    if pair is None:
        return default_pair(neg)
    pair = [pair] if isinstance(pair, str) else list(pair)
    if len(pair) != 2:
        raise ValueError(f"pair must name two actors, got {pair!r}")
    actor_a, actor_b = pair
    default_a, default_b = default_pair(neg)
    if actor_a is None:
        actor_a = default_b if actor_b == default_a else default_a
    if actor_b is None:
        actor_b = default_a if actor_a == default_b else default_b
    chosen = check_actors(neg, [actor_a, actor_b], given_as="pair")
    return chosen[0], chosen[1]


def parties(neg) -> list[str]:
    """The actors with role ``party`` in actors.csv order; the default pair when fewer than two
    actors are parties."""
    found = _with_role(neg, schema.PARTY_ROLE)
    return found if len(found) >= 2 else list(dict.fromkeys(default_pair(neg)))


def default_actors(neg) -> list[str]:
    """The parties plus the mediators, in actors.csv order (snapshots and movement)."""
    chosen = set(parties(neg)) | set(_with_role(neg, schema.MEDIATOR_ROLE))
    return [a for a in actor_order(neg) if a in chosen]
