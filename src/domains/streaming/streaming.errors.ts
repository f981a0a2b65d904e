// Error catalogue of the streaming domain: stable codes, rendered as RFC 9457 problem details (docs/api.md).
import { problemType } from '../../platform/http/problem.ts';

export const StreamingProblems = {
  // Tracks, streams, plays and history (issue 13 §1-2).
  // - tracks, streams and downloads (ADR 0046, 0047); a track the caller may not see answers trackNotFound
  /** The file named cannot become a track: missing or not the caller's, not audio, quarantined, failed, derived. */
  trackFileUnusable: problemType('TRACK_FILE_UNUSABLE', 422, 'This file cannot be used here'),
  /** The audio file is not processed yet (scan, metadata, waveform, renditions): retry once it is. */
  trackAudioProcessing: problemType('TRACK_AUDIO_PROCESSING', 409, 'The audio of the track is still being processed'),
  /** Another live track of the creator already plays this file. */
  trackFileInUse: problemType('TRACK_FILE_IN_USE', 409, 'Another track already uses this audio file'),
  /** The track exists, but its audio can no longer be served (file deleted, quarantined or failed processing). */
  trackAudioUnavailable: problemType('TRACK_AUDIO_UNAVAILABLE', 404, 'The audio of this track is not available'),
  /** quality=original or a download of a track whose creator did not allow downloads (is_downloadable). */
  trackNotDownloadable: problemType('TRACK_NOT_DOWNLOADABLE', 403, 'The original audio of this track is not offered'),
  /** None of the renditions the track has is of a media type the Accept header admits. */
  streamNotAcceptable: problemType('STREAM_NOT_ACCEPTABLE', 406, 'No rendition of a media type you accept'),
  /** A stream link whose signature is not ours for this track and quality, or whose expiry has passed. */
  streamLinkInvalid: problemType('STREAM_LINK_INVALID', 403, 'The stream link is invalid or has expired'),
  /** `expires` without `signature`, or the reverse. */
  streamLinkIncomplete: problemType('STREAM_LINK_INCOMPLETE', 400, 'A stream link needs both expires and signature'),
  // - play reports and listening history (ADR 0045)
  /** A play report longer than the track (plus a few seconds of tolerance). */
  playedTooLong: problemType('PLAYED_DURATION_EXCEEDS_TRACK', 400, 'The played duration is longer than the track'),
  /** No such entry in the caller's listening history (another's, cleared, or never there). */
  historyEntryNotFound: problemType('HISTORY_ENTRY_NOT_FOUND', 404, 'No such history entry'),

  // Likes and comments (issue 13 §3).
  /** No such track, or one the caller may not know exists (a draft, a private track of someone else, deleted). */
  trackNotFound: problemType('TRACK_NOT_FOUND', 404, 'No such track'),
  /** No such comment, or one on a track the caller may not see, or one already deleted. */
  commentNotFound: problemType('COMMENT_NOT_FOUND', 404, 'No such comment'),

  // Playlists (issue 13 §4; ADR 0049). Adding a track the caller may not share answers trackNotFound.
  /** No such playlist, or one the caller may not know exists (someone else's private playlist, deleted). */
  playlistNotFound: problemType('PLAYLIST_NOT_FOUND', 404, 'No such playlist'),
  /** No entry with that id (or track id) in the playlist. */
  playlistEntryNotFound: problemType('PLAYLIST_ENTRY_NOT_FOUND', 404, 'No such entry in the playlist'),
  /** uq_playlist_tracks_playlist_track: a track appears in a playlist at most once. */
  trackAlreadyInPlaylist: problemType('TRACK_ALREADY_IN_PLAYLIST', 409, 'The track is already in the playlist'),
  /** The playlist holds the maximum number of entries (10,000, placeholders included). */
  playlistFull: problemType('PLAYLIST_FULL', 409, 'The playlist cannot hold more tracks'),
  /** A full reorder must name every entry of the playlist once; it changed since the client read it. */
  playlistOrderMismatch: problemType('PLAYLIST_ORDER_MISMATCH', 409, 'The order does not list the playlist’s entries'),
  /** Collaborators are invited only while the playlist is collaborative (is_collaborative). */
  playlistNotCollaborative: problemType('PLAYLIST_NOT_COLLABORATIVE', 409, 'The playlist is not collaborative'),
  collaboratorExists: problemType('COLLABORATOR_EXISTS', 409, 'The user already collaborates on the playlist'),
  collaboratorNotFound: problemType('COLLABORATOR_NOT_FOUND', 404, 'No such collaborator'),
  /** The playlist has the maximum number of collaborators (50). */
  tooManyCollaborators: problemType('TOO_MANY_COLLABORATORS', 409, 'The playlist cannot have more collaborators'),
  /** An owner does not follow their own playlist (follower_count counts other people). */
  cannotFollowOwnPlaylist: problemType('CANNOT_FOLLOW_OWN_PLAYLIST', 409, 'You cannot follow your own playlist'),

  // Queue (issue 13 §5; ADR 0050). A track the caller may not play answers trackNotFound, naming the field.
  /** No item with that id in the caller's queue (another user's item reads exactly the same). */
  queueItemNotFound: problemType('QUEUE_ITEM_NOT_FOUND', 404, 'No such item in your queue'),
  /** The queue holds the maximum number of items (1,000, unavailable ones included). */
  queueFull: problemType('QUEUE_FULL', 409, 'The queue cannot hold more tracks'),

  // Subsonic credentials (issue 13 §6; ADR 0051). The /rest calls answer Subsonic error codes, not problems.
  /** No such credential among the caller's (another user's, already revoked, or never there). */
  subsonicCredentialNotFound: problemType('SUBSONIC_CREDENTIAL_NOT_FOUND', 404, 'No such Subsonic credential'),
  /** The caller already has the maximum number of Subsonic credentials (10): revoke one first. */
  tooManySubsonicCredentials: problemType(
    'TOO_MANY_SUBSONIC_CREDENTIALS',
    409,
    'You have too many Subsonic credentials',
  ),
} as const;

// Keeps the import used while a section is empty.
void problemType;
