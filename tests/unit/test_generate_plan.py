"""How many rows ``musicdb generate`` plans per table, from the scale and the overrides."""

from __future__ import annotations

from musicdb.workload import generate


def test_plan_counts_follow_the_overrides() -> None:
    one = generate.plan_counts(1)
    assert (one["users"], one["tracks"], one["user_interactions"]) == (10_000, 200_000, 1_000_000)
    assert one["playlist_tracks"] == 1_000_000 and one["artists"] == 20_000
    custom = generate.plan_counts(0.01, users=500, tracks=1000, interactions=7)
    assert custom["users"] == custom["user_music_profiles"] == 500
    assert custom["playlists"] == 2500 and custom["artists"] == 100
    assert custom["user_interactions"] == 7
