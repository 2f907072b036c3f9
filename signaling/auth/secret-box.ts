import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { loadSecretFile } from './secret-file.ts';

const VERSION = 'v1';

/**
 * Encrypts small secrets kept in the database (TOTP secrets) with AES-256-GCM under a key
 * in `<dataDir>/secrets/totp.key`. A copy of the database alone then yields no secret;
 * the key file is needed too. Each value is bound to its row's ID as associated data, so
 * a value moved to another account does not decrypt there.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('a secret box key is 32 bytes');
    this.#key = key;
  }

  /** The box with the server's key, made on first start. */
  static load(dataDir: string): SecretBox {
    return new SecretBox(loadSecretFile(dataDir, 'totp.key'));
  }

  /** `v1.<iv>.<ciphertext>.<tag>`, each base64url. */
  seal(plaintext: string, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(boundTo, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);

    return [VERSION, iv, body, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** The plaintext, or null when the value was changed, moved or sealed with another key. */
  open(sealed: string, boundTo: string): string | null {
    const [version, iv, body, tag] = sealed.split('.');
    if (version !== VERSION || !iv || body === undefined || !tag) return null;

    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(boundTo, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const plain = Buffer.concat([
        decipher.update(Buffer.from(body, 'base64url')),
        decipher.final(),
      ]);
      return plain.toString('utf8');
    } catch {
      return null;
    }
  }
}
