import { createSecretKey } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { AppError } from '../errors.ts';

const VERIFIED_CACHE_MAX = 20_000;

/**
 * Short-lived access tokens (HS256). Refresh tokens are opaque and live in the database (auth module).
 * Verification is on every request, so: the key is a KeyObject imported once (jose would re-import a raw
 * secret per call), and a token already verified is remembered until it expires — a JWT cannot change, and
 * access tokens are not revocable before expiry anyway (that is what their short life is for).
 */
export function createAccessTokens(secret: string, ttlSeconds: number) {
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const verified = new Map<string, { userId: string; expiresAtMs: number }>();

  return {
    ttlSeconds,
    async sign(userId: string): Promise<string> {
      return new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId)
        .setIssuedAt()
        .setIssuer('kawan')
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key);
    },
    async verify(token: string): Promise<{ userId: string }> {
      const known = verified.get(token);
      if (known) {
        if (known.expiresAtMs > Date.now()) return { userId: known.userId };
        verified.delete(token);
        throw new AppError('token_expired', 'Access token expired');
      }
      try {
        const { payload } = await jwtVerify(token, key, { issuer: 'kawan', algorithms: ['HS256'] });
        if (!payload.sub || !payload.exp)
          throw new AppError('token_invalid', 'Access token has no subject or expiry');
        if (verified.size >= VERIFIED_CACHE_MAX) verified.delete(verified.keys().next().value as string);
        verified.set(token, { userId: payload.sub, expiresAtMs: payload.exp * 1000 });
        return { userId: payload.sub };
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (err instanceof joseErrors.JWTExpired) throw new AppError('token_expired', 'Access token expired');
        throw new AppError('token_invalid', 'Access token is invalid');
      }
    },
  };
}
export type AccessTokens = ReturnType<typeof createAccessTokens>;
