import { BadInput } from '../errors/domain.js';

/** A field path for orderBy and indexes: dot-separated names, each as a JSON key (any non-empty text without dots). */
export function parseFieldPath(path: string): string[] {
  const parts = path.split('.');
  if (path.length > 256 || parts.some((part) => part.length === 0)) {
    throw new BadInput(`invalid field path ${JSON.stringify(path.slice(0, 80))}: use dot-separated, non-empty field names`, { field: path.slice(0, 80) });
  }
  return parts;
}
