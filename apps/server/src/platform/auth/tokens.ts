import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { AppError } from '../errors.ts';

/** Short-lived access tokens (HS256). Refresh tokens are opaque and live in the database (auth module). */
export function createAccessTokens(secret: string, ttlSeconds: number) {
  const key = new TextEncoder().encode(secret);
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
      try {
        const { payload } = await jwtVerify(token, key, { issuer: 'kawan', algorithms: ['HS256'] });
        if (!payload.sub) throw new AppError('token_invalid', 'Access token has no subject');
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
