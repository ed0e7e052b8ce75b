/**
 * Text from the cluster or the cloud (status messages, domain names, condition text, cloud error
 * messages) made safe for a terminal. Anyone who can write the object's status, or answer as the
 * cloud, could otherwise move the cursor, rewrite earlier lines, retitle the window or hide text with
 * escape sequences and bidirectional overrides. Control characters are shown, not obeyed: as `\x1b`,
 * the way `cat -v`-style tools show them, so a person still sees that something odd was there.
 */

// C0 controls but tab and newline, DEL, C1 controls (0x80-0x9f: single-byte CSI and OSC), and the Unicode
// bidirectional embeddings, overrides and isolates, which reorder what a terminal shows.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_IN_TEXT = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
// In one line (a table cell, a progress step) tab and newline would break the layout too.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_IN_LINE = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

function visible(character: string): string {
  const code = character.charCodeAt(0);
  if (character === '\n') return '\\n';
  if (character === '\t') return '\\t';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Text that may span lines (tabs and newlines kept), with every other control character shown, not obeyed. */
export function terminalSafeText(text: string): string {
  return text.replace(UNSAFE_IN_TEXT, visible);
}

/** One line of text (a table cell, a progress line): newlines and tabs shown as `\n` and `\t` too. */
export function terminalSafeLine(text: string): string {
  return text.replace(UNSAFE_IN_LINE, visible);
}
