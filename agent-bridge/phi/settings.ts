import { z } from 'zod';
import { PHI_TAGS } from './tags.ts';

/** A regular expression as written in the policy; refused when it does not compile. */
const PatternSource = z
  .string()
  .min(1)
  .max(500)
  .superRefine((source, context) => {
    const problem = regexProblem(source);
    if (problem) {
      context.addIssue({
        code: 'custom',
        message: `"${source}" is not a valid regular expression (${problem})`,
      });
    }
  });

/**
 * The `phi` section of the local policy. The built-in rules always run; these settings
 * only add to them (extra patterns, more internal host names) or carve out text that must
 * stay readable (keep patterns, e.g. a site's own asset tags).
 */
export const PhiSettings = z.strictObject({
  /** Site-specific identifiers, e.g. a local record-number format, masked with `tag`. */
  extraPatterns: z
    .array(
      z.strictObject({
        pattern: PatternSource,
        tag: z.enum(PHI_TAGS),
        ignoreCase: z.boolean().default(false),
      }),
    )
    .max(50)
    .default([]),
  /** Text matching one of these is never masked by the free-text rules. */
  keepPatterns: z.array(PatternSource).max(50).default([]),
  /** Domain suffixes (e.g. `stmarys.org`) whose host names are shown as [HOST]. */
  internalHosts: z
    .array(
      z
        .string()
        .regex(
          /^\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/,
          'expected a domain name such as ward.example',
        ),
    )
    .max(50)
    .default([]),
});
export type PhiSettings = z.infer<typeof PhiSettings>;

/** The built-in rules only. */
export const DEFAULT_PHI_SETTINGS: PhiSettings = PhiSettings.parse({});

function regexProblem(source: string): string | null {
  try {
    new RegExp(source, 'g');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
