import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAccessTokens } from './tokens.ts';

describe('access tokens', () => {
  const tokens = createAccessTokens('a'.repeat(40), 60);

  it('verify what they sign, also from the verified cache', async () => {
    const t = await tokens.sign('usr_1');
    assert.deepEqual(await tokens.verify(t), { userId: 'usr_1' });
    assert.deepEqual(await tokens.verify(t), { userId: 'usr_1' });
  });

  it('reject a token signed with another secret or tampered with', async () => {
    const foreign = await createAccessTokens('b'.repeat(40), 60).sign('usr_1');
    await assert.rejects(tokens.verify(foreign), { code: 'token_invalid' });
    const t = await tokens.sign('usr_1');
    const [h, , s] = t.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'usr_2', iss: 'kawan', exp: 9e9 })).toString('base64url')}.${s}`;
    await assert.rejects(tokens.verify(forged), { code: 'token_invalid' });
  });

  it('expire, even when the token was verified before', async () => {
    const shortLived = createAccessTokens('a'.repeat(40), 1);
    const t = await shortLived.sign('usr_1');
    await shortLived.verify(t).catch(() => {}); // may already be expired at a second boundary
    const tokens = shortLived;
    await new Promise((r) => setTimeout(r, 2100));
    await assert.rejects(tokens.verify(t), { code: 'token_expired' });
  });
});
