"""Synthetic but realistic platform data, generated in Python and loaded with ``COPY``.

Shape of the data (scale 1 = about 10,000 users, 20,000 artists, 40,000 albums, 200,000 tracks,
1,000,000 interactions, 50,000 playlists with 1,000,000 playlist entries; the other tables in
proportion):

- popularity is skewed: tracks, users and artists are drawn by rank through ``n * u**k`` (a
  power law, Zipf-like: the top 1% of tracks get about a third of all plays);
- timestamps spread over the 365 days before ``until`` with a daily rhythm (quiet nights,
  busy evenings);
- JSONB columns hold plausible keys: genres from a fixed vocabulary, ``audio_features`` with
  ``energy`` and ``danceability`` in 0..1, social links, credits, dynamic playlist rules;
- titles, names and descriptions are made of real English words, so full-text search finds them.

Rows are written as COPY text lines (pre-formatted strings, a chunk at a time) on one
connection in one transaction, in foreign-key order; ids are assigned here, after the largest
existing id, so ``append`` adds a self-contained batch and the identity sequences are moved past
it at the end. The same seed (and ``until`` date) gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

from musicdb import db, locks
from musicdb import progress as progress_api
from musicdb.config import DatabaseTarget
from musicdb.errors import MusicdbError, UsageError
from musicdb.migrate.schema import PLATFORM_TABLES
from musicdb.progress import as_progress

if TYPE_CHECKING:
    import psycopg

    from musicdb.render import Report


#: Foreign-key order (parents first): the 20 platform tables in schema.py's dependency order.
#: The generator relies on it: each table's rows use facts (ids, owners, durations, sizes) left
#: by the tables before it.
TABLES: tuple[str, ...] = PLATFORM_TABLES

#: Rows per table at scale 1 (the issue's figures; the rest in proportion).
SCALE_1 = {
    "users": 10_000,
    "artists": 20_000,
    "albums": 40_000,
    "tracks": 200_000,
    "artist_sources": 26_000,
    "album_sources": 48_000,
    "track_sources": 250_000,
    "playlists": 50_000,
    "playlist_tracks": 1_000_000,
    "playlist_collaborators": 15_000,
    "playlist_activities": 200_000,
    "playlist_track_votes": 60_000,
    "playlist_follows": 100_000,
    "user_music_profiles": 10_000,
    "user_library": 200_000,
    "user_interactions": 1_000_000,
    "discovery_sessions": 50_000,
    "discovery_session_tracks": 500_000,
    "user_artist_follows": 100_000,
    "user_album_collections": 100_000,
}

# --- vocabularies ------------------------------------------------------------------------------
def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


#: The broad genres, commonest first (ranks 0..40 of the Zipf-like use below).
BROAD_GENRES = _words(
    "pop rock hip-hop electronic indie r&b jazz classical metal folk country house techno "
    "soul funk reggae blues punk ambient latin k-pop disco trap drum-and-bass dubstep "
    "afrobeats gospel grunge shoegaze synthwave lo-fi trance garage emo ska bossa-nova "
    "flamenco bluegrass zydeco qawwali fado"
)
#: Styles and scenes: a streaming service tags artists with hundreds of (micro) genres.
STYLE_GENRES = tuple(
    g.replace("_", " ")
    for g in _words(
        "indie_rock dream_pop deep_house synth-pop alternative_rock tech_house post-punk "
        "indie_folk neo-soul boom_bap drill uk_garage grime melodic_techno progressive_house "
        "art_pop singer-songwriter americana alt-country trip-hop downtempo reggaeton "
        "dancehall afrobeat amapiano j-pop city_pop hyperpop bedroom_pop cloud_rap "
        "contemporary_r&b electropop indie_pop post-rock prog_rock garage_rock "
        "psychedelic_rock stoner_rock pop_punk hardcore_punk death_metal black_metal "
        "doom_metal thrash_metal nu_metal power_metal metalcore deathcore djent sludge_metal "
        "jazz_fusion bebop smooth_jazz free_jazz acid_house minimal_techno hard_techno "
        "liquid_drum-and-bass neurofunk idm glitch vaporwave chillwave dub roots_reggae "
        "cumbia salsa bachata mpb samba highlife gqom kwaito soukous mbalax rai j-rock "
        "anime c-pop mandopop cantopop bollywood bhangra freak_folk outlaw_country "
        "chamber_pop baroque_pop soundtrack modern_classical minimalism opera choral "
        "new_age lounge big_beat breakbeat hardstyle eurodance italo_disco nu-disco "
        "french_house electro industrial ebm darkwave coldwave gothic_rock emo_rap "
        "math_rock midwest_emo screamo krautrock klezmer polka tango rebetiko cajun "
        "christian_rock worship blues_rock delta_blues chicago_blues funk_rock p-funk "
        "go-go new_jack_swing quiet_storm motown doo-wop rockabilly surf_rock ska_punk "
        "afro_house k-indie trot conscious_hip-hop"
    )
)
#: Regional scenes (``swedish pop``, ``brazilian jazz``, ...).
REGIONAL_GENRES = tuple(
    f"{region} {style}"
    for style in _words("pop indie hip-hop rock jazz techno")
    for region in _words(
        "swedish german french uk brazilian japanese korean nigerian mexican spanish italian "
        "dutch polish australian canadian irish norwegian finnish turkish indian"
    )
)
#: Every genre, in order of how common it is: a genre of rank r is picked with weight
#: 1/(r+1) (Zipf), so the top few are on a large share of artists while a typical genre is
#: on a fraction of a percent of them, as on a real catalogue.
GENRES = BROAD_GENRES + STYLE_GENRES + REGIONAL_GENRES
MOODS = _words("chill happy sad energetic focus party romantic dark dreamy angry calm epic")
WORDS = _words(
    "love night heart fire dream light rain summer midnight shadow ocean river city road "
    "star moon sun gold silver blue red black white wild broken lonely electric neon "
    "paradise forever tonight yesterday tomorrow morning evening winter autumn spring "
    "storm thunder lightning wave tide island desert mountain valley forest garden rose "
    "echo silence whisper scream voice song dance party fever groove rhythm beat bass "
    "drum guitar piano violin orchestra symphony melody harmony chorus anthem ballad "
    "kingdom empire crown throne queen king angel devil ghost spirit soul mind body "
    "eyes hands lips kiss touch feeling memory story letter promise secret lie truth "
    "freedom glory honor pride hope faith grace mercy sorrow tears smile laughter "
    "diamond crystal velvet satin silk leather steel iron stone glass mirror window "
    "door bridge tower castle palace temple church street avenue boulevard highway "
    "train plane rocket satellite planet galaxy universe cosmos comet meteor orbit "
    "runaway wanderer stranger lover dreamer rebel outlaw hero villain saint sinner "
    "sugar honey candy cherry lemon vanilla coffee whiskey wine champagne smoke ashes "
    "flame ember spark glow shine shimmer sparkle dazzle blaze burn freeze melt fade "
    "falling rising running flying dancing singing crying waiting chasing hiding "
    "paradox mystery riddle puzzle labyrinth maze horizon sunset sunrise daylight "
    "twilight dawn dusk eclipse aurora rainbow cloud sky heaven hell limbo purgatory "
    "tiger lion wolf eagle raven dove butterfly dragon phoenix serpent horse panther"
)
FIRST_NAMES = _words(
    "Ava Liam Mia Noah Zoe Omar Lena Ivan Nora Kai Ella Leo Maya Finn Iris Theo Lola Hugo "
    "Ines Axel Sofia Luca Emma Jonas Clara Felix Yara Marco Nina Oscar Alma Rafael Hana Eli"
)
LAST_NAMES = _words(
    "Stone Rivers Hart Vale Cross Woods Frost Blake Knight Moreau Novak Silva Tanaka Berg "
    "Okafor Rossi Dubois Larsen Costa Meyer Kowalski Haddad Nakamura Fischer Quinn Reyes"
)
LABELS = tuple(
    f"{w.title()} {s}"
    for w, s in zip(
        _words("echo velvet iron neon paradise horizon crystal ember raven aurora"),
        _words("Records Music Sound Recordings Audio Records Music Sound Records Collective"),
        strict=True,
    )
)
COUNTRIES = _words("US GB DE FR SE NO NL ES IT BR MX JP KR NG ZA AU CA IE PL PT")
DEVICES = ("mobile", "mobile", "mobile", "desktop", "desktop", "web", "tablet", "smart_speaker")
CONTEXTS = ("playlist", "playlist", "album", "artist", "search", "radio", "library")
SKIP_REASONS = ("not_interested", "heard_too_often", "wrong_mood", "bad_quality")
SESSION_TYPES = ("radio", "daily_mix", "genre", "artist", "mood", "new_releases")
PLAYLIST_WORDS = ("Mix", "Vibes", "Hits", "Sessions", "Essentials")
ACTIVITY_TYPES = ("track_added", "track_added", "track_added", "track_removed", "reordered",
                  "renamed", "description_changed")  # fmt: skip
# interaction types in proportion (per 100 events)
INTERACTION_MIX = (
    ["play"] * 70
    + ["skip"] * 15
    + ["like"] * 7
    + ["add_to_playlist"] * 3
    + ["share"] * 2
    + ["dislike"] * 2
    + ["remove_from_playlist"]
)
# relative activity per hour of the day (UTC): quiet nights, commute, evening peak
HOURLY = (2, 1, 1, 1, 1, 2, 4, 7, 9, 8, 7, 7, 8, 8, 7, 7, 8, 9, 11, 13, 14, 13, 9, 5)
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_MIX64 = 0x9E3779B97F4A7C15  # odd: multiplication mod 2**64 is a bijection (unique ids)
_MASK64 = (1 << 64) - 1

CHUNK_ROWS = 5_000
#: Share of a user's library marked favourite.
FAVOURITE_SHARE = 0.03
#: Library sizes: one user in this many is a collector ("power user") ...
POWER_USER_EVERY = 100
#: ... whose library size is Pareto-distributed with this shape (a power-law tail) ...
POWER_LIBRARY_ALPHA = 1.5
#: ... holding together this share of all library rows; the rest are casual listeners whose
#: sizes spread exponentially (most keep a few, some a few dozen) ...
POWER_LIBRARY_SHARE = 0.5
#: ... and no library is longer than this (the cap streaming services long kept).
MAX_LIBRARY = 10_000
GENRE_POOL = 1 << 16


def _base62(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, rem = divmod(value, 62)
        chars.append(BASE62[rem])
    return "".join(chars)


def external_id(kind: int, local_id: int, width: int = 22) -> str:
    """A random-looking but unique (per kind) external id for a local id: base62 of a bijective
    scramble of the id (11 characters hold 64 bits), padded with more scrambled characters."""
    head = _base62(((local_id * _MIX64) ^ (kind << 56)) & _MASK64, 11)
    if width <= 11:
        return head[:width]
    tail = _base62((local_id * 0xD6E8FEB86659FD93 + kind) & _MASK64, 11)
    return (head + tail)[:width]


def _json_list(items: Any) -> str:
    return '["' + '", "'.join(items) + '"]' if items else "[]"


# --- plan ----------------------------------------------------------------------------------------
def plan_counts(
    scale: float,
    *,
    users: int | None = None,
    tracks: int | None = None,
    interactions: int | None = None,
) -> dict[str, int]:
    """Rows per table for *scale*; ``users``/``tracks``/``interactions`` override and pull the
    tables that depend on them along (artists and albums follow tracks; playlists, libraries,
    sessions and follows follow users)."""
    if scale < 0 or not math.isfinite(scale):
        raise UsageError(f"--scale must be a positive number, not {scale}")
    for name, value in (("users", users), ("tracks", tracks), ("interactions", interactions)):
        if value is not None and value < 0:
            raise UsageError(f"--{name} must not be negative")
    u = users if users is not None else round(SCALE_1["users"] * scale)
    t = tracks if tracks is not None else round(SCALE_1["tracks"] * scale)
    if u < 1 or t < 1:
        raise UsageError("the plan needs at least one user and one track (raise --scale)")
    user_factor = u / SCALE_1["users"]
    track_factor = t / SCALE_1["tracks"]
    counts: dict[str, int] = {}
    for table, base in SCALE_1.items():
        if table in ("artists", "albums", "artist_sources", "album_sources", "track_sources"):
            factor = track_factor
        else:
            factor = user_factor
        counts[table] = max(1, round(base * factor))
    counts["users"] = u
    counts["user_music_profiles"] = u
    counts["tracks"] = t
    counts["user_interactions"] = (
        interactions
        if interactions is not None
        else round(SCALE_1["user_interactions"] * scale)
    )
    return counts


@dataclass
class TableLoad:
    table: str
    rows: int
    #: generating and copying the rows (the two overlap)
    seconds: float
    #: rebuilding the table's indexes and validating its foreign keys (bulk load only)
    index_seconds: float = 0.0

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass
class GenerateResult:
    """What a run loaded, and how fast."""

    database: str
    seed: int
    until: dt.date
    append: bool
    tables: list[TableLoad] = field(default_factory=list)
    load_seconds: float = 0.0
    index_seconds: float = 0.0
    analyze_seconds: float = 0.0
    refresh_seconds: float = 0.0
    total_seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def load_rows_per_s(self) -> float:
        return self.rows / self.load_seconds if self.load_seconds > 0 else 0.0

    @property
    def overall_rows_per_s(self) -> float:
        return self.rows / self.total_seconds if self.total_seconds > 0 else 0.0

    def report(self) -> Report:
        from musicdb.render import Column, Report

        rows: list[dict[str, Any]] = [
            {"table": t.table, "rows": t.rows, "seconds": t.seconds, "rows_per_s": t.rows_per_s,
             "index_seconds": t.index_seconds}
            for t in self.tables
        ]
        rows.append(
            {"table": "(load, all tables)", "rows": self.rows, "seconds": self.load_seconds,
             "rows_per_s": self.load_rows_per_s, "index_seconds": self.index_seconds}
        )  # fmt: skip
        rows.append(
            {"table": "(overall, with ANALYZE and view refresh)", "rows": self.rows,
             "seconds": self.total_seconds, "rows_per_s": self.overall_rows_per_s,
             "index_seconds": self.index_seconds}
        )  # fmt: skip
        return Report(
            name="generate",
            title=f"Generated data in {self.database}",
            columns=[
                Column("table", "table"),
                Column("rows", "rows", "count"),
                Column("seconds", "seconds", "number"),
                Column("rows_per_s", "rows/s", "count"),
                Column("index_seconds", "index/FK seconds", "number"),
            ],
            rows=rows,
            notes=[
                f"seed {self.seed}, timestamps over the 365 days before {self.until}",
                f"indexes and foreign keys {self.index_seconds:.2f} s, ANALYZE "
                f"{self.analyze_seconds:.2f} s, view refresh {self.refresh_seconds:.2f} s",
            ],
            meta={
                "seed": self.seed,
                "until": self.until.isoformat(),
                "append": self.append,
                "rows": self.rows,
                "load_seconds": self.load_seconds,
                "index_seconds": self.index_seconds,
                "analyze_seconds": self.analyze_seconds,
                "refresh_seconds": self.refresh_seconds,
                "total_seconds": self.total_seconds,
                "load_rows_per_s": self.load_rows_per_s,
                "overall_rows_per_s": self.overall_rows_per_s,
            },
        )


Progress = progress_api.Progress  # the library's one progress interface


# --- the generator -------------------------------------------------------------------------------
Chunks = Iterator[tuple[str, int]]
Lines = Iterator[str]


def _chunks(lines: Lines, size: int = 0) -> Chunks:
    """COPY text chunks of *size* lines (default :data:`CHUNK_ROWS`): (text, row count)."""
    size = size or CHUNK_ROWS
    while batch := list(islice(lines, size)):
        yield "".join(batch), len(batch)


class _Generator:
    """Row generators for every table; shared facts (ids, durations, owners) live on self."""

    def __init__(self, counts: dict[str, int], offsets: dict[str, int], seed: int,
                 until: dt.date) -> None:  # fmt: skip
        self.n = counts
        self.off = offsets
        # the offsets are part of the seed, so appending twice with one seed differs
        self.rng = random.Random(f"{seed}:{sorted(offsets.items())}")
        end = dt.datetime.combine(until, dt.time(), tzinfo=dt.UTC)
        start = end - dt.timedelta(days=365)
        # "YYYY-MM-DD HH:" for every hour of the year, and "MM:SS+00" for every second of an hour
        self.hour_prefix = [
            (start + dt.timedelta(hours=h)).strftime("%Y-%m-%d %H:") for h in range(365 * 24)
        ]
        self.mmss = [f"{m:02d}:{s:02d}+00" for m in range(60) for s in range(60)]
        self.days = [(start + dt.timedelta(days=d)).date().isoformat() for d in range(365)]
        # 1000 hours of the day drawn by HOURLY weights: index with int(random() * 1000)
        self.hour_pick = self.rng.choices(range(24), weights=HOURLY, k=1000)
        words = list(WORDS)
        self.rng.shuffle(words)
        # word frequency falls with rank, but not so steeply that one word is in most titles
        self.word_pick = [words[min(len(words) - 1, int(len(words) * self.rng.random() ** 1.6))]
                          for _ in range(4096)]  # fmt: skip
        # Zipf over the genre vocabulary; a pool big enough that the rarest genres occur
        self.genre_pick = self.rng.choices(
            GENRES, weights=[1.0 / (r + 1) for r in range(len(GENRES))], k=GENRE_POOL
        )
        self.uuids_made = 0

    # -- small helpers
    def ts(self, day_min: int = 0) -> tuple[int, str]:
        """A timestamp (hour index, text) on or after day *day_min*, with the daily rhythm."""
        rnd = self.rng.random
        day = day_min + int((365 - day_min) * rnd())
        hour = day * 24 + self.hour_pick[int(rnd() * 1000)]
        return hour, self.hour_prefix[hour] + self.mmss[int(rnd() * 3600)]

    def ts_after(self, hour: int) -> tuple[int, str]:
        """A timestamp at or after hour index *hour* (later the same year)."""
        rnd = self.rng.random
        h = hour + int((365 * 24 - hour) * rnd() ** 2)
        h = min(h, 365 * 24 - 1)
        return h, self.hour_prefix[h] + self.mmss[int(rnd() * 3600)]

    def uuid(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    def title(self, lo: int = 1, hi: int = 4) -> str:
        rnd = self.rng.random
        pick = self.word_pick
        k = lo + int((hi - lo + 1) * rnd())
        return " ".join(pick[int(rnd() * 4096)] for _ in range(k)).title()

    def genres(self, lo: int, hi: int) -> list[str]:
        rnd = self.rng.random
        k = lo + int((hi - lo + 1) * rnd())
        out: list[str] = []
        for _ in range(k):
            g = self.genre_pick[int(rnd() * GENRE_POOL)]
            if g not in out:
                out.append(g)
        return out

    def person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def skewed(self, n: int, power: float) -> int:
        """A rank in 0..n-1, low ranks far more likely (density ~ x**(1/power - 1))."""
        return min(n - 1, int(n * self.rng.random() ** power))

    def per_parent(self, parents: int, total: int, lo: int = 1) -> list[int]:
        """Children per parent summing to about *total*, exponentially spread (heavy users)."""
        if parents <= 0:
            return []
        mean = total / parents
        rnd = self.rng.random
        extra = max(0.0, mean - lo)
        return [lo + int(-extra * math.log(1.0 - rnd())) for _ in range(parents)]

    def library_sizes(self, users: int, total: int) -> list[int]:
        """Library size per user, summing to about *total*: a casual majority with exponentially
        spread sizes, and one user in POWER_USER_EVERY (at least one) a collector. Collectors'
        sizes follow a Pareto law (drawn stratified, one draw per 1/n_power of the probability,
        so a handful of collectors still spans the tail) scaled so that together they hold
        POWER_LIBRARY_SHARE of the rows at every scale; capped at MAX_LIBRARY and at half the
        catalogue."""
        if users <= 0:
            return []
        rnd = self.rng.random
        n_power = min(users, max(1, round(users / POWER_USER_EVERY)))
        cap = max(1, min(MAX_LIBRARY, self.n["tracks"] // 2))
        shape = [((i + rnd()) / n_power) ** (-1.0 / POWER_LIBRARY_ALPHA) for i in range(n_power)]
        unit = POWER_LIBRARY_SHARE * total / sum(shape)
        power = [max(1, min(cap, int(unit * z))) for z in shape]
        casual = self.per_parent(users - n_power, max(0, total - sum(power)), lo=1)
        sizes = casual + power
        self.rng.shuffle(sizes)  # collectors are not the newest or the oldest accounts
        return sizes

    # -- tables
    def users(self) -> Lines:
        n, off, rnd = self.n["users"], self.off["users"], self.rng.random
        self.user_hour = []
        for i in range(1, n + 1):
            uid = off + i
            hour, created = self.ts()
            self.user_hour.append(hour)
            last = self.ts_after(hour)[1] if rnd() < 0.9 else "\\N"
            lang = "en" if rnd() < 0.7 else ("de", "fr", "es", "ja", "pt")[int(rnd() * 5)]
            salt, digest = self.rng.getrandbits(64), self.rng.getrandbits(256)
            pw = f"pbkdf2:sha256:600000${salt:016x}${digest:064x}"
            active = "t" if rnd() < 0.97 else "f"
            admin = "t" if uid % 997 == 0 else "f"
            yield (
                f"{uid}\tuser{uid}\tuser{uid}@example.com\t{pw}\t{active}\t{admin}\t{created}\t"
                f"{last}\t{lang}\n"
            )

    USERS_COLUMNS = ("id username email password_hash is_active is_admin created_at last_login "
                     "default_language")  # fmt: skip

    ARTISTS_COLUMNS = ("id name sort_name musicbrainz_id spotify_id bio country formed_year "
                       "disbanded_year image_url genres aliases members social_links popularity "
                       "follower_count monthly_listeners is_verified created_at "
                       "updated_at")  # fmt: skip

    def artists(self) -> Lines:
        n, off, rng = self.n["artists"], self.off["artists"], self.rng
        rnd = rng.random
        self.artist_genres: list[list[str]] = []
        for i in range(1, n + 1):
            aid = off + i
            r = rnd()
            if r < 0.45:
                name = f"The {self.title(1, 2)}"
                sort_name = name[4:] + ", The"
                members = _json_list([self.person() for _ in range(2 + int(rnd() * 3))])
            elif r < 0.8:
                name = self.person()
                first, last = name.split(" ", 1)
                sort_name = f"{last}, {first}"
                members = "[]"
            else:
                name = self.title(1, 3)
                sort_name = name
                members = "[]"
            genres = self.genres(1, 3)
            self.artist_genres.append(genres)
            popularity = 100.0 * (1.0 - rnd() ** 0.35)
            followers = int(10 ** (1 + 5 * rnd() ** 2.5))
            formed = 1960 + int(64 * rnd())
            disbanded = formed + 1 + int(10 * rnd()) if rnd() < 0.1 else "\\N"
            country = COUNTRIES[int(rnd() * len(COUNTRIES))]
            bio = (f"{name} is a {' and '.join(genres)} act from {country}, known for "
                   f"{self.title(2, 3).lower()} and {self.title(1, 2).lower()}.")  # fmt: skip
            aliases = _json_list([self.title(1, 2)]) if rnd() < 0.1 else "[]"
            slug = f"artist{aid}"
            links = (f'{{"instagram": "https://instagram.com/{slug}", '
                     f'"website": "https://{slug}.example.org"}}')  # fmt: skip
            if rnd() < 0.5:
                links = links[:-1] + f', "twitter": "https://twitter.com/{slug}"}}'
            hour, created = self.ts()
            updated = self.ts_after(hour)[1]
            verified = "t" if popularity > 60 else "f"
            yield (
                f"{aid}\t{name}\t{sort_name}\t{self.uuid()}\t{external_id(1, aid)}\t{bio}\t"
                f"{country}\t{formed}\t{disbanded}\thttps://img.example.org/a/{aid}.jpg\t"
                f"{_json_list(genres)}\t{aliases}\t{members}\t{links}\t{popularity:.3f}\t"
                f"{followers}\t{followers * 3 + int(rnd() * 1000)}\t{verified}\t{created}\t"
                f"{updated}\n"
            )

    ALBUMS_COLUMNS = ("id title upc musicbrainz_id album_type release_date release_precision "
                      "cover_url label total_tracks genres moods credits popularity rating "
                      "rating_count is_remaster artist_id created_at updated_at")  # fmt: skip

    def albums(self) -> Lines:
        n, off, rnd = self.n["albums"], self.off["albums"], self.rng.random
        n_artists = self.n["artists"]
        self.album_artist: list[int] = []
        per_album = max(1, self.n["tracks"] // max(1, n))
        for i in range(1, n + 1):
            alid = off + i
            a_rank = self.skewed(n_artists, 1.3)
            self.album_artist.append(a_rank)
            artist_id = self.off["artists"] + 1 + a_rank
            kind = ("album", "album", "album", "single", "ep", "compilation")[int(rnd() * 6)]
            day = self.days[int(rnd() * 365)]
            year = 1965 + int(60 * rnd())
            release = f"{year}{day[4:]}" if day[5:] != "02-29" else f"{year}-02-28"
            genres = self.artist_genres[a_rank][:2] or self.genres(1, 1)
            moods = _json_list([MOODS[int(rnd() * len(MOODS))]])
            credits = (f'{{"producer": "{self.person()}", "engineer": "{self.person()}", '
                       f'"studio": "{self.title(1, 1)} Studio"}}')  # fmt: skip
            popularity = 100.0 * (1.0 - rnd() ** 0.4)
            rating = f"{1 + 4 * rnd():.2f}" if rnd() < 0.6 else "\\N"
            rating_count = int(rnd() * 5000) if rating != "\\N" else 0
            hour, created = self.ts()
            yield (
                f"{alid}\t{self.title(1, 3)}\t{self.rng.getrandbits(39):012d}\t{self.uuid()}\t"
                f"{kind}\t{release}\tday\thttps://img.example.org/al/{alid}.jpg\t"
                f"{LABELS[int(rnd() * len(LABELS))]}\t{per_album}\t{_json_list(genres)}\t"
                f"{moods}\t{credits}\t{popularity:.3f}\t{rating}\t{rating_count}\t"
                f"{'t' if rnd() < 0.05 else 'f'}\t{artist_id}\t{created}\t"
                f"{self.ts_after(hour)[1]}\n"
            )

    TRACKS_COLUMNS = ("id title duration_ms isrc audio_features artist_id album_id explicit "
                      "popularity preview_url lyrics created_at updated_at "
                      "last_analyzed")  # fmt: skip

    def tracks(self) -> Lines:
        n, off, rnd = self.n["tracks"], self.off["tracks"], self.rng.random
        n_albums = max(1, self.n["albums"])
        # popularity rank -> track index (so popular tracks are not simply the first ids)
        order = list(range(n))
        self.rng.shuffle(order)
        self.track_by_rank = order
        rank_of = [0] * n
        for rank, idx in enumerate(order):
            rank_of[idx] = rank
        self.track_duration: list[int] = []
        self.track_artist: list[int] = []
        artists_off = self.off["artists"] + 1
        albums_off = self.off["albums"] + 1
        f3 = [f"{k / 1000:.3f}" for k in range(1001)]
        for i in range(n):
            tid = off + i + 1
            album = i * n_albums // n
            artist_id = artists_off + self.album_artist[album]
            self.track_artist.append(artist_id)
            duration = 90_000 + int(270_000 * (rnd() + rnd()) / 2) + int(rnd() * 1000)
            self.track_duration.append(duration)
            # energy and danceability: triangular on 0..1 (8% above 0.8, 18% above 0.7)
            features = (
                f'{{"bpm": {60 + int(rnd() * 120)}, "key": {int(rnd() * 12)}, '
                f'"mode": {int(rnd() * 2)}, "energy": {f3[int((rnd() + rnd()) * 500)]}, '
                f'"danceability": {f3[int((rnd() + rnd()) * 500)]}, '
                f'"valence": {f3[int(rnd() * 1000)]}, "loudness": -{f3[int(rnd() * 1000)]}, '
                f'"acousticness": {f3[int(rnd() ** 2 * 1000)]}}}'
            )
            popularity = 100.0 * (1.0 - rank_of[i] / n) ** 3
            hour, created = self.ts()
            lyrics = f"{self.title(4, 8).lower()}" if rnd() < 0.1 else "\\N"
            yield (
                f"{tid}\t{self.title()}\t{duration}\tQZ{self.rng.getrandbits(33):010d}\t"
                f"{features}\t{artist_id}\t{albums_off + album}\t"
                f"{'t' if rnd() < 0.12 else 'f'}\t{popularity:.4f}\t"
                f"https://cdn.example.org/p/{tid}.mp3\t{lyrics}\t{created}\t"
                f"{self.ts_after(hour)[1]}\t{self.ts_after(hour)[1]}\n"
            )

    def track_id(self, power: float = 4.0) -> int:
        """A track id drawn by popularity (Zipf-like)."""
        n = self.n["tracks"]
        rank = min(n - 1, int(n * self.rng.random() ** power))
        return self.off["tracks"] + 1 + self.track_by_rank[rank]

    def user_id(self, power: float = 2.0) -> int:
        n = self.n["users"]
        return self.off["users"] + 1 + min(n - 1, int(n * self.rng.random() ** power))

    SOURCES_COLUMNS = {
        "artist_sources": "id artist_id source_type source_id source_uri is_primary last_synced "
        "created_at updated_at",
        "album_sources": "id album_id source_type source_id source_uri is_primary is_available "
        "last_synced created_at updated_at",
        "track_sources": "id track_id source_type source_id source_uri is_available "
        "geo_restrictions audio_quality last_synced created_at updated_at",
    }

    def sources(self, table: str) -> Lines:
        parent = table.split("_", 1)[0] + "s"
        n_parent, target = self.n[parent], self.n[table]
        rnd = self.rng.random
        second_share = max(0.0, target / max(1, n_parent) - 1.0)
        sid = self.off[table]
        kind = TABLES.index(table) * 4
        for i in range(1, n_parent + 1):
            if sid - self.off[table] >= target:
                break
            pid = self.off[parent] + i
            hour, created = self.ts()
            synced = self.ts_after(hour)[1]
            entries = [("spotify", external_id(kind, pid), f"spotify:{parent[:-1]}:")]
            if rnd() < second_share:
                if table == "track_sources":
                    entries.append(("youtube", external_id(kind + 1, pid, 11), "https://youtu.be/"))
                else:
                    entries.append(("musicbrainz", self.uuid(), "https://musicbrainz.org/x/"))
            for j, (stype, ext, prefix) in enumerate(entries):
                sid += 1
                uri = prefix + ext
                if table == "artist_sources":
                    extra = f"{'t' if j == 0 else 'f'}"
                elif table == "album_sources":
                    extra = f"{'t' if j == 0 else 'f'}\t{'t' if rnd() < 0.97 else 'f'}"
                else:
                    geo = '{"blocked": ["KP", "IR"]}' if rnd() < 0.05 else "\\N"
                    quality = ("low", "normal", "high", "very_high")[int(rnd() * 4)]
                    extra = f"{'t' if rnd() < 0.95 else 'f'}\t{geo}\t{quality}"
                yield (f"{sid}\t{pid}\t{stype}\t{ext}\t{uri}\t{extra}\t{synced}\t"
                             f"{created}\t{synced}\n")  # fmt: skip

    PLAYLISTS_COLUMNS = ("id uuid name owner_id is_public is_collaborative folder_type "
                         "description tags is_dynamic dynamic_rules collaboration_mode "
                         "voting_enabled share_token play_count like_count share_count "
                         "total_duration_ms version last_modified_by created_at updated_at "
                         "last_played_at")  # fmt: skip

    def playlists(self) -> Lines:
        n, off, rnd = self.n["playlists"], self.off["playlists"], self.rng.random
        mean_tracks = self.n["playlist_tracks"] / max(1, n)
        self.pl_owner: list[int] = []
        self.pl_size: list[int] = []
        self.pl_hour: list[int] = []
        self.pl_collab: list[bool] = []
        self.pl_voting: list[bool] = []
        self.pl_public: list[bool] = []
        for i in range(1, n + 1):
            pid = off + i
            owner = self.user_id(1.5)
            folder = rnd() < 0.02
            dynamic = not folder and rnd() < 0.05
            public = rnd() < 0.6
            collab = not folder and rnd() < 0.1
            voting = collab and rnd() < 0.5
            size = 0 if folder else 1 + int(2 * (mean_tracks - 1) * rnd())
            self.pl_owner.append(owner)
            self.pl_size.append(size)
            self.pl_collab.append(collab)
            self.pl_voting.append(voting)
            self.pl_public.append(public)
            genres = self.genres(0, 2)
            mood = MOODS[int(rnd() * len(MOODS))]
            name = f"{self.title(1, 2)} {PLAYLIST_WORDS[int(rnd() * 5)]}"
            desc = (f"{mood.title()} {' and '.join(genres) or 'eclectic'} tracks "
                    f"for {self.title(1, 2).lower()} and {self.title(1, 1).lower()}")  # fmt: skip
            tags = _json_list([*genres, mood])
            rules = (f'{{"genre": "{(genres or ["pop"])[0]}", "min_energy": {rnd():.2f}, '
                     f'"max_tracks": 50}}') if dynamic else "\\N"  # fmt: skip
            shared = public and rnd() < 0.4
            token = f"{(pid * _MIX64) & _MASK64:016x}{pid:016x}" if shared else "\\N"
            hour, created = self.ts()
            self.pl_hour.append(hour)
            plays = int(10 ** (4 * rnd() ** 3))
            yield (
                f"{pid}\t{self.uuid()}\t{name}\t{owner}\t{'t' if public else 'f'}\t"
                f"{'t' if collab else 'f'}\t{'t' if folder else 'f'}\t{desc}\t{tags}\t"
                f"{'t' if dynamic else 'f'}\t{rules}\t{'voting' if voting else 'open'}\t"
                f"{'t' if voting else 'f'}\t{token}\t{plays}\t{plays // 20}\t{plays // 100}\t"
                f"{size * 210_000}\t{1 + size // 5}\t{owner}\t{created}\t"
                f"{self.ts_after(hour)[1]}\t{self.ts_after(hour)[1]}\n"
            )

    def playlist_tracks(self) -> Lines:
        rnd = self.rng.random
        pt_id = self.off["playlist_tracks"]
        self.pl_first_pt: list[int] = []
        n_tracks = self.n["tracks"]
        track_str = [str(self.off["tracks"] + 1 + t) for t in self.track_by_rank]  # by rank
        hour_prefix, mmss = self.hour_prefix, self.mmss
        last_hour = 365 * 24 - 1
        for i, size in enumerate(self.pl_size):
            pid = self.off["playlists"] + i + 1
            owner = self.pl_owner[i]
            self.pl_first_pt.append(pt_id + 1)
            hour = self.pl_hour[i]
            collab = self.pl_collab[i]
            for pos in range(1, size + 1):
                pt_id += 1
                added_by = owner if not collab or rnd() < 0.5 else self.user_id()
                h = min(last_hour, hour + int(rnd() * 200))
                yield (
                    f"{pt_id}\t{pid}\t{track_str[int(n_tracks * rnd() ** 3)]}\t{pos}\t{added_by}\t"
                    f"{hour_prefix[h]}{mmss[int(rnd() * 3600)]}\n"
                )

    def playlist_collaborators(self) -> Lines:
        rnd = self.rng.random
        cid = self.off["playlist_collaborators"]
        collab_pls = [i for i, c in enumerate(self.pl_collab) if c]
        per = self.per_parent(len(collab_pls), self.n["playlist_collaborators"])
        self.pl_collaborators: dict[int, list[int]] = {}
        for i, k in zip(collab_pls, per, strict=True):
            pid = self.off["playlists"] + i + 1
            owner = self.pl_owner[i]
            chosen: list[int] = []
            for _ in range(k * 3):
                if len(chosen) >= k:
                    break
                u = self.user_id()
                if u != owner and u not in chosen:
                    chosen.append(u)
            self.pl_collaborators[i] = chosen
            for u in chosen:
                cid += 1
                hour, invited = self.ts_after(self.pl_hour[i])
                status = "accepted" if rnd() < 0.8 else "pending"
                joined = self.ts_after(hour)[1] if status == "accepted" else "\\N"
                yield (f"{cid}\t{pid}\t{u}\t{owner}\t{status}\t{int(rnd() * 20)}\t"
                             f"{invited}\t{joined}\n")  # fmt: skip

    def playlist_activities(self) -> Lines:
        rnd = self.rng.random
        aid = self.off["playlist_activities"]
        per = self.per_parent(len(self.pl_size), self.n["playlist_activities"])
        for i, k in enumerate(per):
            pid = self.off["playlists"] + i + 1
            owner = self.pl_owner[i]
            hour = self.pl_hour[i]
            version = 1
            for j in range(k):
                aid += 1
                if j == 0:
                    kind, data = "created", f'{{"name_length": {int(rnd() * 30) + 3}}}'
                else:
                    kind = ACTIVITY_TYPES[int(rnd() * len(ACTIVITY_TYPES))]
                    data = f'{{"track_id": {self.track_id()}, "position": {int(rnd() * 50) + 1}}}'
                    hour = min(365 * 24 - 1, hour + int(rnd() * 100))
                    version += 1
                when = self.hour_prefix[hour] + self.mmss[int(rnd() * 3600)]
                yield (f"{aid}\t{pid}\t{owner}\t{kind}\t{data}\t{version}\t{when}\n")

    def playlist_track_votes(self) -> Lines:
        rnd = self.rng.random
        vid = self.off["playlist_track_votes"]
        voting = [i for i, v in enumerate(self.pl_voting) if v and self.pl_size[i]]
        entries = sum(self.pl_size[i] for i in voting)
        mean = self.n["playlist_track_votes"] / max(1, entries)
        for i in voting:
            voters = [self.pl_owner[i], *self.pl_collaborators.get(i, [])]
            first = self.pl_first_pt[i]
            for j in range(self.pl_size[i]):
                k = min(len(voters), int(2 * mean * rnd() + 0.5))
                for u in self.rng.sample(voters, k):
                    vid += 1
                    vote = 1 if rnd() < 0.8 else -1
                    yield (f"{vid}\t{first + j}\t{u}\t{vote}\t{self.ts()[1]}\n")

    def _pairs(self, table: str, n_targets: int, target_off: int, power: float,
               extra: Callable[[], str]) -> Lines:  # fmt: skip
        """(user, target) rows, distinct per user, targets drawn by rank (skewed)."""
        rid = self.off[table]
        per = self.per_parent(self.n["users"], self.n[table], lo=0)
        rnd = self.rng.random
        for u_idx, wanted in enumerate(per):
            uid = self.off["users"] + u_idx + 1
            k = min(wanted, n_targets)
            seen: set[int] = set()
            tries = 0
            while len(seen) < k and tries < 4 * k:
                tries += 1
                seen.add(target_off + 1 + min(n_targets - 1, int(n_targets * rnd() ** power)))
            for t in seen:
                rid += 1
                yield (f"{rid}\t{uid}\t{t}\t{extra()}\n")

    def playlist_follows(self) -> Lines:
        rnd = self.rng.random

        def extra() -> str:
            return f"{self.ts()[1]}\t{'t' if rnd() < 0.7 else 'f'}"

        return self._pairs("playlist_follows", self.n["playlists"], self.off["playlists"], 2.0,
                           extra)  # fmt: skip

    def user_artist_follows(self) -> Lines:
        rnd = self.rng.random
        sources = ("search", "recommendation", "track_page", "import")

        def extra() -> str:
            return f"{self.ts()[1]}\t{sources[int(rnd() * 4)]}"

        return self._pairs("user_artist_follows", self.n["artists"], self.off["artists"], 2.0,
                           extra)  # fmt: skip

    def user_album_collections(self) -> Lines:
        rnd = self.rng.random

        def extra() -> str:
            return f"{self.ts()[1]}\t{int(rnd() * 40)}"

        return self._pairs("user_album_collections", self.n["albums"], self.off["albums"], 2.0,
                           extra)  # fmt: skip

    def user_library(self) -> Lines:
        rnd = self.rng.random
        lid = self.off["user_library"]
        # most users keep a few tracks, collectors hundreds to thousands (library_sizes); a few
        # percent of a library is marked favourite. Q8's index is ordered by added_at, so the
        # busiest user's favourites cost no more than its LIMIT (benchmarks/bench.md).
        per = self.library_sizes(self.n["users"], self.n["user_library"])
        for u_idx, wanted in enumerate(per):
            uid = self.off["users"] + u_idx + 1
            k = min(wanted, self.n["tracks"])
            seen: set[int] = set()
            tries = 0
            while len(seen) < k and tries < 4 * k:
                tries += 1
                seen.add(self.track_id(3.0))
            hour0 = self.user_hour[u_idx]
            for t in seen:
                lid += 1
                hour, added = self.ts_after(hour0)
                rating = str(1 + int(rnd() * 5)) if rnd() < 0.3 else "\\N"
                plays = int(rnd() ** 2 * 200)
                fav = "t" if rnd() < FAVOURITE_SHARE else "f"
                tags = '["workout"]' if rnd() < 0.05 else "[]"
                yield (
                    f"{lid}\t{uid}\t{t}\t{added}\t{tags}\t{rating}\t{plays}\t{int(rnd() * 10)}\t"
                    f"{self.ts_after(hour)[1]}\t{plays * 180_000}\t{fav}\n"
                )

    def user_music_profiles(self) -> Lines:
        rnd = self.rng.random
        off = self.off["user_music_profiles"]
        for u_idx in range(self.n["users"]):
            uid = self.off["users"] + u_idx + 1
            fav = self.genres(1, 4)
            dis = [g for g in self.genres(0, 2) if g not in fav]
            decades = _json_list([f"{1960 + 10 * int(rnd() * 7)}s"])
            moods = f'{{"{MOODS[int(rnd() * len(MOODS))]}": {rnd():.2f}}}'
            played = int(rnd() ** 2 * 5000)
            yield (
                f"{off + u_idx + 1}\t{uid}\t{_json_list(fav)}\t{_json_list(dis)}\t{decades}\t"
                f"{rnd():.3f}\t{moods}\t{played * 200_000}\t{played}\t{played // 3}\t"
                f"{played // 10}\t{rnd():.3f}\t{rnd():.3f}\n"
            )

    def user_interactions(self) -> Lines:
        # The biggest table: everything that can be is a lookup into pre-formatted strings.
        rng = self.rng
        rnd = rng.random
        n = self.n["user_interactions"]
        off = self.off["user_interactions"]
        n_users, users_off = self.n["users"], self.off["users"] + 1
        n_tracks, tracks_off = self.n["tracks"], self.off["tracks"] + 1
        user_str = [str(users_off + i) for i in range(n_users)]
        track_str = [str(tracks_off + i) for i in range(n_tracks)]
        by_rank = self.track_by_rank
        durations = self.track_duration
        dur_str = [str(d) for d in durations]
        hour_prefix, mmss, hour_pick = self.hour_prefix, self.mmss, self.hour_pick
        pct = [f"{c / 10:.1f}" for c in range(1001)]  # completion in permille -> "%.1f" percent
        mix = INTERACTION_MIX
        n_mix = len(mix)
        # context and device/session pools (4096 each): a random pick is one lookup
        n_pl, pl_off = self.n["playlists"], self.off["playlists"] + 1
        contexts = []
        for _ in range(4096):
            r = rnd()
            if r < 0.5:
                contexts.append(f"playlist\t{pl_off + int(rnd() * n_pl)}")
            elif r < 0.9:
                contexts.append(f"{CONTEXTS[2 + int(rnd() * 5)]}\t\\N")
            else:
                contexts.append("\\N\t\\N")
        sessions = [self.uuid() for _ in range(max(1, min(n // 20, 50_000)))]
        tails = [f"{DEVICES[int(rnd() * 8)]}\t{sessions[int(rnd() * len(sessions))]}"
                 for _ in range(4096)]  # fmt: skip
        reasons = SKIP_REASONS
        for i in range(off + 1, off + n + 1):
            t_idx = by_rank[int(n_tracks * rnd() ** 4)]
            kind = mix[int(rnd() * n_mix)]
            if kind == "play":
                c = 500 + int(rnd() * 501)
                play = (f"play\t{contexts[int(rnd() * 4096)]}\t{durations[t_idx] * c // 1000}\t"
                        f"{dur_str[t_idx]}\t{pct[c]}\t\\N\t\\N")  # fmt: skip
            elif kind == "skip":
                c = int(rnd() * 300)
                pos = durations[t_idx] * c // 1000
                play = (f"skip\t{contexts[int(rnd() * 4096)]}\t{pos}\t{dur_str[t_idx]}\t"
                        f"{pct[c]}\t{pos}\t{reasons[c & 3]}")  # fmt: skip
            else:
                play = f"{kind}\t{contexts[int(rnd() * 4096)]}\t\\N\t\\N\t\\N\t\\N\t\\N"
            yield (
                f"{i}\t{user_str[int(n_users * rnd() ** 2)]}\t{track_str[t_idx]}\t{play}\t"
                f"{tails[int(rnd() * 4096)]}\t"
                f"{hour_prefix[int(rnd() * 365) * 24 + hour_pick[int(rnd() * 1000)]]}"
                f"{mmss[int(rnd() * 3600)]}\n"
            )

    INTERACTIONS_COLUMNS = ("id user_id track_id interaction_type context_type context_id "
                            "play_duration_ms track_duration_ms completion_percentage "
                            "skip_position_ms skip_reason device_type session_id "
                            "created_at")  # fmt: skip

    def discovery_sessions(self) -> Lines:
        rnd = self.rng.random
        sid = self.off["discovery_sessions"]
        per = self.per_parent(self.n["users"], self.n["discovery_sessions"], lo=0)
        self.session_sizes: list[int] = []
        mean = self.n["discovery_session_tracks"] / max(1, self.n["discovery_sessions"])
        for u_idx, k in enumerate(per):
            uid = self.off["users"] + u_idx + 1
            hours = sorted(self.ts()[0] for _ in range(k))
            for j, hour in enumerate(hours):
                sid += 1
                stype = SESSION_TYPES[int(rnd() * len(SESSION_TYPES))]
                size = 1 + int(2 * (mean - 1) * rnd())
                self.session_sizes.append(size)
                # only a user's latest session can still be active
                active = j == k - 1 and rnd() < 0.3
                played = int(size * rnd())
                started = self.hour_prefix[hour] + self.mmss[int(rnd() * 3600)]
                end_h = min(365 * 24 - 1, hour + 1)
                ended = "\\N" if active else self.hour_prefix[end_h] + self.mmss[int(rnd() * 3600)]
                seed = f'{{"genre": "{GENRES[int(rnd() * len(GENRES))]}"}}'
                yield (
                    f"{sid}\t{self.uuid()}\t{uid}\t{stype}\t{stype.replace('_', ' ').title()}\t"
                    f"genre\t{seed}\t{size}\t{played}\t{size - played}\t{int(played * rnd())}\t"
                    f"{played * 150_000}\t{100 * rnd():.1f}\t{rnd():.3f}\tv{1 + int(rnd() * 3)}\t"
                    f"{'t' if active else 'f'}\t{played}\t{started}\t{ended}\t"
                    f"{ended if not active else started}\n"
                )

    SESSIONS_COLUMNS = ("id uuid user_id session_type session_name seed_type seed_data "
                        "tracks_presented tracks_played tracks_skipped tracks_liked "
                        "total_play_time_ms average_play_percentage discovery_score "
                        "algorithm_version is_active current_position started_at ended_at "
                        "last_interaction_at")  # fmt: skip

    def discovery_session_tracks(self) -> Lines:
        rnd = self.rng.random
        rid = self.off["discovery_session_tracks"]
        reasons = ('["similar_artist"]', '["genre_match"]', '["popular_now"]',
                   '["similar_artist", "genre_match"]')  # fmt: skip
        for s_idx, size in enumerate(self.session_sizes):
            sid = self.off["discovery_sessions"] + s_idx + 1
            hour, presented = self.ts()
            for pos in range(1, size + 1):
                rid += 1
                played = rnd() < 0.6
                yield (
                    f"{rid}\t{sid}\t{self.track_id(2.0)}\t{pos}\t{rnd():.4f}\t"
                    f"{reasons[int(rnd() * 4)]}\t{'t' if played else 'f'}\t"
                    f"{'f' if played else 't'}\t{'t' if played and rnd() < 0.2 else 'f'}\t"
                    f"{presented}\n"
                )

    @classmethod
    def columns(cls, table: str) -> list[str]:
        fixed = {
            "users": cls.USERS_COLUMNS,
            "artists": cls.ARTISTS_COLUMNS,
            "albums": cls.ALBUMS_COLUMNS,
            "tracks": cls.TRACKS_COLUMNS,
            **cls.SOURCES_COLUMNS,
            "playlists": cls.PLAYLISTS_COLUMNS,
            "playlist_tracks": "id playlist_id track_id position added_by added_at",
            "playlist_collaborators": "id playlist_id user_id invited_by invitation_status "
            "tracks_added invited_at joined_at",
            "playlist_activities": "id playlist_id user_id activity_type activity_data "
            "playlist_version created_at",
            "playlist_track_votes": "id playlist_track_id user_id vote_type voted_at",
            "playlist_follows": "id user_id playlist_id followed_at notifications_enabled",
            "user_music_profiles": "id user_id favorite_genres disliked_genres favorite_decades "
            "energy_preference mood_preferences total_listening_time_ms tracks_played "
            "unique_tracks_played unique_artists_played discovery_ratio genre_diversity_score",
            "user_library": "id user_id track_id added_at tags rating play_count skip_count "
            "last_played_at total_play_time_ms is_favorite",
            "user_interactions": cls.INTERACTIONS_COLUMNS,
            "discovery_sessions": cls.SESSIONS_COLUMNS,
            "discovery_session_tracks": "id session_id track_id position recommendation_score "
            "recommendation_reasons was_played was_skipped was_liked presented_at",
            "user_artist_follows": "id user_id artist_id followed_at follow_source",
            "user_album_collections": "id user_id album_id added_at play_count",
        }
        return fixed[table].split()

    def rows(self, table: str) -> Chunks:
        """The rows of *table* as COPY text chunks (tables in :data:`TABLES` order: each one
        uses facts the earlier ones left on ``self``)."""
        if table.endswith("_sources"):
            return _chunks(self.sources(table))
        method: Callable[[], Lines] = getattr(self, table)
        return _chunks(method())


# --- running -------------------------------------------------------------------------------------
def _is_at_head(conn: psycopg.Connection[Any]) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
    from musicdb import migrate

    current = migrate.current_revisions(conn)
    heads = migrate.heads()
    return set(current) == set(heads), current, heads


def _max_ids(conn: psycopg.Connection[Any]) -> dict[str, int]:
    from psycopg import sql

    out = {}
    for table in TABLES:
        row = conn.execute(
            sql.SQL("SELECT coalesce(max(id), 0) FROM {}").format(sql.Identifier(table))
        ).fetchone()
        out[table] = int(row[0]) if row else 0
    return out


def _non_empty(conn: psycopg.Connection[Any]) -> list[str]:
    from psycopg import sql

    found = []
    for table in TABLES:
        row = conn.execute(
            sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table))
        ).fetchone()
        if row and row[0]:
            found.append(table)
    return found


@dataclass
class _Deferred:
    """Secondary indexes and foreign keys set aside for a bulk load (restored before commit)."""

    indexes: list[tuple[str, str, str]]  # (table, name, CREATE INDEX ...) from pg_get_indexdef
    foreign_keys: list[tuple[str, str, str]]  # (table, name, definition)


_SECONDARY_INDEXES = """
SELECT t.relname, i.relname, pg_get_indexdef(i.oid)
FROM pg_index AS x
JOIN pg_class AS i ON i.oid = x.indexrelid
JOIN pg_class AS t ON t.oid = x.indrelid
JOIN pg_namespace AS n ON n.oid = t.relnamespace
WHERE n.nspname = current_schema() AND t.relname = ANY(%s)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.oid)
ORDER BY t.relname, i.relname
"""

_FOREIGN_KEYS = """
SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)
FROM pg_constraint AS c
JOIN pg_class AS t ON t.oid = c.conrelid
JOIN pg_namespace AS n ON n.oid = t.relnamespace
WHERE c.contype = 'f' AND n.nspname = current_schema() AND t.relname = ANY(%s)
ORDER BY t.relname, c.conname
"""


def _defer_checks(conn: psycopg.Connection[Any]) -> _Deferred:
    """Drop the secondary indexes and foreign keys of the (empty) tables, inside the load's
    transaction: PostgreSQL's own advice for populating a database. Building an index once over
    the loaded rows is faster than growing it row by row, and one validating join per foreign
    key replaces a trigger query per row. A failure rolls the drops back with the load."""
    from psycopg import sql

    tables = list(TABLES)
    # a partitioned table's index prints as ``ON ONLY``: rebuilt without it, on every partition
    indexes = [(r[0], r[1], r[2].replace(" ON ONLY ", " ON ", 1))
               for r in conn.execute(_SECONDARY_INDEXES, (tables,))]
    fks = [(r[0], r[1], r[2]) for r in conn.execute(_FOREIGN_KEYS, (tables,)).fetchall()]
    for table, name, _definition in fks:
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table), sql.Identifier(name)
            )
        )
    for _table, name, _definition in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return _Deferred(indexes, fks)


def _restore_checks(conn: psycopg.Connection[Any], deferred: _Deferred, table: str) -> None:
    """Recreate what :func:`_defer_checks` dropped on *table*, from the catalog's own
    definitions. Called as soon as *table* is loaded (its parents were loaded before it), so the
    server builds these while the rows of the next tables are being generated."""
    from psycopg import sql

    for owner, _name, definition in deferred.indexes:
        if owner == table:
            conn.execute(sql.SQL(definition))  # type: ignore[arg-type]  # catalog text
    for owner, name, definition in deferred.foreign_keys:
        if owner == table:
            conn.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                    sql.Identifier(owner), sql.Identifier(name)
                )
                + sql.SQL(definition)  # type: ignore[arg-type]
            )


# --- a second process for the rows ---------------------------------------------------------------
#: Plans of at least this many rows are generated in a second process while this one streams
#: them to the server, so that Python and the server work at the same time; smaller plans are not
#: worth starting a process for. Either way the rows are the same.
PARALLEL_MIN_ROWS = 200_000
#: Chunks the second process may run ahead (while the server builds a table's indexes).
_QUEUE_CHUNKS = 96
_FAILED = 0xFFFFFFFF


def _produce(send: Any, counts: dict[str, int], offsets: dict[str, int], seed: int,
             until: dt.date) -> None:  # fmt: skip
    """The second process: every table's COPY chunks in :data:`TABLES` order, each sent as a
    4-byte row count followed by the UTF-8 text; an empty message ends a table."""
    try:
        gen = _Generator(counts, offsets, seed, until)
        for table in TABLES:
            for text, n in gen.rows(table):
                send.send_bytes(n.to_bytes(4, "little") + text.encode())
            send.send_bytes(b"")
    except BaseException as exc:  # reported to the loading process, which raises it
        send.send_bytes(_FAILED.to_bytes(4, "little") + f"{type(exc).__name__}: {exc}".encode())
    finally:
        send.close()


class _RowSource:
    """COPY chunks per table, from this process or from a second one."""

    def __init__(self, counts: dict[str, int], offsets: dict[str, int], seed: int,
                 until: dt.date, parallel: bool) -> None:  # fmt: skip
        self.gen: _Generator | None = None
        self.proc: Any = None
        if not parallel:
            self.gen = _Generator(counts, offsets, seed, until)
            return
        import multiprocessing
        import queue
        import threading

        # spawn, not fork: this process holds a server connection and may run a progress thread
        ctx = multiprocessing.get_context("spawn")
        recv, send = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_produce, args=(send, counts, offsets, seed, until),
                                name="musicdb generate rows", daemon=True)  # fmt: skip
        self.proc.start()
        send.close()
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUE_CHUNKS)
        self.closing = threading.Event()
        # a thread keeps reading the pipe, so the other process never waits for this one
        self.reader = threading.Thread(target=self._drain, args=(recv,), daemon=True)
        self.reader.start()

    def _drain(self, recv: Any) -> None:
        import queue

        try:
            while not self.closing.is_set():
                message: bytes | None = recv.recv_bytes()
                while True:
                    try:
                        self.queue.put(message, timeout=0.2)
                        break
                    except queue.Full:
                        if self.closing.is_set():
                            return
        except (EOFError, OSError):
            self.queue.put(None)
        finally:
            recv.close()

    def rows(self, table: str) -> Iterator[tuple[str | memoryview, int]]:
        if self.gen is not None:
            yield from self.gen.rows(table)
            return
        while True:
            message = self.queue.get()
            if message is None:
                raise MusicdbError("the process generating rows ended unexpectedly")
            if not message:
                return
            n = int.from_bytes(message[:4], "little")
            if n == _FAILED:
                raise MusicdbError(f"generating rows failed: {message[4:].decode()}")
            yield memoryview(message)[4:], n

    def close(self) -> None:
        if self.proc is None:
            return
        self.closing.set()
        if self.proc.is_alive():
            self.proc.terminate()
        self.proc.join(timeout=10)
        self.reader.join(timeout=10)


def generate(
    target: DatabaseTarget,
    *,
    scale: float = 1.0,
    users: int | None = None,
    tracks: int | None = None,
    interactions: int | None = None,
    seed: int | None = None,
    until: dt.date | None = None,
    append: bool = False,
    analyze: bool = True,
    parallel: bool | None = None,
    progress: Progress | progress_api.Notify | None = None,
) -> GenerateResult:
    """Load synthetic data into *target* (at head; empty unless *append*); return what it did.

    *parallel*: generate the rows in a second process (default: for plans of at least
    :data:`PARALLEL_MIN_ROWS` rows); the rows do not depend on it.

    On an empty database everything happens in one transaction, table by table: ``COPY ...
    FREEZE`` into the table (truncated first, so the rows are written frozen and no later pass
    rewrites their hint bits), then its indexes and foreign keys, then ``ANALYZE``, while the
    next tables' rows are being generated; the popularity view is refreshed in the same
    transaction once its tables are in. ``append`` copies into the live tables with their
    indexes and checks, then analyzes and refreshes after the commit."""
    from psycopg import sql

    progress = as_progress(progress)
    counts = plan_counts(scale, users=users, tracks=tracks, interactions=interactions)
    if seed is None:
        seed = random.SystemRandom().randrange(1, 2**31)
    until = until or dt.datetime.now(dt.UTC).date()
    if parallel is None:
        parallel = sum(counts.values()) >= PARALLEL_MIN_ROWS
    started = time.perf_counter()
    with db.advisory_lock(target, locks.GENERATE, what="generate",
                          hint="another musicdb generate is loading this database"):  # fmt: skip
        conn = db.connect(target, autocommit=False, application_name="musicdb generate")
        source: _RowSource | None = None
        try:
            at_head, current, heads = _is_at_head(conn)
            if not at_head:
                raise MusicdbError(
                    f"{target.display} is not at head (current: {', '.join(current) or 'base'}; "
                    f"head: {', '.join(heads)}); run `musicdb migrate up` first"
                )
            busy = _non_empty(conn)
            if busy and not append:
                raise MusicdbError(
                    f"{target.display} already holds data ({', '.join(busy[:4])}"
                    f"{', ...' if len(busy) > 4 else ''}); pass --append to add to it"
                )
            offsets = _max_ids(conn)
            result = GenerateResult(target.display, seed, until, append)
            source = _RowSource(counts, offsets, seed, until, parallel)
            load_start = time.perf_counter()
            bulk = not busy
            deferred = None
            names = sql.SQL(", ").join(map(sql.Identifier, TABLES))
            if bulk:
                # the tables are empty; locked, re-checked, then truncated in this transaction,
                # which is what lets COPY write frozen rows
                conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(names))
                busy = _non_empty(conn)
                if busy:
                    raise MusicdbError(f"{target.display} received rows while generate started "
                                       f"({', '.join(busy[:4])}); nothing was loaded")  # fmt: skip
                # big sorts for the index builds stay in memory (this transaction only)
                conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
                conn.execute(sql.SQL("TRUNCATE {}").format(names))
            # user_interactions: a partition for every month the events fall in
            from musicdb.partitions.upkeep import prepare_load

            prepare_load(conn, until - dt.timedelta(days=365), until)
            if bulk:
                deferred = _defer_checks(conn)
            view_refreshed = False
            partitioned = {r[0] for r in conn.execute(
                "SELECT c.relname FROM pg_catalog.pg_class AS c WHERE c.relkind = 'p' "
                "AND c.relnamespace = 'public'::regnamespace").fetchall()}  # fmt: skip
            with conn.cursor() as cur:
                for table in TABLES:
                    progress.start(table, total=counts[table], unit="rows")
                    t0 = time.perf_counter()
                    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN{}").format(
                        sql.Identifier(table),
                        sql.SQL(", ").join(map(sql.Identifier, _Generator.columns(table))),
                        # COPY FREEZE is refused on a partitioned table (user_interactions)
                        sql.SQL(" (FREEZE)" if bulk and table not in partitioned else ""),
                    )
                    loaded = 0
                    with cur.copy(copy_sql) as copy:
                        for text, n in source.rows(table):
                            copy.write(text)
                            loaded += n
                            progress.advance(n)
                    load = TableLoad(table, loaded, time.perf_counter() - t0)
                    result.tables.append(load)
                    if deferred is None:
                        continue
                    t0 = time.perf_counter()
                    progress.note("indexes and constraints")
                    _restore_checks(conn, deferred, table)
                    load.index_seconds = time.perf_counter() - t0
                    result.index_seconds += load.index_seconds
                    if analyze:
                        t0 = time.perf_counter()
                        progress.note("ANALYZE")
                        cur.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
                        result.analyze_seconds += time.perf_counter() - t0
                    if table == _VIEW_NEEDS:
                        progress.note("REFRESH MATERIALIZED VIEW mv_track_popularity")
                        result.refresh_seconds = _refresh_view(conn, analyze)
                        view_refreshed = True
                # ids were given explicitly: move each identity past the largest one
                for table in TABLES:
                    cur.execute(
                        sql.SQL(
                            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                            "greatest((SELECT max(id) FROM {}), 1))"
                        ).format(sql.Identifier(table)),
                        (table,),
                    )
            conn.commit()
            result.load_seconds = time.perf_counter() - load_start
            conn.autocommit = True
            if analyze and deferred is None:
                progress.start("ANALYZE", total=len(TABLES), unit="tables")
                t0 = time.perf_counter()
                for table in TABLES:
                    conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
                    progress.advance()
                result.analyze_seconds = time.perf_counter() - t0
            if not view_refreshed:
                progress.start("refresh mv_track_popularity")
                result.refresh_seconds = _refresh_view(conn, analyze)
        finally:
            if source is not None:
                source.close()
            conn.close()
    result.total_seconds = time.perf_counter() - started
    return result


#: The last table the popularity view reads (tracks LEFT JOIN user_interactions).
_VIEW_NEEDS = "user_interactions"


def _refresh_view(conn: psycopg.Connection[Any], analyze: bool) -> float:
    t0 = time.perf_counter()
    conn.execute("REFRESH MATERIALIZED VIEW mv_track_popularity")
    if analyze:
        conn.execute("ANALYZE mv_track_popularity")
    return time.perf_counter() - t0
