// The profiles domain (spec §5 Users & Profiles). Other domains import from this file only.

export { profilesModule } from './profiles.module.ts';
export { isLanguageCode, isTimeZone } from './profiles.service.ts';
export { accountsNamed, publicNamesOf, type PublicName } from './public-names.ts';
export { profileVisibilityOf, type ProfileVisibility } from './profile-privacy.ts';
export { gearSetupPublicOf, setGearSetupPublic } from './gear-setup-visibility.ts';
export { searchHistoryEnabledOf, setSearchHistoryEnabled } from './search-history-setting.ts';

/** Tables this domain owns: only its repositories read or write them (migration 0003). */
export const profilesTables = ['user_profiles', 'user_settings', 'user_roles', 'badges', 'user_badges'] as const;
export {
  DEFAULT_PRESENCE_VISIBILITY,
  presenceVisibilityOf,
  setPresenceVisibility,
  type PresenceVisibility,
} from './presence-visibility.ts';
