// Who may read or delete a stored file: one answer for the owner API, delivery (bearer or signed URL) and,
// later, the modules that hand files to others (a buyer's download, a room's attachment). Pure: the caller,
// the file's row and what other modules already established about the caller are passed in (ADR 0042).
import { ALLOW, deny, type Caller, type Decision } from '../../platform/policy/policy.ts';

/** What a rule needs to know of a `files` row. */
export interface FileSubject {
  user_id: string;
  is_public: boolean;
  deleted_at: Date | null;
  virus_scanned: boolean;
  virus_scan_result: string | null;
}

/**
 * The scan verdicts the pipeline writes into files.virus_scan_result (issue 12 §4): `clean`, `infected`
 * (quarantined), `unscanned` (no scanner installed); NULL until the scan ran.
 */
export type ScanStanding = 'clean' | 'quarantined' | 'unscanned';

export function scanStanding(file: Pick<FileSubject, 'virus_scanned' | 'virus_scan_result'>): ScanStanding {
  const verdict = file.virus_scan_result?.toLowerCase() ?? null;
  if (verdict === 'infected' || verdict?.startsWith('infected') || verdict === 'quarantined') return 'quarantined';
  if (file.virus_scanned && verdict === 'clean') return 'clean';
  return 'unscanned';
}

export interface ReadContext {
  /** NODE_ENV=production: files no scanner has cleared are served to their owner only. */
  production: boolean;
  /**
   * Rules of other modules that admit this caller to this file (e.g. `purchase` for an entitled buyer, `room`
   * for a member of the conversation the file was sent to), established by them before asking; empty today.
   */
  grants?: readonly string[];
  /**
   * Rules of other modules that admit anyone to this file, signed in or not, because the thing the file belongs
   * to is open to everyone (e.g. `track` for the audio of a published public or unlisted track: ADR 0047). The
   * module decided; the file's own checks (deleted, quarantined, scanned in production) still apply.
   */
  openGrants?: readonly string[];
  /** The request carries a valid signed link (signed-urls.ts): it admits whoever holds it, like a public file. */
  signedLink?: boolean;
}

export const filesPolicy = {
  /**
   * The bytes and the description of a file. Deleted files exist for nobody; quarantined ones are never served,
   * and to anyone but the owner they do not exist (the owner is told why, as a 403). A private file is its
   * owner's, or anyone's a grant names; a public one is anyone's, once scanned clean in production.
   */
  mayRead: (caller: Caller | null, file: FileSubject | null | undefined, context: ReadContext): Decision => {
    if (!file || file.deleted_at !== null) return deny('hidden', 'No such file');
    const isOwner = caller !== null && caller.userId === file.user_id;
    const standing = scanStanding(file);
    if (standing === 'quarantined')
      return isOwner
        ? deny('forbidden', 'The virus scanner found malware in this file: it is quarantined and never served')
        : deny('hidden', 'No such file');
    if (isOwner) return ALLOW;
    const admitted =
      file.is_public ||
      context.signedLink === true ||
      (context.openGrants?.length ?? 0) > 0 ||
      (caller !== null && (context.grants?.length ?? 0) > 0);
    // An anonymous caller gets the same 404 as for a missing id: a 401 would confirm that the file exists.
    if (!admitted) return deny('hidden', 'No such file');
    if (context.production && standing !== 'clean') return deny('hidden', 'No such file');
    return ALLOW;
  },

  /** The owner API: listing, describing (scan result and processing state included) and deleting. */
  mayManage: (caller: Caller | null, file: FileSubject | null | undefined): Decision => {
    if (!caller) return deny('unauthenticated', 'Sign in to reach your files');
    if (!file || file.deleted_at !== null || file.user_id !== caller.userId) return deny('hidden', 'No such file');
    return ALLOW;
  },

  /** Only the owner deletes, quarantined files included (that is how they go away). */
  mayDelete: (caller: Caller | null, file: FileSubject | null | undefined): Decision =>
    filesPolicy.mayManage(caller, file),
};
