"""What generated rows are made of: word lists, genres, the daily rhythm, the shape parameters
of libraries, unique external ids, and the random draws over them (part of
:mod:`musicdb.workload.generate`)."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any


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
                  "renamed", "description_changed")
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


class _Draws:
    """The random draws rows are made of (timestamps with the daily rhythm, titles, genres,
    people, skewed ranks, children per parent, library sizes), from one seeded generator."""

    def __init__(self, counts: dict[str, int], offsets: dict[str, int], seed: int,
                 until: dt.date) -> None:
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
                          for _ in range(4096)]
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
