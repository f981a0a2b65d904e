// The embeddable player (issue 13 §7, ADR 0048): what the page shows of a public track, or nothing.
import { authorize } from '../../platform/http/route-kit.ts';
import type { PublicName } from '../profiles/index.ts';
import type { EmbedRepository } from './embed.repository.ts';
import { playsPolicy } from './plays.policy.ts';
import { StreamingProblems } from './streaming.errors.ts';

/** Waveform peaks as processing stores them (ADR 0041): min and max of each bucket, signed bytes, base64. */
export interface EmbedWaveform {
  buckets: number;
  data: string;
}

export interface EmbedMarker {
  at: number;
  text: string;
  author: string | null;
}

export interface EmbedView {
  id: string;
  title: string;
  artist: string | null;
  creator: string | null;
  duration: number;
  waveform: EmbedWaveform | null;
  markers: EmbedMarker[];
  streamUrl: string;
}

export interface EmbedServiceDeps {
  repository: EmbedRepository;
  /** Public names of accounts by id (profiles' publicNamesOf). */
  names: (ids: Iterable<string>) => Promise<Map<string, PublicName>>;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Processing stores 1,800 buckets (3,600 bytes); anything far larger is not a waveform of ours. */
const MAX_WAVEFORM_BUCKETS = 10_000;

/** The stored waveform when it has the shape processing writes, else null (the page then draws a flat line). */
export function waveformOf(value: unknown): EmbedWaveform | null {
  if (typeof value !== 'object' || value === null) return null;
  const { buckets, data, encoding } = value as Record<string, unknown>;
  if (encoding !== undefined && encoding !== 'int8-minmax-base64') return null;
  if (typeof buckets !== 'number' || !Number.isInteger(buckets) || buckets < 1 || buckets > MAX_WAVEFORM_BUCKETS)
    return null;
  if (typeof data !== 'string' || data.length > ((buckets * 2 + 2) / 3) * 4 + 4 || !BASE64.test(data)) return null;
  return { buckets, data };
}

const nameOf = (name: PublicName | undefined) => (name ? (name.display_name ?? name.username) : null);

export class EmbedService {
  readonly #deps: EmbedServiceDeps;

  constructor(deps: EmbedServiceDeps) {
    this.#deps = deps;
  }

  /** The page's content; 404 TRACK_NOT_FOUND for anything but a public, published, live track. */
  async view(trackId: string): Promise<EmbedView> {
    const { repository, names } = this.#deps;
    const found = await repository.findTrack(trackId);
    authorize(playsPolicy.mayEmbed(found), StreamingProblems.trackNotFound);
    const track = found!;
    const markers = await repository.markers(trackId);
    const people = await names([track.creator_id, ...markers.map((marker) => marker.user_id)]);
    return {
      id: track.id,
      title: track.title,
      artist: track.artist,
      creator: nameOf(people.get(track.creator_id)),
      duration: track.duration,
      waveform: waveformOf(track.waveform_data),
      markers: markers
        .filter((marker) => marker.timestamp_seconds >= 0 && marker.timestamp_seconds <= track.duration)
        .map((marker) => ({
          at: marker.timestamp_seconds,
          text: marker.content,
          author: nameOf(people.get(marker.user_id)),
        })),
      streamUrl: `/v1/tracks/${track.id}/stream`,
    };
  }
}
