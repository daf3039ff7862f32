"""Routing work to worker processes: a key always meets the same worker, and with `balance` new keys go where
the least work went, so groups of repeated keys still split the items evenly."""

from __future__ import annotations

import os
from collections import Counter

from vgpt2_ext.processes import Workers


def _nothing() -> None:
    return None


def _pids(items: list[str]) -> list[tuple[str, int]]:
    return [(item, os.getpid()) for item in items]


def test_a_key_meets_one_worker_and_new_keys_go_to_the_least_loaded() -> None:
    workers = Workers(2, _nothing, balance=True)
    try:
        items = ["a"] * 4 + ["b", "c", "d", "e"]  # hashing a..e to two workers puts 7 of the 8 on one
        first = workers.submit(_pids, items, key=str)()
        second = workers.submit(_pids, ["e", "a"], key=str)()
    finally:
        workers.close()
    assert [item for item, _ in first] == items
    worker_of = {item: pid for item, pid in first}
    assert all(worker_of[item] == pid for item, pid in first + second)
    assert sorted(Counter(pid for _, pid in first).values()) == [4, 4]
