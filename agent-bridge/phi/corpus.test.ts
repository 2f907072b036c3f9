import { describe, expect, it } from 'vitest';
import { generateCorpus, type CorpusLine } from './corpus.ts';
import { createPhiFilter } from './filter.ts';
import { PhiStreams } from './stream.ts';

/** Filters the corpus as the hub does: one stream per source, lines in order. */
function filterCorpus(corpus: readonly CorpusLine[]): Array<{ text: string; removed: number }> {
  const streams = new PhiStreams(createPhiFilter());
  return corpus.map((line) => streams.next(line.source ?? 'device', line.text));
}

describe('the PHI filter on a generated device log', () => {
  const corpus = generateCorpus(5000, 42);
  const results = filterCorpus(corpus);
  const pairs = corpus.map((line, i) => ({ line, out: results[i] ?? { text: '', removed: 0 } }));

  it('plants identifiers in a good share of lines, so the check means something', () => {
    const withIdentity = corpus.filter((line) => line.planted.length > 0).length;
    const has = (pattern: RegExp) => corpus.some((line) => pattern.test(line.text));

    expect(withIdentity).toBeGreaterThan(1500);
    expect(has(/PID\|/) && has(/OBX\|/)).toBe(true);
    expect(has(/^PatientName[,;\t|]MRN/)).toBe(true);
    expect(has(/"patientName":/) && has(/surname=/)).toBe(true);
    expect(has(/Hauptstraße|Kerkstraat|rue de la Paix|NSW 2000/)).toBe(true);
    expect(has(/NOTE \S+ \S+.* called about/)).toBe(true);
  });

  it('removes every planted identifier', () => {
    const leaks = pairs.flatMap(({ line, out }) =>
      line.planted.filter((p) => out.text.includes(p)).map((p) => ({ p, out: out.text })),
    );

    expect(leaks).toEqual([]);
  });

  it('keeps every service fact: model, serial, firmware, codes, timestamps, values, LOINC', () => {
    const lost = pairs.flatMap(({ line, out }) =>
      line.facts.filter((f) => !out.text.includes(f)).map((f) => ({ f, out: out.text })),
    );

    expect(lost).toEqual([]);
  });

  it('reports removals only for lines that had identity in them: no false positives', () => {
    const wrong = pairs.filter(({ line, out }) =>
      line.planted.length === 0 ? out.removed !== 0 : out.removed === 0,
    );

    expect(wrong.map(({ line, out }) => [line.text, out.text])).toEqual([]);
  });
});
