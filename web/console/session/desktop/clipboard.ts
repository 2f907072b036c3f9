/** The most text one clipboard message may carry (the protocol's limit). */
export const MAX_CLIPBOARD_CHARS = 32_000;

/**
 * The technician's clipboard text, when the browser lets the page read it. Null when it
 * does not (permission refused, an insecure page, an empty clipboard): the caller then
 * offers a box to paste into instead.
 */
export async function readLocalClipboard(): Promise<string | null> {
  if (!navigator.clipboard?.readText) return null;

  try {
    const permission = await navigator.permissions
      ?.query({ name: 'clipboard-read' as PermissionName })
      .catch(() => null);
    if (permission?.state === 'denied') return null;

    const text = await navigator.clipboard.readText();
    return text.length > 0 ? text : null;
  } catch {
    return null;
  }
}

/** Puts text on the technician's clipboard; false when the browser refuses. */
export async function writeLocalClipboard(
  text: string,
  fallback: HTMLTextAreaElement | null,
): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Older permission models still allow copying a selection the user just asked for.
    if (!fallback) return false;

    fallback.select();
    return document.execCommand('copy');
  }
}
