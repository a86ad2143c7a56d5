// The one way the extension turns a thrown value into text for logs and messages, and the rule
// that a failure the user has been shown once is not shown again.

/** The message of an Error, else the value as a string. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Failures already shown to the user (a message with "Show Log") by the step that caught them. */
const shown = new WeakSet<object>();

/** Records that `e` has been shown to the user; returns it, to be rethrown. */
export function markShown(e: unknown): unknown {
  if (typeof e === 'object' && e !== null) shown.add(e);
  return e;
}

/**
 * A command handler whose failure, once shown to the user, ends the command with `undefined`, as a
 * cancel does. Rejected, VS Code would show the same failure a second time ("Command … resulted in an
 * error", a modal dialog when run from the palette). Failures nobody has shown still reject.
 */
export function quietWhenShown<A extends unknown[], R>(
  handler: (...args: A) => Promise<R>,
): (...args: A) => Promise<R | undefined> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (e) {
      if (typeof e === 'object' && e !== null && shown.has(e)) return undefined;
      throw e;
    }
  };
}
