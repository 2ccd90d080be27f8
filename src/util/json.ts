/** Whether a value is a JSON object: not null and not a list (a document, a patch, a filter, a config section). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
