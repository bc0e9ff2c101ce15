"""An application-shaped Flask client, written from the facts of the platform application's
database use (its models as it declares them; none of its code): Flask-SQLAlchemy models with a
plain Text ``search_vector``, naive ``DateTime`` columns with ``utcnow`` defaults, nullable
columns relying on Python defaults, a nullable ``track_sources.source_id`` with per-parent
uniqueness only, Integer ids on the event tables, its own constraint names, foreign keys
without ON DELETE and backrefs without cascade.

:func:`make_app` builds the Flask app object; :func:`store_results` and :func:`do_every_write`
do the writes the application does.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


def utcnow() -> dt.datetime:
    """What the application uses: a naive UTC datetime (``datetime.utcnow()``)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def build_models(db: SQLAlchemy) -> dict[str, Any]:
    """The application's 20 models, declared the way it declares them."""
    m = db.Model
    col, fk = db.Column, db.ForeignKey
    Int, Text, Str, Bool, Float, DateTime = (db.Integer, db.Text, db.String, db.Boolean,
                                            db.Float, db.DateTime)
    from sqlalchemy.dialects.postgresql import JSONB, UUID

    def created() -> Any:
        return col(DateTime, default=utcnow)

    class User(m):
        __tablename__ = "users"
        id = col(Int, primary_key=True)
        username = col(Str(80), unique=True, nullable=False)
        email = col(Str(120), unique=True, nullable=False)
        password_hash = col(Str(255), nullable=False)
        is_active = col(Bool, default=True)
        is_admin = col(Bool, default=False)
        created_at = created()
        last_login = col(DateTime)
        default_language = col(Str(10), default="en")
        default_categories = col(Text)
        default_engines = col(Text)

    class Artist(m):
        __tablename__ = "artists"
        id = col(Int, primary_key=True)
        name = col(Str(255), nullable=False, index=True)
        sort_name = col(Str(255))
        genres = col(JSONB, default=list)
        aliases = col(JSONB, default=list)
        members = col(JSONB, default=list)
        social_links = col(JSONB, default=dict)
        popularity = col(Float, default=0)
        follower_count = col(Int, default=0)
        is_verified = col(Bool, default=False)
        extra_metadata = col(JSONB, default=dict)
        search_vector = col(Text)
        created_at = created()
        updated_at = col(DateTime, default=utcnow, onupdate=utcnow)
        tracks = db.relationship("Track", backref="artist", lazy="dynamic")
        albums = db.relationship("Album", backref="artist", lazy="dynamic")

    class Album(m):
        __tablename__ = "albums"
        id = col(Int, primary_key=True)
        title = col(Str(255), nullable=False, index=True)
        album_type = col(Str(20), default="album")
        release_date = col(db.Date)
        label = col(Str(255))
        total_discs = col(Int, default=1)
        genres = col(JSONB, default=list)
        styles = col(JSONB, default=list)
        moods = col(JSONB, default=list)
        themes = col(JSONB, default=list)
        credits = col(JSONB, default=dict)
        popularity = col(Float, default=0)
        rating_count = col(Int, default=0)
        extra_metadata = col(JSONB, default=dict)
        is_remaster = col(Bool, default=False)
        search_vector = col(Text)
        artist_id = col(Int, fk("artists.id"))
        created_at = created()
        updated_at = col(DateTime, default=utcnow, onupdate=utcnow)
        __table_args__ = (db.Index("idx_album_release", "release_date"),)

    class Track(m):
        __tablename__ = "tracks"
        id = col(Int, primary_key=True)
        title = col(Text, nullable=False)
        duration_ms = col(Int)
        audio_features = col(JSONB, default=dict)
        artist_id = col(Int, fk("artists.id"))
        album_id = col(Int, fk("albums.id"))
        explicit = col(Bool, default=False)
        popularity = col(Float, default=0)
        extra_metadata = col(JSONB, default=dict)
        search_vector = col(Text)
        created_at = created()
        updated_at = col(DateTime, default=utcnow, onupdate=utcnow)
        sources = db.relationship("TrackSource", backref="track", lazy="dynamic")

    class TrackSource(m):
        __tablename__ = "track_sources"
        id = col(Int, primary_key=True)
        track_id = col(Int, fk("tracks.id"), nullable=False)
        source_type = col(Str(50), nullable=False)
        source_id = col(Str(255))  # optional
        source_uri = col(Str(500))
        source_extra_metadata = col(JSONB, default=dict)
        is_available = col(Bool, default=True)
        sync_status = col(Str(20), default="active")
        created_at = created()
        updated_at = col(DateTime, default=utcnow, onupdate=utcnow)
        __table_args__ = (db.UniqueConstraint("track_id", "source_type", "source_id",
                                              name="uq_track_source"),)

    class Playlist(m):
        __tablename__ = "playlists"
        id = col(Int, primary_key=True)
        uuid = col(UUID(as_uuid=True), default=uuid.uuid4, unique=True)
        name = col(Str(255), nullable=False)
        owner_id = col(Int, fk("users.id"), nullable=False)
        is_public = col(Bool, default=False)
        is_collaborative = col(Bool, default=False)
        folder_type = col(Bool, default=False)
        description = col(Text)
        tags = col(JSONB, default=list)
        is_dynamic = col(Bool, default=False)
        collaboration_mode = col(Str(20), default="open")
        voting_enabled = col(Bool, default=False)
        expires_at = col(DateTime)
        play_count = col(Int, default=0)
        like_count = col(Int, default=0)
        share_count = col(Int, default=0)
        total_duration_ms = col(db.BigInteger, default=0)
        extra_metadata = col(JSONB, default=dict)
        version = col(Int, default=1)
        search_vector = col(Text)
        created_at = created()
        updated_at = col(DateTime, default=utcnow, onupdate=utcnow)
        owner = db.relationship("User", backref="playlists")
        tracks = db.relationship("PlaylistTrack", backref="playlist", lazy="dynamic")

    class PlaylistTrack(m):
        __tablename__ = "playlist_tracks"
        id = col(Int, primary_key=True)
        playlist_id = col(Int, fk("playlists.id"), nullable=False)
        track_id = col(Int, fk("tracks.id"), nullable=False)
        position = col(Int, nullable=False)
        added_by = col(Int, fk("users.id"))
        added_at = created()
        vote_count = col(Int, default=0)
        is_locked = col(Bool, default=False)

    class PlaylistCollaborator(m):
        __tablename__ = "playlist_collaborators"
        id = col(Int, primary_key=True)
        playlist_id = col(Int, fk("playlists.id"), nullable=False)
        user_id = col(Int, fk("users.id"), nullable=False)
        can_add_tracks = col(Bool, default=True)
        can_remove_tracks = col(Bool, default=True)
        can_reorder_tracks = col(Bool, default=True)
        can_invite_others = col(Bool, default=False)
        can_change_details = col(Bool, default=False)
        role = col(Str(20), default="editor")
        invitation_status = col(Str(20), default="pending")
        tracks_added = col(Int, default=0)
        tracks_removed = col(Int, default=0)
        invited_at = created()

    class PlaylistActivity(m):
        __tablename__ = "playlist_activities"
        id = col(Int, primary_key=True)
        playlist_id = col(Int, fk("playlists.id"), nullable=False)
        user_id = col(Int, fk("users.id"))
        activity_type = col(Str(50), nullable=False)
        activity_data = col(JSONB, default=dict)
        playlist_version = col(Int, nullable=False)
        created_at = created()

    class PlaylistTrackVote(m):
        __tablename__ = "playlist_track_votes"
        id = col(Int, primary_key=True)
        playlist_track_id = col(Int, fk("playlist_tracks.id"), nullable=False)
        user_id = col(Int, fk("users.id"), nullable=False)
        vote_type = col(Int, nullable=False)  # meant as 1 or -1
        voted_at = created()

    class PlaylistFollow(m):
        __tablename__ = "playlist_follows"
        id = col(Int, primary_key=True)
        user_id = col(Int, fk("users.id"), nullable=False)
        playlist_id = col(Int, fk("playlists.id"), nullable=False)
        followed_at = created()
        notifications_enabled = col(Bool, default=True)

    class UserMusicProfile(m):
        __tablename__ = "user_music_profiles"
        id = col(Int, primary_key=True)
        user_id = col(Int, fk("users.id"), nullable=False, unique=True)
        favorite_genres = col(JSONB, default=list)
        disliked_genres = col(JSONB, default=list)
        favorite_decades = col(JSONB, default=list)
        preferred_audio_quality = col(Str(20), default="high")
        explicit_content_allowed = col(Bool, default=True)
        discovery_mode = col(Str(20), default="balanced")
        energy_preference = col(Float, default=0.5)
        mood_preferences = col(JSONB, default=dict)
        language_preferences = col(JSONB, default=list)
        total_listening_time_ms = col(db.BigInteger, default=0)
        tracks_played = col(Int, default=0)
        unique_tracks_played = col(Int, default=0)
        unique_artists_played = col(Int, default=0)
        average_session_duration_ms = col(db.BigInteger, default=0)
        discovery_ratio = col(Float, default=0)
        genre_diversity_score = col(Float, default=0)
        time_based_preferences = col(JSONB, default=dict)
        device_preferences = col(JSONB, default=dict)
        created_at = created()
        updated_at = col(DateTime, default=utcnow, onupdate=utcnow)

    class UserLibrary(m):
        __tablename__ = "user_library"
        id = col(Int, primary_key=True)
        user_id = col(Int, fk("users.id"), nullable=False)
        track_id = col(Int, fk("tracks.id"), nullable=False)
        added_at = created()
        tags = col(JSONB, default=list)
        play_count = col(Int, default=0)
        skip_count = col(Int, default=0)
        total_play_time_ms = col(db.BigInteger, default=0)
        is_favorite = col(Bool, default=False)

    class UserInteraction(m):
        __tablename__ = "user_interactions"
        id = col(Int, primary_key=True)
        user_id = col(Int, fk("users.id"), nullable=False)
        track_id = col(Int, fk("tracks.id"), nullable=False)
        interaction_type = col(Str(50), nullable=False)
        play_duration_ms = col(Int)
        session_id = col(UUID(as_uuid=True))
        extra_metadata = col(JSONB, default=dict)
        created_at = created()

    class DiscoverySession(m):
        __tablename__ = "discovery_sessions"
        id = col(Int, primary_key=True)
        uuid = col(UUID(as_uuid=True), default=uuid.uuid4, unique=True)
        user_id = col(Int, fk("users.id"), nullable=False)
        session_type = col(Str(50), nullable=False)
        discovery_params = col(JSONB, default=dict)
        tracks_presented = col(Int, default=0)
        tracks_played = col(Int, default=0)
        tracks_skipped = col(Int, default=0)
        tracks_liked = col(Int, default=0)
        tracks_added_to_library = col(Int, default=0)
        total_play_time_ms = col(db.BigInteger, default=0)
        average_play_percentage = col(Float, default=0)
        is_active = col(Bool, default=True)
        current_position = col(Int, default=0)
        started_at = created()
        last_interaction_at = col(DateTime, default=utcnow)
        user = db.relationship("User", backref="discovery_sessions")

    class DiscoverySessionTrack(m):
        __tablename__ = "discovery_session_tracks"
        id = col(Int, primary_key=True)
        session_id = col(Int, fk("discovery_sessions.id"), nullable=False)
        track_id = col(Int, fk("tracks.id"), nullable=False)
        position = col(Int, nullable=False)
        recommendation_reasons = col(JSONB, default=list)
        was_played = col(Bool, default=False)
        was_skipped = col(Bool, default=False)
        was_liked = col(Bool, default=False)
        was_added_to_library = col(Bool, default=False)
        presented_at = created()

    class UserArtistFollow(m):
        __tablename__ = "user_artist_follows"
        id = col(Int, primary_key=True)
        user_id = col(Int, fk("users.id"), nullable=False)
        artist_id = col(Int, fk("artists.id"), nullable=False)
        followed_at = created()
        notifications_enabled = col(Bool, default=True)

    class UserAlbumCollection(m):
        __tablename__ = "user_album_collections"
        id = col(Int, primary_key=True)
        user_id = col(Int, fk("users.id"), nullable=False)
        album_id = col(Int, fk("albums.id"), nullable=False)
        added_at = created()
        tags = col(JSONB, default=list)
        play_count = col(Int, default=0)

    return {c.__name__: c for c in (
        User, Artist, Album, Track, TrackSource, Playlist, PlaylistTrack, PlaylistCollaborator,
        PlaylistActivity, PlaylistTrackVote, PlaylistFollow, UserMusicProfile, UserLibrary,
        UserInteraction, DiscoverySession, DiscoverySessionTrack, UserArtistFollow,
        UserAlbumCollection)}


def make_app(
    sqlalchemy_url: str,
    *,
    timezone: str | None = None,
    model_class: type[DeclarativeBase] | None = None,
) -> tuple[Flask, SQLAlchemy]:
    """A Flask app with Flask-SQLAlchemy on *sqlalchemy_url* (session TimeZone *timezone*)."""
    app = Flask("platform_app")
    app.config["SQLALCHEMY_DATABASE_URI"] = sqlalchemy_url
    options: dict[str, Any] = {"poolclass": __import__("sqlalchemy").pool.NullPool}
    if timezone:
        options["connect_args"] = {"options": f"-c TimeZone={timezone}"}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db = SQLAlchemy(model_class=model_class) if model_class else SQLAlchemy()
    db.init_app(app)
    return app, db


def store_results(db: SQLAlchemy, m: dict[str, Any], results: list[dict[str, Any]]) -> list[Any]:
    """What the application's search service does with search results."""
    tracks = []
    for r in results:
        artist = m["Artist"].query.filter_by(name=r["artist"]).first()
        if artist is None:
            artist = m["Artist"](name=r["artist"])
            db.session.add(artist)
            db.session.flush()
        track = m["Track"](title=r["title"], artist_id=artist.id,
                           search_vector=f"{r['artist']} {r['title']}")
        db.session.add(track)
        db.session.flush()
        db.session.add(m["TrackSource"](track_id=track.id, source_type=r["source"],
                                        source_id=r.get("id")))
        tracks.append(track)
    db.session.commit()
    return tracks


def do_every_write(db: SQLAlchemy, m: dict[str, Any], tag: str = "",
                   update_users: bool = True) -> dict[str, Any]:
    """Every kind of write the application does, through its ORM; returns the objects.
    (*update_users* False: on its own database an UPDATE of users fails, defect 2.)"""
    tracks = store_results(db, m, [
        {"artist": f"Nova{tag}", "title": "Blue Hour", "source": "youtube", "id": f"yt1{tag}"},
        {"artist": f"Nova{tag}", "title": "Red Hour", "source": "youtube", "id": None},
        {"artist": f"Nova{tag}", "title": "Red Hour (live)", "source": "youtube", "id": None},
        {"artist": f"Kite{tag}", "title": "Blue Hour", "source": "youtube", "id": f"yt1{tag}"},
    ])
    user = m["User"](username=f"u{tag}", email=f"u{tag}@example.org", password_hash="x")
    friend = m["User"](username=f"f{tag}", email=f"f{tag}@example.org", password_hash="x")
    db.session.add_all([user, friend])
    db.session.flush()
    album = m["Album"](title="Hours", artist_id=tracks[0].artist_id,
                       release_date=dt.date(2024, 5, 1))
    playlist = m["Playlist"](name="Evening", owner_id=user.id, description="slow songs",
                             search_vector="Evening slow songs",
                             expires_at=utcnow() + dt.timedelta(days=1))
    db.session.add_all([album, playlist])
    db.session.flush()
    entry = m["PlaylistTrack"](playlist_id=playlist.id, track_id=tracks[0].id, position=1,
                               added_by=user.id)
    db.session.add(entry)
    db.session.flush()
    session = m["DiscoverySession"](user_id=user.id, session_type="radio")
    db.session.add(session)
    db.session.flush()
    db.session.add_all([
        m["PlaylistTrack"](playlist_id=playlist.id, track_id=tracks[1].id, position=2,
                           added_by=friend.id),
        m["PlaylistCollaborator"](playlist_id=playlist.id, user_id=friend.id),
        m["PlaylistActivity"](playlist_id=playlist.id, user_id=user.id,
                              activity_type="track_added", playlist_version=1),
        m["PlaylistFollow"](user_id=friend.id, playlist_id=playlist.id),
        m["PlaylistTrackVote"](playlist_track_id=entry.id, user_id=friend.id, vote_type=1),
        m["UserInteraction"](user_id=user.id, track_id=tracks[0].id, interaction_type="play",
                             play_duration_ms=1000, session_id=uuid.uuid4()),
        m["UserLibrary"](user_id=user.id, track_id=tracks[0].id, is_favorite=True),
        m["UserMusicProfile"](user_id=user.id),
        m["UserArtistFollow"](user_id=user.id, artist_id=tracks[0].artist_id),
        m["UserAlbumCollection"](user_id=user.id, album_id=album.id),
        m["DiscoverySessionTrack"](session_id=session.id, track_id=tracks[2].id, position=1),
    ])
    db.session.commit()
    # updates through the ORM (onupdate=utcnow on updated_at)
    playlist.name = "Late evening"
    tracks[0].popularity = 0.5
    if update_users:
        user.last_login = utcnow()
    db.session.commit()
    return {"tracks": tracks, "user": user, "friend": friend, "playlist": playlist,
            "album": album, "session": session}
