// Spec §17: structures the schema excludes for ethical reasons. The list is the minimum; the
// patterns catch the same things under other names (what is excluded is the thing, not the word).

export const EXCLUDED_TABLES: readonly string[] = [
  // §17.1 ML / AI
  'feature_vectors',
  'embeddings',
  'model_outputs',
  'ml_predictions',
  'recommendation_scores',
  'user_analytics',
  // §17.2 blockchain / NFT / crypto
  'nft_tokens',
  'smart_contracts',
  'wallet_addresses',
  'blockchain_transactions',
  'token_balances',
  // §17.3 addictive gamification
  'xp_events',
  'level_thresholds',
  'achievement_unlocks',
  'streaks',
  'leaderboard_entries',
  'daily_challenges',
];

const EXCLUDED_WORDS = [
  // ML artefacts and behavioural profiling
  'embedding',
  'feature_vector',
  'model_output',
  'prediction',
  'predicted',
  'recommendation',
  'recommended',
  'churn',
  'propensity',
  'engagement_score',
  'taste_profile',
  // crypto
  'nft',
  'wallet',
  'blockchain',
  'smart_contract',
  'token_balance',
  'crypto',
  'mint',
  'minted',
  // addictive gamification
  'xp',
  'experience_points',
  'level_threshold',
  'user_level',
  'achievement',
  'streak',
  'leaderboard',
  'daily_challenge',
  'challenge',
  'rank',
  'ranking',
  'rarity',
  'loot',
];

const EXCLUDED = new RegExp(`(^|_)(${EXCLUDED_WORDS.join('|')})s?(_|$)`);

/** True when a snake_case identifier names one of the excluded things. */
export function namesExcludedThing(identifier: string): boolean {
  return EXCLUDED.test(identifier);
}

/**
 * Column types that hold embeddings (pgvector, cube), whatever schema they live in (format_type
 * qualifies types outside the search path); tsvector (full-text search) is not one.
 */
export const ML_VECTOR_TYPES = /^("?\w+"?\.)?(vector|halfvec|sparsevec|cube)(\(|\[|$)/;
