import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TestServer } from './harness.ts';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  orgId: string;
  token: string;
  refreshToken: string;
}

export function uniqueEmail(tag = 'user'): string {
  return `${tag}-${randomBytes(5).toString('hex')}@example.com`;
}

export async function registerUser(
  s: TestServer,
  overrides: { email?: string; name?: string; orgName?: string } = {},
): Promise<TestUser> {
  const email = overrides.email ?? uniqueEmail();
  const password = 'correct horse battery';
  const res = await s.request('POST', '/api/v1/auth/register', {
    body: {
      email,
      password,
      name: overrides.name ?? 'Test User',
      ...(overrides.orgName ? { orgName: overrides.orgName } : {}),
    },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return {
    id: res.body.user.id,
    email,
    password,
    orgId: res.body.organization.id,
    token: res.body.session.accessToken,
    refreshToken: res.body.session.refreshToken,
  };
}

/** Invites `email` into `owner`'s org with `role` and accepts as a newly registered user. */
export async function addMember(
  s: TestServer,
  owner: TestUser,
  role: 'owner' | 'admin' | 'member' | 'viewer',
): Promise<TestUser> {
  const user = await registerUser(s, { email: uniqueEmail(role) });
  const inv = await s.request('POST', `/api/v1/orgs/${owner.orgId}/invitations`, {
    token: owner.token,
    body: { email: user.email, role },
  });
  assert.equal(inv.status, 201, JSON.stringify(inv.body));
  const acc = await s.request('POST', '/api/v1/invitations/accept', {
    token: user.token,
    body: { token: inv.body.token },
  });
  assert.equal(acc.status, 200, JSON.stringify(acc.body));
  return { ...user, orgId: owner.orgId };
}

export async function createChatbot(s: TestServer, user: TestUser, body: Record<string, unknown> = {}) {
  const res = await s.request('POST', `/api/v1/orgs/${user.orgId}/chatbots`, {
    token: user.token,
    body: { name: 'Test bot', ...body },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return {
    bot: res.body.chatbot as { id: string; slug: string },
    key: res.body.key as { id: string },
    secret: res.body.secret as string,
  };
}

export async function createOrgKey(s: TestServer, user: TestUser, scopes: string[]) {
  const res = await s.request('POST', `/api/v1/orgs/${user.orgId}/api-keys`, {
    token: user.token,
    body: { name: 'test key', scopes },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { key: res.body.key as { id: string }, secret: res.body.secret as string };
}

/** Uploads a file as multipart/form-data, as a browser or curl -F would. */
export async function uploadFile(
  s: TestServer,
  token: string,
  path: string,
  file: { name: string; content: string | Uint8Array; type?: string },
  fields: Record<string, string> = {},
  method: 'POST' | 'PUT' = 'POST',
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([file.content as Uint8Array<ArrayBuffer> | string], { type: file.type ?? 'application/octet-stream' }), file.name);
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Polls a document until ingestion ends (indexed or failed). */
export async function waitForDocument(
  s: TestServer,
  user: TestUser,
  botId: string,
  docId: string,
  timeoutMs = 60_000,
) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await s.request('GET', `/api/v1/orgs/${user.orgId}/chatbots/${botId}/documents/${docId}`, {
      token: user.token,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    if (res.body.status === 'indexed' || res.body.status === 'failed') return res.body;
    if (Date.now() > until)
      throw new Error(`document ${docId} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
