import type { CheckCase } from './check-case.ts';

export const profilesCheckCases: CheckCase[] = [
  { table: 'user_profiles', constraint: 'chk_user_profiles_theme_valid', bad: { theme: 'neon' } },
  // migration 0038 (ADR 0059)
  {
    table: 'user_settings',
    constraint: 'chk_user_settings_presence_visibility_valid',
    bad: { presence_visibility: 'friends' },
  },
  { table: 'badges', constraint: 'chk_badges_category_valid', bad: { category: 'achievement' } },
  { table: 'badges', constraint: 'chk_badges_color_format', bad: { color: 'red' } },
  { table: 'badges', constraint: 'chk_badges_color_format', bad: { color: '#12345G' } },
];
