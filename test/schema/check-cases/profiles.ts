import type { CheckCase } from './check-case.ts';

export const profilesCheckCases: CheckCase[] = [
  { table: 'user_profiles', constraint: 'chk_user_profiles_theme_valid', bad: { theme: 'neon' } },
  { table: 'badges', constraint: 'chk_badges_category_valid', bad: { category: 'achievement' } },
  { table: 'badges', constraint: 'chk_badges_color_format', bad: { color: 'red' } },
  { table: 'badges', constraint: 'chk_badges_color_format', bad: { color: '#12345G' } },
];
