/** The deepest nesting of objects and arrays a frame may have (docs/protocol.md, "Nesting depth"). */
export const DEFAULT_MAX_JSON_DEPTH = 64;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * True when JSON text nests objects and arrays deeper than `max`. It scans the text once, without
 * recursion and without parsing, so that a 10,000-deep frame is refused before `JSON.parse` and
 * before anything recursive (`JSON.stringify`, structured clone) could overflow the stack on it.
 * Brackets inside strings do not count. Malformed text is not judged here: the parser does that.
 *
 * @example
 * ```ts
 * nestsDeeperThan('{"a":[[1]]}', 2); // true (depth 3)
 * nestsDeeperThan('{"a":"[[[["}', 2); // false
 * ```
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  // A text with no more brackets than `max` cannot nest deeper: most frames are short.
  if (text.length <= max) return false;
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Skip the string: the next quote that is not escaped ends it.
      for (i++; i < n; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}
