// Subsonic credentials (issue 13 §6, ADR 0051): a user makes app passwords and API keys for their players, sees
// them (never their secrets again) and revokes them. An app password is sealed (SecretBox, ADR 0023) because the
// Subsonic token is md5(password + salt): the server must be able to recompute it. An API key is only hashed.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { SecretBox } from '../../../platform/crypto/index.ts';
import type { Caller } from '../../../platform/http/caller.ts';
import { decodeCursor, toPage } from '../../../platform/http/pagination.ts';
import { ApiError, CommonProblems } from '../../../platform/http/problem.ts';
import { authorize } from '../../../platform/http/route-kit.ts';
import { StreamingProblems } from '../streaming.errors.ts';
import type { CreateCredential, CreatedCredential, Credential, CredentialListQuery } from './credentials.schemas.ts';
import { MAX_CREDENTIALS_PER_USER, type CredentialsRepository } from './credentials.repository.ts';
import { subsonicPolicy } from './subsonic.policy.ts';

/** The additional authenticated data of a sealed app password: it opens as nothing else (ADR 0023). */
export const APP_PASSWORD_PURPOSE = 'subsonic_credentials.sealed_password';
/** API keys carry a recognisable prefix, so that a leaked one is easy to find in a repository or a log. */
export const API_KEY_PREFIX = 'veza_sk_';

// Lower-case letters and digits without the look-alikes (0/o, 1/l/i): an app password is often typed on a phone.
const APP_PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const APP_PASSWORD_GROUPS = 5;
const APP_PASSWORD_GROUP_LENGTH = 5;

/** 25 characters of a 31-letter alphabet: about 124 bits, in groups of five (`abcde-fghjk-…`). */
export function newAppPassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < APP_PASSWORD_GROUPS; g += 1) {
    let group = '';
    for (let c = 0; c < APP_PASSWORD_GROUP_LENGTH; c += 1)
      group += APP_PASSWORD_ALPHABET[randomInt(APP_PASSWORD_ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

/** 256 random bits, base64url, behind the prefix. */
export function newApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function apiKeyHash(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

const iso = (date: Date) => date.toISOString();

export interface CredentialsServiceDeps {
  repository: CredentialsRepository;
  box: () => Promise<SecretBox>;
}

export class CredentialsService {
  readonly #deps: CredentialsServiceDeps;

  constructor(deps: CredentialsServiceDeps) {
    this.#deps = deps;
  }

  async list(caller: Caller, query: CredentialListQuery): Promise<{ items: Credential[]; next_cursor: string | null }> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const page = toPage(await this.#deps.repository.list(caller.userId, after, query.limit), query.limit);
    return {
      items: page.items.map((row) => ({
        id: row.id,
        name: row.name,
        kind: row.kind,
        hint: row.hint,
        created_at: iso(row.created_at),
        last_used_at: row.last_used_at ? iso(row.last_used_at) : null,
      })),
      next_cursor: page.next_cursor,
    };
  }

  async create(caller: Caller, request: CreateCredential): Promise<CreatedCredential> {
    const name = request.name.trim().normalize('NFC');
    if (name.length === 0)
      throw new ApiError(CommonProblems.validationFailed, 'The name is blank', [
        { field: 'body.name', rule: 'minLength', message: 'must hold a visible character' },
      ]);
    const secret = request.kind === 'app_password' ? newAppPassword() : newApiKey();
    const sealed = request.kind === 'app_password' ? (await this.#deps.box()).seal(secret, APP_PASSWORD_PURPOSE) : null;
    const created = await this.#deps.repository.create({
      userId: caller.userId,
      name,
      kind: request.kind,
      sealedPassword: sealed,
      apiKeyHash: request.kind === 'api_key' ? apiKeyHash(secret) : null,
      hint: secret.slice(-4),
    });
    if (created === 'full')
      throw new ApiError(
        StreamingProblems.tooManySubsonicCredentials,
        `You have ${MAX_CREDENTIALS_PER_USER} Subsonic credentials: revoke one before making another`,
      );
    return {
      id: created.id,
      name: created.name,
      kind: created.kind,
      hint: created.hint,
      created_at: iso(created.created_at),
      last_used_at: null,
      secret,
    };
  }

  /** Revokes at once: the next request signed with it is refused (error 40, or 44 for an API key). */
  async revoke(caller: Caller, id: string): Promise<void> {
    const credential = await this.#deps.repository.findOwner(id);
    authorize(subsonicPolicy.mayManageCredential(caller, credential), StreamingProblems.subsonicCredentialNotFound);
    if (!(await this.#deps.repository.revoke(caller.userId, id)))
      throw new ApiError(StreamingProblems.subsonicCredentialNotFound);
  }
}
