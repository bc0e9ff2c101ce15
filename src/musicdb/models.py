"""Declarative SQLAlchemy 2 ORM classes for the 20 platform tables at the compatible head.

Each class maps the table of :mod:`musicdb.migrate.schema` (the one description of the schema:
types, the generated ``search_document``, naive UTC timestamps, nullability with server defaults,
constraint names, ``ON DELETE`` rules), so autogenerate against a database at the compatible head
proposes no operation. The application's plain-text ``search_vector`` stays in the table but is
left out of the mappers: the ORM never names it, and never writes the generated column.
Relationships leave deletes to the database (``passive_deletes=True``): ``CASCADE`` and ``SET
NULL`` happen there, in one statement, for raw SQL and the ORM alike.

With Flask-SQLAlchemy::

    from flask_sqlalchemy import SQLAlchemy
    from musicdb.models import Base, Track

    db = SQLAlchemy(model_class=Base)   # db.metadata is musicdb's
    db.session.add(Track(title="Song"))

Timestamps are naive and mean UTC (``datetime.now(UTC).replace(tzinfo=None)``); leave a
creation column unset and the server fills it (``timezone('utc', now())``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import DeclarativeBase, relationship

from musicdb.migrate import schema

#: Columns of the tables that no mapper includes (the application's text ``search_vector``).
UNMAPPED = ("search_vector",)


class Base(DeclarativeBase):
    metadata = schema.metadata


def _args(**extra: Any) -> dict[str, Any]:
    return {"exclude_properties": list(UNMAPPED), **extra}


def _children(target: str, back: str, **kw: Any) -> Any:
    return relationship(target, back_populates=back, passive_deletes=True, **kw)


class User(Base):
    __table__ = schema.users
    playlists = _children("Playlist", "owner", foreign_keys="Playlist.owner_id")
    library = _children("UserLibrary", "user")
    interactions = _children("UserInteraction", "user", lazy="dynamic")
    profile = relationship("UserMusicProfile", back_populates="user", uselist=False,
                           passive_deletes=True)
    discovery_sessions = _children("DiscoverySession", "user")
    artist_follows = _children("UserArtistFollow", "user")
    album_collections = _children("UserAlbumCollection", "user")
    playlist_follows = _children("PlaylistFollow", "user")
    collaborations = _children("PlaylistCollaborator", "user",
                               foreign_keys="PlaylistCollaborator.user_id")


class Artist(Base):
    __table__ = schema.artists
    __mapper_args__ = _args()
    albums = _children("Album", "artist")
    tracks = _children("Track", "artist")
    sources = _children("ArtistSource", "artist")
    followers = _children("UserArtistFollow", "artist")


class Album(Base):
    __table__ = schema.albums
    __mapper_args__ = _args()
    artist = relationship("Artist", back_populates="albums")
    tracks = _children("Track", "album")
    sources = _children("AlbumSource", "album")


class Track(Base):
    __table__ = schema.tracks
    __mapper_args__ = _args()
    artist = relationship("Artist", back_populates="tracks")
    album = relationship("Album", back_populates="tracks")
    sources = _children("TrackSource", "track")


class ArtistSource(Base):
    __table__ = schema.artist_sources
    artist = relationship("Artist", back_populates="sources")


class AlbumSource(Base):
    __table__ = schema.album_sources
    album = relationship("Album", back_populates="sources")


class TrackSource(Base):
    __table__ = schema.track_sources
    track = relationship("Track", back_populates="sources")


class Playlist(Base):
    __table__ = schema.playlists
    __mapper_args__ = _args()
    owner = relationship("User", back_populates="playlists",
                         foreign_keys=[schema.playlists.c.owner_id])
    parent = relationship("Playlist", remote_side=[schema.playlists.c.id],
                          back_populates="children")
    children = _children("Playlist", "parent")
    tracks = _children("PlaylistTrack", "playlist", order_by="PlaylistTrack.position")
    collaborators = _children("PlaylistCollaborator", "playlist")
    activities = _children("PlaylistActivity", "playlist",
                           order_by="PlaylistActivity.created_at.desc()")
    follows = _children("PlaylistFollow", "playlist")


class PlaylistTrack(Base):
    __table__ = schema.playlist_tracks
    playlist = relationship("Playlist", back_populates="tracks")
    track = relationship("Track")
    added_by_user = relationship("User", foreign_keys=[schema.playlist_tracks.c.added_by])
    votes = _children("PlaylistTrackVote", "playlist_track")


class PlaylistCollaborator(Base):
    __table__ = schema.playlist_collaborators
    playlist = relationship("Playlist", back_populates="collaborators")
    user = relationship("User", back_populates="collaborations",
                        foreign_keys=[schema.playlist_collaborators.c.user_id])
    inviter = relationship("User", foreign_keys=[schema.playlist_collaborators.c.invited_by])


class PlaylistActivity(Base):
    __table__ = schema.playlist_activities
    playlist = relationship("Playlist", back_populates="activities")
    user = relationship("User")


class PlaylistTrackVote(Base):
    __table__ = schema.playlist_track_votes
    playlist_track = relationship("PlaylistTrack", back_populates="votes")
    user = relationship("User")


class PlaylistFollow(Base):
    __table__ = schema.playlist_follows
    user = relationship("User", back_populates="playlist_follows")
    playlist = relationship("Playlist", back_populates="follows")


class UserMusicProfile(Base):
    __table__ = schema.user_music_profiles
    user = relationship("User", back_populates="profile")


class UserLibrary(Base):
    __table__ = schema.user_library
    user = relationship("User", back_populates="library")
    track = relationship("Track")


class UserInteraction(Base):
    __table__ = schema.user_interactions
    user = relationship("User", back_populates="interactions")
    track = relationship("Track")


class DiscoverySession(Base):
    __table__ = schema.discovery_sessions
    user = relationship("User", back_populates="discovery_sessions")
    tracks = _children("DiscoverySessionTrack", "session",
                       order_by="DiscoverySessionTrack.position")


class DiscoverySessionTrack(Base):
    __table__ = schema.discovery_session_tracks
    session = relationship("DiscoverySession", back_populates="tracks")
    track = relationship("Track")


class UserArtistFollow(Base):
    __table__ = schema.user_artist_follows
    user = relationship("User", back_populates="artist_follows")
    artist = relationship("Artist", back_populates="followers")


class UserAlbumCollection(Base):
    __table__ = schema.user_album_collections
    user = relationship("User", back_populates="album_collections")
    album = relationship("Album")


#: The 20 mapped classes, by table name.
MODELS: dict[str, type[Base]] = {
    cls.__table__.name: cls  # type: ignore[attr-defined]
    for cls in (User, Artist, Album, Track, ArtistSource, AlbumSource, TrackSource, Playlist,
                PlaylistTrack, PlaylistCollaborator, PlaylistActivity, PlaylistTrackVote,
                PlaylistFollow, UserMusicProfile, UserLibrary, UserInteraction, DiscoverySession,
                DiscoverySessionTrack, UserArtistFollow, UserAlbumCollection)
}
