"""People are named, never numbered: display names, with the login beside a shared one."""

from __future__ import annotations

from store.team.names import labels


def test_display_names_with_the_login_beside_a_shared_one():
    rows = [(1, "amy", "陳雅婷"), (2, "amy.c", "陳雅婷"), (3, "ben", "Ben Lin"), (4, "chief", ""), (5, "x", None)]
    assert labels(rows) == {1: "陳雅婷 (amy)", 2: "陳雅婷 (amy.c)", 3: "Ben Lin", 4: "chief", 5: "x"}


def test_a_display_name_equal_to_another_login_still_reads_as_two_people():
    # ben's display name is "amy", and amy has none (shown by login): both read "amy" alone otherwise.
    assert labels([(1, "amy", ""), (2, "ben", "amy")]) == {1: "amy", 2: "amy (ben)"}


def test_no_agents_no_labels():
    assert labels([]) == {}
