import { ADMIN_ROLE } from './rules.js';

/** Who is calling: what authentication established for a request or connection. */
export interface Identity {
  /** The role whose permissions apply. */
  readonly role: string;
  /** The user id (JWT user claim); null for API keys and without authentication. */
  readonly userId: string | null;
  /** The verified token claims (JWT), empty otherwise. Fill `$claims.<name>` in row rules. */
  readonly claims: Readonly<Record<string, unknown>>;
  /**
   * Whom rate limits and connection caps count against: `user:<id>`, `role:<role>` (a token
   * without a user id) or `key:<hash prefix>`; null without authentication (no per-key limits).
   */
  readonly subject: string | null;
  /** When the credential stops being valid (ms since the epoch); undefined: never. */
  readonly expiresAt?: number;
}

/** The identity of every caller when AUTH_MODE is none: the admin role. */
export const ANONYMOUS_ADMIN: Identity = Object.freeze({ role: ADMIN_ROLE, userId: null, claims: Object.freeze({}), subject: null });
