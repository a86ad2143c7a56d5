// The one way the extension turns a thrown value into text for logs and messages.

/** The message of an Error, else the value as a string. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
