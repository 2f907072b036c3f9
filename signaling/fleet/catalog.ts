/**
 * Where the dashboard learns the current firmware release of a device model, to flag
 * devices running older firmware. Software delivery provides the real catalogue.
 */
export interface FirmwareCatalog {
  /** The newest released firmware version for `model`, or null when none is known. */
  latest(model: string): Promise<string | null>;
}
