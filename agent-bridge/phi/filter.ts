import { looksBinary, maskBinary } from './binary.ts';
import { mayHoldHl7, maskHl7 } from './hl7.ts';
import { DEFAULT_PHI_SETTINGS, type PhiSettings } from './settings.ts';
import { placeholder, type Removals } from './tags.ts';
import { createTextMasker } from './text-rules.ts';

/** A line after filtering, and how many items were taken out of it (never what). */
export interface PhiResult {
  text: string;
  removed: number;
}

/** Takes patient identity out of one log line. */
export type PhiFilter = (line: string) => PhiResult;

// Private-use characters mark text a keep pattern protects while the rules run.
const KEEP_OPEN = '\ue000';
const KEEP_CLOSE = '\ue001';
const KEEP_MARK = /\ue000(\d+)\ue001/g;
const MARKERS = /[\ue000\ue001]/g;

/**
 * Builds the filter every device log line passes before it leaves the agent. Order:
 * binary lines are masked whole; HL7 v2 segments are masked by field position; the
 * policy's extra patterns run; then the built-in free-text rules (keys, labels, shapes,
 * addresses, names without a cue). Keep patterns shield text from the free-text rules and
 * extra patterns, not from HL7 positions: a keep pattern written for asset tags must not
 * reopen PID-3. The filter holds no state: delimited exports, whose header decides how
 * later lines are read, go through a `PhiStream` (stream.ts) per source.
 */
export function createPhiFilter(settings: PhiSettings = DEFAULT_PHI_SETTINGS): PhiFilter {
  const maskText = createTextMasker(settings.internalHosts);
  const extras = settings.extraPatterns.map((extra) => ({
    pattern: new RegExp(extra.pattern, extra.ignoreCase ? 'gi' : 'g'),
    text: placeholder(extra.tag),
  }));
  const keep =
    settings.keepPatterns.length > 0
      ? new RegExp(settings.keepPatterns.map((p) => `(?:${p})`).join('|'), 'g')
      : null;

  return (raw) => {
    const removals: Removals = { count: 0 };
    let text = raw.includes(KEEP_OPEN) || raw.includes(KEEP_CLOSE) ? raw.replace(MARKERS, '') : raw;

    if (looksBinary(text)) return { text: maskBinary(text, removals), removed: removals.count };

    const kept: string[] = [];
    if (keep) text = text.replace(keep, (m) => `${KEEP_OPEN}${kept.push(m) - 1}${KEEP_CLOSE}`);
    if (mayHoldHl7(text)) text = maskHl7(text, removals);
    for (const extra of extras) {
      text = text.replace(extra.pattern, (m) => (m ? (removals.count++, extra.text) : m));
    }
    text = maskText(text, removals);
    if (kept.length > 0) text = text.replace(KEEP_MARK, (_m, i: string) => kept[Number(i)] ?? '');

    return { text, removed: removals.count };
  };
}
