// How much of everything `veza seed --scale 1` makes: the one-year volumes of spec §1.3 for the five tables it
// names, and the proportions the other tables are derived from. Every figure below is at scale 1; a scale S
// multiplies the absolute counts (users, tracks and the event tables), and the per-parent means apply as they are,
// capped where a unique key would run out of distinct values (40 follows each need 41 users).
// docs/seed.md lists the resulting row count of every table.

export const VOLUMES = {
  // spec §1.3 (rows after one year)
  users: 50_000,
  tracks: 500_000,
  messages: 50_000_000,
  analyticsEvents: 500_000_000,
  auditLogs: 100_000_000,

  // event tables (rows at scale 1), spread over the year with activity growing with the user base
  playbackHistory: 120_000_000, // ~200 plays per user per month
  loginAttempts: 1_500_000, // ~10 per user per month, over the 90 days kept (spec §18.1)
  directMessages: 2_000_000, // ~40 per user
  notifications: 5_000_000, // ~100 per user
  searchQueries: 3_000_000, // ~5 searches per user per month
  messageReactionsPerMessage: 0.04, // one message in 25 gets a reaction

  // who the users are (shares of users)
  staffShare: 0.002, // admins and moderators, the first accounts
  creatorShare: 0.2, // upload tracks
  sellerShareOfCreators: 0.25, // ~5% of users sell on the marketplace
  educatorShareOfCreators: 0.1, // ~2% of users teach courses
  premiumShare: 0.08,
  passwordlessShare: 0.1, // log in through a federated identity only

  // auth, per user
  refreshTokensPerUser: 3,
  passwordResetsPerUser: 0.1,
  passwordHistoryPerUser: 2,
  twoFactorShare: 0.15,
  federatedShareWithPassword: 0.2,

  // profiles
  badgesPerUser: 3,
  rolesPerCreator: 1.5,

  // files: one audio file per track, one cover per release of 3 tracks, 2 per product, 1 per lesson,
  // plus a personal pool of this many per user (avatars, attachments, photos, documents)
  personalFilesPerUser: 4,
  uploadsPerUser: 2,
  conversionShareOfTracks: 0.5,

  // streaming
  tracksPerRelease: 3,
  playlistsPerUser: 2,
  tracksPerPlaylist: 20,
  likesPerUser: 50,
  commentsPerTrack: 0.5,
  queueShare: 0.6,
  /** Listeners who made an API key for a Subsonic player (ADR 0051). */
  subsonicKeyShare: 0.03,
  itemsPerQueue: 15,
  playlistFollowsPerUser: 5,
  downloadsPerUser: 10,

  // chat
  roomsPerUser: 0.1,
  membersPerPublicRoom: 40,
  membersPerPrivateRoom: 8,
  typingIndicatorsPerRoom: 0.02,

  // social
  followsPerUser: 40,
  blocksPerUser: 0.5,
  postsPerUser: 20,
  likesPerPost: 5,
  commentsPerPost: 1,
  hashtags: 5_000,
  hashtagsPerPost: 1.5,
  groups: 1_000,
  membersPerGroup: 50,
  groupPostShare: 0.05,

  // marketplace
  productsPerSeller: 20,
  licensesPerProduct: 2,
  cartShare: 0.3,
  itemsPerCart: 2,
  ordersPerUser: 2,
  itemsPerOrder: 1.5,
  reviewShareOfCompletedItems: 0.25,
  favoritesPerUser: 3,
  payoutsPerSeller: 6,
  discountCodes: 1_000,
  discountedOrderShare: 0.1,

  // education
  coursesPerEducator: 2,
  lessonsPerCourse: 12,
  enrollmentsPerUser: 0.5,
  courseQuizShare: 0.5,
  lessonQuizShare: 0.2,

  // hardware and cloud
  equipmentPerUser: 1,
  warrantyShare: 0.3,
  maintenancePerEquipment: 0.5,
  cloudAccountShare: 0.05,
  backupJobShare: 0.8,
  syncOperationsPerAccount: 100,

  // analytics and administration
  reports: 500,
  dashboardShareOfCreators: 0.5,
  moderationReportsPerUser: 0.2,
  actionShareOfResolvedReports: 0.6,
} as const;
