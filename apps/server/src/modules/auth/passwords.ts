import { hash, verify } from '@node-rs/argon2';

// Argon2id with the library defaults (19 MiB, t=2): ~10 ms per hash on this hardware.
export const hashPassword = (password: string) => hash(password);

// Verifying against a real hash when the account does not exist keeps login timing flat (no user enumeration).
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  if (!storedHash) {
    dummyHash ??= hash('kawan-dummy-password');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(storedHash, password).catch(() => false);
}
