import { placeholder, type Removals } from './tags.ts';

// Control bytes other than tab, line breaks and the MLLP framing bytes (0x0b, 0x1c) that
// HL7 captures carry, plus the replacement character left by undecodable bytes.
const JUNK = /[\x00-\x08\x0e-\x1a\x1d-\x1f\x7f-\x9f\ufffd]/g; // eslint-disable-line no-control-regex

// Same shape as the service codes the hub recognises (E-NIBP-0412, W-NET-0107).
const SERVICE_CODE = /\b[A-Z]{1,6}(?:-[A-Z0-9]{1,10}){0,3}-\d{2,8}\b/g;

/**
 * Whether a line is mostly not text: a binary record read as a log line. Its printable
 * remains cannot be parsed reliably, so they are not trusted to be free of identity.
 */
export function looksBinary(line: string): boolean {
  const junk = line.match(JUNK)?.length ?? 0;
  return junk >= 3 && junk * 20 >= line.length;
}

/**
 * Everything goes except recognisable service codes: "[ID] E-NIBP-0412". A line with
 * nothing printable at all becomes empty, so the hub drops it as it drops blank lines.
 */
export function maskBinary(line: string, removals: Removals): string {
  if (line.replace(JUNK, '').trim() === '') return '';
  const codes = line.match(SERVICE_CODE) ?? [];
  removals.count++;

  return [placeholder('ID'), ...codes].join(' ');
}
