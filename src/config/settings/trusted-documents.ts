import { settings, text } from '../setting.js';

/** A comma-separated list of role names (empty: none). */
function roleList(raw: string): string[] {
  return raw
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
}

/** Trusted documents: only the operations of known front ends run (README, "Trusted documents"). */
export const TRUSTED_DOCUMENTS = settings({
  /** undefined: off, every document runs (subject to permissions and limits). */
  trustedDocuments: {
    arg: '<path>',
    empty: 'unset',
    parse: text,
    fallback: undefined,
    help: [
      'persisted-documents manifest (JSON: id -> document) or a directory',
      'of them; when set, clients send { documentId } and unknown ids',
      'or raw documents are refused; reloaded on change {env} (default off)',
    ],
  },
  trustedDocumentsBypassRoles: {
    arg: '<list>',
    parse: roleList,
    fallback: [],
    help: ['roles that may still send any document, comma-separated', '(e.g. admin) {env} (default none)'],
  },
});
