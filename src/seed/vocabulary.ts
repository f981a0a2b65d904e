// Small word lists the seed data is assembled from: realistic enough to read, short enough to keep the generator
// fast. Every list is ASCII without tabs, newlines or backslashes (COPY text needs no escaping of them).
import type { Rng } from './random.ts';

// at most 10 characters: a username is first + '_' + last + index and must fit in 30 (chk_users_username_format)
// prettier-ignore
export const FIRST_NAMES = [
  'Alice', 'Amara', 'Ana', 'Arjun', 'Bea', 'Bruno', 'Camille', 'Carlos', 'Chen', 'Chloe', 'Dario', 'Diego',
  'Elena', 'Emma', 'Ethan', 'Fatima', 'Felix', 'Gabriel', 'Grace', 'Hana', 'Hugo', 'Ines', 'Isaac', 'Ivy',
  'Jade', 'Jonas', 'Julia', 'Kai', 'Kenji', 'Lea', 'Leo', 'Lina', 'Lucas', 'Maya', 'Mateo', 'Mia', 'Nadia',
  'Noah', 'Nora', 'Olga', 'Omar', 'Paul', 'Priya', 'Quentin', 'Rosa', 'Sami', 'Sara', 'Theo', 'Uma', 'Victor',
  'Yara', 'Yuki', 'Zoe', 'Zane',
] as const;

// at most 12 characters
// prettier-ignore
export const LAST_NAMES = [
  'Adams', 'Alves', 'Bauer', 'Bernard', 'Costa', 'Dubois', 'Durand', 'Evans', 'Fischer', 'Garcia', 'Gomez',
  'Haddad', 'Hansen', 'Ito', 'Jensen', 'Kim', 'Kowalski', 'Laurent', 'Lee', 'Lopez', 'Martin', 'Meyer',
  'Moreau', 'Mueller', 'Nakamura', 'Nguyen', 'Novak', 'Okafor', 'Olsen', 'Patel', 'Perez', 'Petit', 'Rossi',
  'Roux', 'Santos', 'Schmidt', 'Silva', 'Singh', 'Smith', 'Sousa', 'Tanaka', 'Wagner', 'Weber', 'Wilson',
  'Yilmaz', 'Zhang',
] as const;

export const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.com', 'veza.example'] as const;

/** City, ISO 3166 country, IANA time zone, ISO 639-1 language. */
export const PLACES = [
  ['Paris', 'FR', 'Europe/Paris', 'fr'],
  ['Lyon', 'FR', 'Europe/Paris', 'fr'],
  ['Marseille', 'FR', 'Europe/Paris', 'fr'],
  ['Brussels', 'BE', 'Europe/Brussels', 'fr'],
  ['Montreal', 'CA', 'America/Toronto', 'fr'],
  ['Berlin', 'DE', 'Europe/Berlin', 'de'],
  ['Hamburg', 'DE', 'Europe/Berlin', 'de'],
  ['Vienna', 'AT', 'Europe/Vienna', 'de'],
  ['London', 'GB', 'Europe/London', 'en'],
  ['Manchester', 'GB', 'Europe/London', 'en'],
  ['Dublin', 'IE', 'Europe/Dublin', 'en'],
  ['New York', 'US', 'America/New_York', 'en'],
  ['Chicago', 'US', 'America/Chicago', 'en'],
  ['Los Angeles', 'US', 'America/Los_Angeles', 'en'],
  ['Detroit', 'US', 'America/Detroit', 'en'],
  ['Toronto', 'CA', 'America/Toronto', 'en'],
  ['Sydney', 'AU', 'Australia/Sydney', 'en'],
  ['Madrid', 'ES', 'Europe/Madrid', 'es'],
  ['Barcelona', 'ES', 'Europe/Madrid', 'es'],
  ['Mexico City', 'MX', 'America/Mexico_City', 'es'],
  ['Buenos Aires', 'AR', 'America/Argentina/Buenos_Aires', 'es'],
  ['Lisbon', 'PT', 'Europe/Lisbon', 'pt'],
  ['Sao Paulo', 'BR', 'America/Sao_Paulo', 'pt'],
  ['Rome', 'IT', 'Europe/Rome', 'it'],
  ['Milan', 'IT', 'Europe/Rome', 'it'],
  ['Amsterdam', 'NL', 'Europe/Amsterdam', 'nl'],
  ['Stockholm', 'SE', 'Europe/Stockholm', 'sv'],
  ['Tokyo', 'JP', 'Asia/Tokyo', 'ja'],
  ['Seoul', 'KR', 'Asia/Seoul', 'ko'],
  ['Lagos', 'NG', 'Africa/Lagos', 'en'],
  ['Johannesburg', 'ZA', 'Africa/Johannesburg', 'en'],
  ['Mumbai', 'IN', 'Asia/Kolkata', 'en'],
] as const;

// prettier-ignore
export const GENRES = [
  'electronic', 'house', 'techno', 'ambient', 'hip-hop', 'lo-fi', 'jazz', 'soul', 'funk', 'rock', 'indie',
  'pop', 'folk', 'classical', 'drum and bass', 'dubstep', 'reggae', 'afrobeat', 'latin', 'metal', 'r&b',
  'experimental', 'soundtrack', 'trap',
] as const;

// prettier-ignore
export const MUSICAL_KEYS = [
  'C', 'Cm', 'C#', 'C#m', 'D', 'Dm', 'Eb', 'Ebm', 'E', 'Em', 'F', 'Fm', 'F#', 'F#m', 'G', 'Gm', 'Ab', 'Abm',
  'A', 'Am', 'Bb', 'Bbm', 'B', 'Bm',
] as const;

// prettier-ignore
export const ADJECTIVES = [
  'Midnight', 'Golden', 'Electric', 'Silent', 'Broken', 'Velvet', 'Neon', 'Distant', 'Hidden', 'Endless',
  'Crystal', 'Wild', 'Lost', 'Burning', 'Frozen', 'Secret', 'Lunar', 'Solar', 'Quiet', 'Restless', 'Blue',
  'Crimson', 'Paper', 'Northern', 'Slow', 'Sunday', 'Analog', 'Faded', 'Hollow', 'Bright',
] as const;

// prettier-ignore
export const NOUNS = [
  'Dreams', 'Skyline', 'Echoes', 'River', 'Garden', 'Signal', 'Horizon', 'Heartbeat', 'Tides', 'Shadows',
  'Lights', 'Waves', 'Memories', 'Streets', 'Satellite', 'Mirage', 'Pulse', 'Orbit', 'Rain', 'Fire',
  'Highway', 'Letters', 'Circuit', 'Harbor', 'Motion', 'Bloom', 'Static', 'Voyage', 'Parade', 'Atlas',
] as const;

// prettier-ignore
const SENTENCE_WORDS = [
  'the', 'mix', 'sounds', 'really', 'good', 'on', 'this', 'track', 'love', 'bassline', 'drop', 'vocals', 'beat',
  'session', 'tonight', 'anyone', 'going', 'to', 'festival', 'new', 'release', 'check', 'out', 'my', 'latest',
  'remix', 'thanks', 'for', 'the', 'feedback', 'working', 'on', 'a', 'collab', 'with', 'studio', 'synth', 'pad',
  'reverb', 'too', 'much', 'kick', 'needs', 'more', 'punch', 'great', 'vibe', 'playlist', 'added', 'it', 'to',
  'who', 'mastered', 'sample', 'pack', 'drums', 'groove', 'tempo', 'key', 'chords', 'melody', 'live', 'set',
  'stream', 'later', 'today', 'weekend', 'gig', 'venue', 'crowd', 'was', 'amazing', 'guitar', 'piano', 'loop',
] as const;

// prettier-ignore
export const HASHTAG_WORDS = [
  'newmusic', 'producer', 'beatmaker', 'mixing', 'mastering', 'synth', 'modular', 'vinyl', 'livecoding',
  'housemusic', 'techno', 'lofi', 'jazz', 'hiphop', 'ambient', 'studio', 'homestudio', 'songwriting', 'remix',
  'collab', 'samplepack', 'drumandbass', 'indie', 'guitar', 'piano', 'vocals', 'soundDesign', 'fieldrecording',
  'dj', 'setlist', 'release', 'demo', 'wip', 'feedback', 'tutorial', 'gear', 'analog', 'plugin', 'daw',
  'ableton', 'flstudio', 'logicpro', 'bitwig', 'reaper', 'eurorack', 'drummachine', 'bassline', 'chill',
].map((word) => word.toLowerCase());

export const PRODUCT_KINDS = {
  sample: ['Drum Kit', 'Vocal Chops', 'Foley Pack', 'Loop Pack', 'One Shots', 'Field Recordings'],
  beat: ['Beat', 'Instrumental', 'Type Beat', 'Riddim'],
  preset: ['Serum Presets', 'Synth Bank', 'Vital Presets', 'Pad Collection', 'Bass Presets'],
  template: ['Ableton Template', 'FL Studio Template', 'Logic Template', 'Mixing Chain'],
  service: ['Mixing Service', 'Mastering Service', 'Custom Beat', 'Vocal Tuning', 'Feedback Session'],
} as const;

export const COURSE_TOPICS = [
  'Mixing Fundamentals',
  'Mastering at Home',
  'Sound Design with Subtractive Synths',
  'Music Theory for Producers',
  'Writing Better Hooks',
  'Drum Programming',
  'Vocal Recording',
  'Arrangement Techniques',
  'Sampling Ethics and Craft',
  'Modular Synthesis Basics',
  'DJing from Scratch',
  'Film Scoring Essentials',
  'Guitar for Producers',
  'Jazz Harmony',
  'Live Performance Setup',
  'Acoustic Treatment',
] as const;

/** Equipment categories: [slug, name, parent slug or null]; parents come first. */
export const EQUIPMENT_CATEGORIES = [
  ['instruments', 'Instruments', null],
  ['studio', 'Studio', null],
  ['live', 'Live', null],
  ['guitars', 'Guitars', 'instruments'],
  ['basses', 'Basses', 'instruments'],
  ['keyboards', 'Keyboards', 'instruments'],
  ['synthesizers', 'Synthesizers', 'instruments'],
  ['drum-machines', 'Drum Machines', 'instruments'],
  ['drums', 'Drums', 'instruments'],
  ['microphones', 'Microphones', 'studio'],
  ['audio-interfaces', 'Audio Interfaces', 'studio'],
  ['monitors', 'Studio Monitors', 'studio'],
  ['headphones', 'Headphones', 'studio'],
  ['outboard', 'Outboard Gear', 'studio'],
  ['controllers', 'MIDI Controllers', 'studio'],
  ['dj-gear', 'DJ Gear', 'live'],
  ['pa-systems', 'PA Systems', 'live'],
  ['effects-pedals', 'Effects Pedals', 'live'],
  ['cables', 'Cables and Stands', 'live'],
] as const;

/** The ids migration 0049 gives the starting categories (db/migrations/0049_hardware_equipment_categories_seed.up.sql). */
export const EQUIPMENT_CATEGORY_IDS: Record<(typeof EQUIPMENT_CATEGORIES)[number][0], string> = {
  instruments: 'ec000000-0000-4000-8000-000000000001',
  studio: 'ec000000-0000-4000-8000-000000000002',
  live: 'ec000000-0000-4000-8000-000000000003',
  guitars: 'ec000000-0000-4000-8000-000000000004',
  basses: 'ec000000-0000-4000-8000-000000000005',
  keyboards: 'ec000000-0000-4000-8000-000000000006',
  synthesizers: 'ec000000-0000-4000-8000-000000000007',
  'drum-machines': 'ec000000-0000-4000-8000-000000000008',
  drums: 'ec000000-0000-4000-8000-000000000009',
  microphones: 'ec000000-0000-4000-8000-000000000010',
  'audio-interfaces': 'ec000000-0000-4000-8000-000000000011',
  monitors: 'ec000000-0000-4000-8000-000000000012',
  headphones: 'ec000000-0000-4000-8000-000000000013',
  outboard: 'ec000000-0000-4000-8000-000000000014',
  controllers: 'ec000000-0000-4000-8000-000000000015',
  'dj-gear': 'ec000000-0000-4000-8000-000000000016',
  'pa-systems': 'ec000000-0000-4000-8000-000000000017',
  'effects-pedals': 'ec000000-0000-4000-8000-000000000018',
  cables: 'ec000000-0000-4000-8000-000000000019',
};

// prettier-ignore
export const GEAR_BRANDS = [
  'Roland', 'Korg', 'Moog', 'Yamaha', 'Fender', 'Gibson', 'Shure', 'Neumann', 'Focusrite', 'Universal Audio',
  'Arturia', 'Novation', 'Elektron', 'Pioneer', 'Sennheiser', 'Audio-Technica', 'Genelec', 'KRK', 'Boss', 'Native Instruments',
] as const;

export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36',
  'Veza/2.3.1 (iOS 17.5; iPhone15,2)',
  'Veza/2.3.0 (Android 14; SM-S911B)',
] as const;

/** [ISO 3166 code, weight]: where the analytics events come from. */
// prettier-ignore
export const COUNTRY_WEIGHTS = [
  ['FR', 22], ['US', 18], ['DE', 10], ['GB', 9], ['CA', 5], ['BE', 4], ['ES', 4], ['IT', 4], ['NL', 3],
  ['BR', 3], ['JP', 3], ['MX', 2], ['AU', 2], ['PT', 2], ['SE', 2], ['NG', 2], ['IN', 2], ['KR', 1], ['ZA', 1],
  ['AR', 1],
] as const;

/** A sentence of `min` to `max` words from the chat vocabulary, capitalised, with a final punctuation mark. */
export function sentence(rng: Rng, min: number, max: number): string {
  const count = rng.between(min, max);
  let text = '';
  for (let i = 0; i < count; i++) {
    const word = rng.pick(SENTENCE_WORDS);
    text += i === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : ` ${word}`;
  }
  return text + rng.pick(['.', '.', '!', '?', '']);
}

/** A few sentences: descriptions, bios, post bodies. */
export function paragraph(rng: Rng, sentences: number): string {
  const parts: string[] = [];
  for (let i = 0; i < sentences; i++) parts.push(sentence(rng, 4, 12));
  return parts.join(' ');
}

/** "Adjective Noun": track and playlist titles. */
export function title(rng: Rng): string {
  return `${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)}`;
}

/** Lower-case words joined by '-', for slugs matching ^[a-z0-9]+(-[a-z0-9]+)*$. */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** A random public IPv4 address (documentation ranges avoided on purpose: they look fake in dashboards). */
export function ipv4(rng: Rng): string {
  return `${rng.between(11, 223)}.${rng.int(256)}.${rng.int(256)}.${rng.between(1, 254)}`;
}
