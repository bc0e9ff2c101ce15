"""Percentiles, timings and speed-up ratios of ``musicdb bench``, and its results file."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from musicdb.errors import UsageError
from musicdb.workload.bench import (
    PatternResult,
    Timing,
    load_previous,
    percentile,
    performance_indexes,
)
from musicdb.workload.patterns import PATTERNS


def test_nearest_rank_percentiles_of_one_to_a_hundred() -> None:
    values = list(range(1, 101))
    random.Random(7).shuffle(values)
    assert [percentile(values, q) for q in (0, 1, 50, 95, 99, 100)] == [1, 1, 50, 95, 99, 100]


def test_percentile_of_few_values_and_of_none() -> None:
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([3.0, 1.0, 2.0], 95) == 3.0
    assert percentile([5.0], 99) == 5.0
    assert math.isnan(percentile([], 50))


def test_timing_splits_hot_and_cold_samples() -> None:
    samples = [("hot", float(ms)) for ms in range(1, 11)] + [("cold", 100.0), ("cold", 300.0)]
    timing = Timing.of(samples)
    assert timing.calls == 12
    assert timing.max_ms == 300.0
    assert timing.mean_ms == pytest.approx((55 + 400) / 12)
    assert (timing.hot_p50_ms, timing.hot_p95_ms) == (5.0, 10.0)
    assert (timing.cold_p50_ms, timing.cold_p95_ms) == (100.0, 300.0)
    assert Timing.of([("hot", 1.0)]).cold_p95_ms is None


def test_speedups_are_baseline_over_indexed() -> None:
    fast = Timing.of([("hot", 2.0), ("cold", 4.0)])
    slow = Timing.of([("hot", 20.0), ("cold", 80.0)])
    result = PatternResult(PATTERNS[0], fast, list(PATTERNS[0].intended), [], baseline=slow)
    assert result.speedup_of("hot") == 10.0
    assert result.speedup_of("cold") == 20.0
    assert result.speedup_p95 == slow.p95_ms / fast.p95_ms
    assert result.uses_intended
    assert PatternResult(PATTERNS[0], fast, [], []).speedup_p50 is None
    result.previous_p95_ms = fast.p95_ms / 2
    assert result.p95_ratio == 2.0


def test_load_previous_reads_the_last_saved_run(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    runs = [{"patterns": {"Q1": {"p95_ms": 1.5}}}, {"patterns": {"Q1": {"p95_ms": 2.5},
                                                                 "Q2": {"p50_ms": 1}}}]
    path.write_text("".join(json.dumps(r) + "\n" for r in runs) + "\n")
    assert load_previous(path) == {"Q1": 2.5}


def test_load_previous_reads_a_bench_json_document(tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    doc = {"report": "bench", "rows": [{"pattern": "Q3", "p95_ms": 4}, {"pattern": "Q4"}]}
    path.write_text(json.dumps(doc, indent=2))
    assert load_previous(path) == {"Q3": 4.0}


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), ("{not json\n", "not a bench results file"),
     ('{"report": "other"}', "no p95 per pattern found")],
)
def test_load_previous_refuses_missing_and_foreign_files(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "previous.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(UsageError, match=message):
        load_previous(path)


def test_performance_indexes_are_read_from_the_revision() -> None:
    names = performance_indexes()
    assert "ix_user_interactions_user_id_created_at" in names
    assert "ix_tracks_search_vector" in names and "ix_tracks_high_energy" in names
    assert "ix_tracks_search_document" in names  # its name at the compatible head
    assert "pk_tracks" not in names and len(names) == len(set(names))
