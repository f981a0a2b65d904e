// Search quality and latency (issue 18 §5; ADR 0088): a labelled set of queries (exact titles, typos, missing
// accents, prefixes, French and English stems, names) over a corpus of labelled documents among ~150,000
// distractors (about the search_index size of seed scale 0.1), each query run through the search repository as the
// endpoint runs it. Reports recall@10 (the expected document is in the first ten) and MRR (mean of 1/rank), per
// kind of query, and the latency of the repository call (p50/p95 over every run).
//
// Used by `npm run bench` (bench/run.ts, part "search") on a database of its own; on its own:
//   node bench/search-quality.ts --database veza_search_quality [--distractors 150000]
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { createSearchRepository, SEARCH_TYPES } from '../src/domains/search/index.ts';
import { prepareQuery } from '../src/domains/search/search.text.ts';
import { loadConfig } from '../src/platform/config/config.ts';
import { ensureDatabase, openDatabaseServer, withDatabase } from '../src/platform/db/database-server.ts';
import { Migrator } from '../src/platform/db/migrations.ts';
import { openPool } from '../src/platform/db/pool.ts';
import { ADJECTIVES, NOUNS } from '../src/seed/vocabulary.ts';

type Kind = 'exact' | 'typo' | 'accents' | 'prefix' | 'stem' | 'name';

/** A labelled document: key, kind of entity, title, subtitle (artist, creator), body. */
const DOCUMENTS: [string, string, string, string | null, string | null][] = [
  ['t1', 'track', 'Nuit étoilée sur Montréal', 'Élise Marchand', 'ambient piano'],
  ['t2', 'track', 'Bohemian Lullaby', 'The Driftwood Choir', 'folk'],
  ['t3', 'track', 'Les chansons du fleuve', 'Camille Roux', 'chanson française'],
  ['t4', 'track', 'Café noir à Lisbonne', 'Inês Alves', 'fado jazz'],
  ['t5', 'track', 'Midnight Harbor', 'Kenji Ito', 'lofi'],
  ['t6', 'track', 'Électricité statique', 'Noé Dubois', 'techno'],
  ['t7', 'track', 'Summer Breeze in Kyoto', 'Yuki Tanaka', 'city pop'],
  ['t8', 'track', 'Forêt enchantée', 'Léa Moreau', 'orchestral'],
  ['t9', 'track', 'Running Through Thunderstorms', 'Omar Haddad', 'drum and bass'],
  ['t10', 'track', 'Déjà vu', 'Hélène Petit', 'house'],
  ['t11', 'track', 'Pluie sur les toits', 'François Laurent', 'acoustic'],
  ['t12', 'track', 'Golden Skyline Boulevard', 'Maya Singh', 'synthwave'],
  ['t13', 'track', 'Mélancolie d’automne', 'Chloé Bernard', 'piano'],
  ['t14', 'track', 'Whispering Glaciers', 'Jonas Hansen', 'ambient'],
  ['t15', 'track', 'Señorita del mar', 'Mateo García', 'latin'],
  ['u1', 'user', 'Zoé Lefèvre', 'zoelefevre', 'producer from Marseille'],
  ['u2', 'user', 'Björn Ångström', 'bjornangstrom', 'modular synth'],
  ['u3', 'user', 'Amara Okafor', 'amaraokafor', 'afrobeat singer'],
  ['u4', 'user', 'Théo Girard', 'theogirard', 'beatmaker'],
  ['p1', 'playlist', 'Soirée jazz du dimanche', 'Zoé Lefèvre', 'smooth jazz for sundays'],
  ['p2', 'playlist', 'Workout Bangers 2025', 'Amara Okafor', 'high energy'],
  ['p3', 'playlist', 'Rêveries électroniques', 'Théo Girard', 'downtempo'],
  ['r1', 'product', 'Vintage Drum Machine Samples', 'Björn Ångström', 'sample pack 808 909'],
  ['r2', 'product', 'Boîte à rythmes analogique', 'Théo Girard', 'sample pack'],
  ['r3', 'product', 'Cinematic String Ensembles', 'Jonas Hansen', 'orchestral library'],
  ['c1', 'course', 'Mixage et mastering pour débutants', 'Léa Moreau', 'apprendre à mixer'],
  ['c2', 'course', 'Music Theory Fundamentals', 'Maya Singh', 'scales chords harmony'],
  ['c3', 'course', 'Synthèse sonore modulaire', 'Björn Ångström', 'oscillateurs filtres'],
  ['g1', 'group', 'Producteurs de Lyon', 'producteurs-lyon', 'communauté locale'],
  ['g2', 'group', 'Bedroom Producers Unite', 'bedroom-producers', 'home studio tips'],
  ['h1', 'hashtag', 'musiqueélectronique', null, 'musiqueelectronique'],
  ['h2', 'hashtag', 'lofihiphop', null, 'lofihiphop'],
];

/** A labelled query: what is typed, the key of the document it must find, the kind of query. */
const QUERIES: [string, string, Kind][] = [
  ['Nuit étoilée sur Montréal', 't1', 'exact'],
  ['Bohemian Lullaby', 't2', 'exact'],
  ['Les chansons du fleuve', 't3', 'exact'],
  ['Midnight Harbor', 't5', 'exact'],
  ['Summer Breeze in Kyoto', 't7', 'exact'],
  ['Running Through Thunderstorms', 't9', 'exact'],
  ['Golden Skyline Boulevard', 't12', 'exact'],
  ['Whispering Glaciers', 't14', 'exact'],
  ['Soirée jazz du dimanche', 'p1', 'exact'],
  ['Vintage Drum Machine Samples', 'r1', 'exact'],
  ['Music Theory Fundamentals', 'c2', 'exact'],
  ['Bedroom Producers Unite', 'g2', 'exact'],
  ['Amara Okafor', 'u3', 'exact'],
  ['Déjà vu', 't10', 'exact'],
  ['#lofihiphop', 'h2', 'exact'],
  ['bohemain lullaby', 't2', 'typo'],
  ['midnite harbor', 't5', 'typo'],
  ['whispering glacers', 't14', 'typo'],
  ['runing through thunderstorms', 't9', 'typo'],
  ['summer breze kyoto', 't7', 'typo'],
  ['vintage drum machin samples', 'r1', 'typo'],
  ['music theroy', 'c2', 'typo'],
  ['cinematic strings ensemble', 'r3', 'typo'],
  ['amara okafr', 'u3', 'typo'],
  ['bedrom producers', 'g2', 'typo'],
  ['golden skylin', 't12', 'typo'],
  ['thunderstroms', 't9', 'typo'],
  ['nuit etoilee sur montreal', 't1', 'accents'],
  ['cafe noir a lisbonne', 't4', 'accents'],
  ['electricite statique', 't6', 'accents'],
  ['foret enchantee', 't8', 'accents'],
  ['deja vu', 't10', 'accents'],
  ['melancolie d automne', 't13', 'accents'],
  ['zoe lefevre', 'u1', 'accents'],
  ['bjorn angstrom', 'u2', 'accents'],
  ['soiree jazz', 'p1', 'accents'],
  ['boite a rythmes analogique', 'r2', 'accents'],
  ['synthese sonore modulaire', 'c3', 'accents'],
  ['senorita del mar', 't15', 'accents'],
  ['musiqueelectronique', 'h1', 'accents'],
  ['whisper', 't14', 'prefix'],
  ['glaci', 't14', 'prefix'],
  ['thunderst', 't9', 'prefix'],
  ['rêveries électro', 'p3', 'prefix'],
  ['mixage et master', 'c1', 'prefix'],
  ['cinemat', 'r3', 'prefix'],
  ['produc lyon', 'g1', 'prefix'],
  ['théo gir', 'u4', 'prefix'],
  ['chanson fleuves', 't3', 'stem'],
  ['enchanted forêts', 't8', 'prefix'],
  ['whispering glacier', 't14', 'stem'],
  ['running thunderstorm', 't9', 'stem'],
  ['samples drum machines', 'r1', 'stem'],
  ['débutant mixage', 'c1', 'stem'],
  ['producteur lyon', 'g1', 'stem'],
  ['élise marchand étoilée', 't1', 'name'],
  ['kenji ito harbor', 't5', 'name'],
  ['ines alves cafe', 't4', 'name'],
  ['maya singh skyline', 't12', 'name'],
];

// Distractor words: the seed's vocabulary, French and English words the labelled titles share, so that a query
// word matches many documents and the ranking, not the match alone, decides.
const FILLER = [
  ...ADJECTIVES,
  ...NOUNS,
  'Nuit',
  'Montréal',
  'Chanson',
  'Café',
  'Harbor',
  'Summer',
  'Forêt',
  'Pluie',
  'Golden',
  'Skyline',
  'Automne',
  'Glacier',
  'Mar',
  'Jazz',
  'Dimanche',
  'Drum',
  'Machine',
  'Samples',
  'Music',
  'Theory',
  'Producers',
  'Lyon',
  'Électro',
  'Rêve',
  'Fleuve',
  'Soirée',
  'Thunder',
  'Running',
  'Lullaby',
  'Breeze',
  'Vintage',
  'String',
  'Mixage',
];

/** About the search_index size of seed scale 0.1 (tracks, users, playlists, posts, products, courses, groups). */
export const SEARCH_DISTRACTORS = 150_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export interface SearchQualityResult {
  queries: number;
  documents: number;
  recallAt10: number;
  mrr: number;
  byKind: Record<string, { queries: number; recallAt10: number; mrr: number }>;
  latencyMs: { p50: number; p95: number; runs: number };
  misses: string[];
}

/** Fills `url` (a migrated, empty-of-search database of its own) and measures; answers the figures. */
export async function measureSearchQuality(url: string, distractors: number): Promise<SearchQualityResult> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const pool = openPool(url, { ...loadConfig().db, poolSize: 2 });
  try {
    await admin`DELETE FROM search_index`;
    await admin`DELETE FROM search_terms`;
    // Distractors: deterministic titles of two or three filler words, recent to old, every kind.
    await admin`
      INSERT INTO search_index (entity_type, entity_id, title, subtitle, body, visibility, published_at)
      SELECT (${SEARCH_TYPES.filter((t) => t !== 'post')}::text[])[1 + i % 7], gen_random_uuid(),
             f[1 + (i * 7) % n] || ' ' || f[1 + (i * 13 + 5) % n] || CASE WHEN i % 3 = 0 THEN ' ' || f[1 + (i * 29 + 11) % n] ELSE '' END,
             f[1 + (i * 17 + 3) % n] || ' ' || f[1 + (i * 19 + 1) % n],
             f[1 + (i * 23 + 2) % n] || ' ' || f[1 + (i * 31 + 4) % n] || ' ' || f[1 + (i * 37 + 6) % n],
             'public', TIMESTAMPTZ '2025-01-01' - make_interval(days => i % 1500)
      FROM generate_series(1, ${distractors}) AS i,
           (SELECT ${FILLER}::text[] AS f, ${FILLER.length}::int AS n) words`;
    const ids = new Map<string, string>();
    for (const [key, type, title, subtitle, body] of DOCUMENTS) {
      const [row] = await admin<{ entity_id: string }[]>`
        INSERT INTO search_index (entity_type, entity_id, title, subtitle, body, visibility, published_at)
        VALUES (${type}, gen_random_uuid(), ${title}, ${subtitle}, ${body}, 'public', TIMESTAMPTZ '2024-06-01')
        RETURNING entity_id`;
      ids.set(key, row!.entity_id);
    }
    const repository = createSearchRepository(pool.db);
    // The documents went straight into search_index: their words reach the typo vocabulary as the job would add them.
    await repository.addVocabulary(undefined);
    await admin`ANALYZE search_index`;
    await admin`ANALYZE search_terms`;
    const run = async (typed: string) => {
      const prepared = prepareQuery(typed);
      const started = performance.now();
      const hits = await repository.search({
        words: prepared.words,
        phrase: prepared.phrase,
        types: SEARCH_TYPES,
        viewerId: undefined,
        limit: 10,
        offset: 0,
      });
      return { hits, ms: performance.now() - started };
    };
    for (const [typed] of QUERIES) await run(typed); // warm-up
    const latencies: number[] = [];
    const byKind: SearchQualityResult['byKind'] = {};
    const misses: string[] = [];
    let found = 0;
    let reciprocal = 0;
    for (const [typed, key, kind] of QUERIES) {
      const { hits, ms } = await run(typed);
      latencies.push(ms);
      for (let again = 0; again < 4; again += 1) latencies.push((await run(typed)).ms);
      const rank = hits.findIndex((hit) => hit.entity_id === ids.get(key)) + 1;
      const entry = (byKind[kind] ??= { queries: 0, recallAt10: 0, mrr: 0 });
      entry.queries += 1;
      if (rank > 0) {
        found += 1;
        reciprocal += 1 / rank;
        entry.recallAt10 += 1;
        entry.mrr += 1 / rank;
      } else {
        misses.push(`${typed} (${kind})`);
      }
    }
    for (const entry of Object.values(byKind)) {
      entry.recallAt10 /= entry.queries;
      entry.mrr /= entry.queries;
    }
    latencies.sort((a, b) => a - b);
    return {
      queries: QUERIES.length,
      documents: distractors + DOCUMENTS.length,
      recallAt10: found / QUERIES.length,
      mrr: reciprocal / QUERIES.length,
      byKind,
      latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), runs: latencies.length },
      misses,
    };
  } finally {
    await pool.close();
    await admin.end({ timeout: 5 });
  }
}

/** One line for the benchmark report. */
export function describeSearchQuality(result: SearchQualityResult): string {
  const kinds = Object.entries(result.byKind)
    .map(([kind, k]) => `${kind} ${k.recallAt10.toFixed(2)}/${k.mrr.toFixed(2)} (${k.queries})`)
    .join(', ');
  return (
    `search quality: ${result.queries} labelled queries over ${result.documents} documents: recall@10 ` +
    `${result.recallAt10.toFixed(3)}, MRR ${result.mrr.toFixed(3)} (per kind recall/MRR: ${kinds}); latency p50 ` +
    `${result.latencyMs.p50.toFixed(1)} ms, p95 ${result.latencyMs.p95.toFixed(1)} ms over ${result.latencyMs.runs} runs` +
    (result.misses.length > 0 ? `; missed: ${result.misses.join('; ')}` : '')
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      database: { type: 'string', default: 'veza_search_quality' },
      distractors: { type: 'string', default: String(SEARCH_DISTRACTORS) },
    },
  });
  if (values.database === 'postgres') throw new Error('never the postgres database');
  const config = loadConfig();
  const server = await openDatabaseServer(config);
  try {
    const url = await ensureDatabase(withDatabase(server.url, 'postgres'), values.database);
    await new Migrator(url).migrate();
    console.log(describeSearchQuality(await measureSearchQuality(url, Number(values.distractors))));
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
