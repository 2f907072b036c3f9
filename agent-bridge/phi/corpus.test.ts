import { describe, expect, it } from 'vitest';
import { generateCorpus } from './corpus.ts';
import { createPhiFilter } from './filter.ts';

describe('the PHI filter on a generated device log', () => {
  const filter = createPhiFilter();
  const corpus = generateCorpus(5000, 42);

  it('plants identifiers in a good share of lines, so the check means something', () => {
    const withIdentity = corpus.filter((line) => line.planted.length > 0).length;

    expect(withIdentity).toBeGreaterThan(1500);
    expect(corpus.some((line) => line.text.includes('PID|'))).toBe(true);
    expect(corpus.some((line) => line.text.includes('OBX|'))).toBe(true);
  });

  it('removes every planted identifier', () => {
    const leaks = corpus.flatMap((line) => {
      const out = filter(line.text).text;
      return line.planted.filter((p) => out.includes(p)).map((p) => ({ p, out }));
    });

    expect(leaks).toEqual([]);
  });

  it('keeps every service fact: model, serial, firmware, codes, timestamps, values, LOINC', () => {
    const lost = corpus.flatMap((line) => {
      const out = filter(line.text).text;
      return line.facts.filter((f) => !out.includes(f)).map((f) => ({ f, out }));
    });

    expect(lost).toEqual([]);
  });

  it('reports removals only for lines that had identity in them', () => {
    for (const line of corpus) {
      const { removed } = filter(line.text);
      if (line.planted.length === 0) expect(removed, line.text).toBe(0);
      else expect(removed, line.text).toBeGreaterThan(0);
    }
  });
});
