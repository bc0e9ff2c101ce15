"""Row making for ``musicdb generate``: one generator per table yields COPY text lines, in
foreign-key order, each table using the facts the tables before it left (see
:mod:`musicdb.workload.generate` for the shape of the data)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice

from musicdb.migrate.schema import PLATFORM_TABLES as TABLES
from musicdb.workload.vocabulary import (
    _MASK64,
    _MIX64,
    ACTIVITY_TYPES,
    CHUNK_ROWS,
    CONTEXTS,
    COUNTRIES,
    DEVICES,
    FAVOURITE_SHARE,
    GENRES,
    INTERACTION_MIX,
    LABELS,
    MOODS,
    PLAYLIST_WORDS,
    SESSION_TYPES,
    SKIP_REASONS,
    _Draws,
    _json_list,
    external_id,
)

# --- the generator -------------------------------------------------------------------------------
Chunks = Iterator[tuple[str, int]]
Lines = Iterator[str]


def _chunks(lines: Lines, size: int = 0) -> Chunks:
    """COPY text chunks of *size* lines (default :data:`CHUNK_ROWS`): (text, row count)."""
    size = size or CHUNK_ROWS
    while batch := list(islice(lines, size)):
        yield "".join(batch), len(batch)


class _Generator(_Draws):
    """Row generators for every table; shared facts (ids, durations, owners) live on self."""

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
                     "default_language")

    ARTISTS_COLUMNS = ("id name sort_name musicbrainz_id spotify_id bio country formed_year "
                       "disbanded_year image_url genres aliases members social_links popularity "
                       "follower_count monthly_listeners is_verified created_at "
                       "updated_at")

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
                   f"{self.title(2, 3).lower()} and {self.title(1, 2).lower()}.")
            aliases = _json_list([self.title(1, 2)]) if rnd() < 0.1 else "[]"
            slug = f"artist{aid}"
            links = (f'{{"instagram": "https://instagram.com/{slug}", '
                     f'"website": "https://{slug}.example.org"}}')
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
                      "rating_count is_remaster artist_id created_at updated_at")

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
                       f'"studio": "{self.title(1, 1)} Studio"}}')
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
                      "last_analyzed")

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
                             f"{created}\t{synced}\n")

    PLAYLISTS_COLUMNS = ("id uuid name owner_id is_public is_collaborative folder_type "
                         "description tags is_dynamic dynamic_rules collaboration_mode "
                         "voting_enabled share_token play_count like_count share_count "
                         "total_duration_ms version last_modified_by created_at updated_at "
                         "last_played_at")

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
                    f"for {self.title(1, 2).lower()} and {self.title(1, 1).lower()}")
            tags = _json_list([*genres, mood])
            rules = (f'{{"genre": "{(genres or ["pop"])[0]}", "min_energy": {rnd():.2f}, '
                     f'"max_tracks": 50}}') if dynamic else "\\N"
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
                             f"{invited}\t{joined}\n")

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
               extra: Callable[[], str]) -> Lines:
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
                           extra)

    def user_artist_follows(self) -> Lines:
        rnd = self.rng.random
        sources = ("search", "recommendation", "track_page", "import")

        def extra() -> str:
            return f"{self.ts()[1]}\t{sources[int(rnd() * 4)]}"

        return self._pairs("user_artist_follows", self.n["artists"], self.off["artists"], 2.0,
                           extra)

    def user_album_collections(self) -> Lines:
        rnd = self.rng.random

        def extra() -> str:
            return f"{self.ts()[1]}\t{int(rnd() * 40)}"

        return self._pairs("user_album_collections", self.n["albums"], self.off["albums"], 2.0,
                           extra)

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
                 for _ in range(4096)]
        reasons = SKIP_REASONS
        for i in range(off + 1, off + n + 1):
            t_idx = by_rank[int(n_tracks * rnd() ** 4)]
            kind = mix[int(rnd() * n_mix)]
            if kind == "play":
                c = 500 + int(rnd() * 501)
                play = (f"play\t{contexts[int(rnd() * 4096)]}\t{durations[t_idx] * c // 1000}\t"
                        f"{dur_str[t_idx]}\t{pct[c]}\t\\N\t\\N")
            elif kind == "skip":
                c = int(rnd() * 300)
                pos = durations[t_idx] * c // 1000
                play = (f"skip\t{contexts[int(rnd() * 4096)]}\t{pos}\t{dur_str[t_idx]}\t"
                        f"{pct[c]}\t{pos}\t{reasons[c & 3]}")
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
                            "created_at")

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
                        "last_interaction_at")

    def discovery_session_tracks(self) -> Lines:
        rnd = self.rng.random
        rid = self.off["discovery_session_tracks"]
        reasons = ('["similar_artist"]', '["genre_match"]', '["popular_now"]',
                   '["similar_artist", "genre_match"]')
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
