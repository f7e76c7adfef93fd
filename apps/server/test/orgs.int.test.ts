import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { backends, startServer, type ApiResponse, type TestServer } from './harness.ts';
import { addMember, createChatbot, registerUser, uniqueEmail, type TestUser } from './factories.ts';

// Organizations, members, invitations and chatbots over real HTTP, on every backend.
const tag = () => randomBytes(4).toString('hex');

function assertError(res: ApiResponse<any>, status: number, code: string | string[]) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  const codes = Array.isArray(code) ? code : [code];
  assert.ok(codes.includes(res.body?.error?.code), JSON.stringify(res.body));
  assert.equal(typeof res.body.error.message, 'string');
  assert.equal(typeof res.body.error.requestId, 'string');
}

for (const backend of backends()) {
  describe(`[${backend}] organizations, members, invitations, chatbots`, () => {
    let s: TestServer;
    let platformAdmin: TestUser; // first user of the installation

    before(async () => {
      s = await startServer(backend);
      platformAdmin = await registerUser(s, { email: uniqueEmail('platform') });
    });
    after(async () => s?.close());

    const members = async (owner: TestUser, orgId = owner.orgId) => {
      const res = await s.request('GET', `/api/v1/orgs/${orgId}/members`, { token: owner.token });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return Object.fromEntries(
        (res.body.data as { userId: string; role: string }[]).map((m) => [m.userId, m.role]),
      );
    };

    it('creates a second organization and lists both with the caller’s role', async () => {
      const owner = await registerUser(s, { orgName: 'Alpha Gadai' });
      const slug = `beta-${tag()}`;
      const created = await s.request('POST', '/api/v1/orgs', {
        token: owner.token,
        body: { name: 'Beta Emas', slug, contactEmail: 'ops@example.com' },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.role, 'owner');
      assert.equal(created.body.slug, slug);
      assert.equal(created.body.contactEmail, 'ops@example.com');
      assert.match(created.body.id, /^org_/);

      const list = await s.request('GET', '/api/v1/orgs', { token: owner.token });
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.body.data.map((o: { id: string; name: string; role: string }) => [o.id, o.name, o.role]),
        [
          [owner.orgId, 'Alpha Gadai', 'owner'],
          [created.body.id, 'Beta Emas', 'owner'],
        ],
      );

      const member = await addMember(s, owner, 'member');
      const theirs = await s.request('GET', '/api/v1/orgs', { token: member.token });
      const roles = Object.fromEntries(
        theirs.body.data.map((o: { id: string; role: string }) => [o.id, o.role]),
      );
      assert.equal(roles[owner.orgId], 'member');
      assert.equal(roles[created.body.id], undefined, 'not a member of the second org');
      assertError(
        await s.request('GET', `/api/v1/orgs/${created.body.id}`, { token: member.token }),
        404,
        'not_found',
      );

      assertError(
        await s.request('POST', '/api/v1/orgs', { token: owner.token, body: { name: 'Copy', slug } }),
        409,
        'slug_taken',
      );
      assertError(
        await s.request('POST', '/api/v1/orgs', {
          token: owner.token,
          body: { name: 'Bad', slug: 'Not A Slug' },
        }),
        400,
        'validation_failed',
      );
      assertError(await s.request('GET', '/api/v1/orgs'), 401, 'unauthenticated');
    });

    it('updates an organization; a slug used elsewhere is 409 slug_taken', async () => {
      const owner = await registerUser(s);
      const other = await registerUser(s);
      const otherOrg = await s.request('GET', `/api/v1/orgs/${other.orgId}`, { token: other.token });
      const slug = `renamed-${tag()}`;

      const res = await s.request('PATCH', `/api/v1/orgs/${owner.orgId}`, {
        token: owner.token,
        body: { name: '  Koperasi Maju ', slug, contactEmail: 'halo@example.com' },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.name, 'Koperasi Maju');
      assert.equal(res.body.slug, slug);
      assert.equal(res.body.contactEmail, 'halo@example.com');
      const got = await s.request('GET', `/api/v1/orgs/${owner.orgId}`, { token: owner.token });
      assert.deepEqual(got.body, res.body);

      assertError(
        await s.request('PATCH', `/api/v1/orgs/${owner.orgId}`, {
          token: owner.token,
          body: { slug: otherOrg.body.slug },
        }),
        409,
        'slug_taken',
      );
      // Keeping one's own slug is not a conflict.
      const same = await s.request('PATCH', `/api/v1/orgs/${owner.orgId}`, {
        token: owner.token,
        body: { slug, contactEmail: null },
      });
      assert.equal(same.status, 200, JSON.stringify(same.body));
      assert.equal(same.body.contactEmail, null);
      assertError(
        await s.request('PATCH', `/api/v1/orgs/${owner.orgId}`, { token: owner.token, body: {} }),
        400,
        'validation_failed',
      );

      const member = await addMember(s, owner, 'member');
      assertError(
        await s.request('PATCH', `/api/v1/orgs/${owner.orgId}`, {
          token: member.token,
          body: { name: 'Mine' },
        }),
        403,
        'forbidden',
      );
      // Someone else's organization does not exist as far as an outsider can tell.
      assertError(
        await s.request('PATCH', `/api/v1/orgs/${other.orgId}`, {
          token: owner.token,
          body: { name: 'Mine' },
        }),
        404,
        'not_found',
      );
    });

    it('role changes: admins cannot make owners, the last owner cannot step down, ownership transfers', async () => {
      const owner = await registerUser(s);
      const admin = await addMember(s, owner, 'admin');
      const member = await addMember(s, owner, 'member');
      const url = (u: TestUser) => `/api/v1/orgs/${owner.orgId}/members/${u.id}`;

      assertError(
        await s.request('PATCH', url(member), { token: admin.token, body: { role: 'owner' } }),
        403,
        'forbidden',
      );
      assertError(
        await s.request('PATCH', url(owner), { token: admin.token, body: { role: 'member' } }),
        403,
        'forbidden',
      );
      assertError(
        await s.request('PATCH', url(admin), { token: member.token, body: { role: 'viewer' } }),
        403,
        'forbidden',
      );
      // Admins may hand out up to their own role.
      const promoted = await s.request('PATCH', url(member), { token: admin.token, body: { role: 'admin' } });
      assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
      assert.deepEqual(promoted.body, { userId: member.id, role: 'admin' });
      assert.equal(
        (await s.request('PATCH', url(member), { token: admin.token, body: { role: 'viewer' } })).status,
        200,
      );

      assertError(
        await s.request('PATCH', url(owner), { token: owner.token, body: { role: 'admin' } }),
        409,
        'last_owner',
      );
      assertError(
        await s.request('POST', `/api/v1/orgs/${owner.orgId}/leave`, { token: owner.token }),
        409,
        'last_owner',
      );

      // Transfer: promote another owner, then step down.
      assert.equal(
        (await s.request('PATCH', url(admin), { token: owner.token, body: { role: 'owner' } })).status,
        200,
      );
      const down = await s.request('PATCH', url(owner), { token: owner.token, body: { role: 'admin' } });
      assert.equal(down.status, 200, JSON.stringify(down.body));
      assert.deepEqual(await members(admin), {
        [owner.id]: 'admin',
        [admin.id]: 'owner',
        [member.id]: 'viewer',
      });
      // The former owner is an admin now and cannot touch the new owner.
      assertError(
        await s.request('PATCH', url(admin), { token: owner.token, body: { role: 'member' } }),
        403,
        'forbidden',
      );
      const me = await s.request('GET', '/api/v1/auth/me', { token: owner.token });
      assert.equal(me.body.organizations.find((o: { id: string }) => o.id === owner.orgId).role, 'admin');

      assertError(
        await s.request('PATCH', `/api/v1/orgs/${owner.orgId}/members/usr_${'0'.repeat(22)}`, {
          token: admin.token,
          body: { role: 'member' },
        }),
        404,
        'not_found',
      );
      assertError(
        await s.request('PATCH', url(member), { token: admin.token, body: { role: 'superuser' } }),
        400,
        'validation_failed',
      );
    });

    it('removing members and leaving', async () => {
      const owner = await registerUser(s);
      const admin = await addMember(s, owner, 'admin');
      const member = await addMember(s, owner, 'member');
      const viewer = await addMember(s, owner, 'viewer');
      const url = (u: TestUser) => `/api/v1/orgs/${owner.orgId}/members/${u.id}`;

      assertError(await s.request('DELETE', url(owner), { token: admin.token }), 403, 'forbidden');
      assertError(await s.request('DELETE', url(member), { token: viewer.token }), 403, 'forbidden');
      assertError(await s.request('DELETE', url(owner), { token: owner.token }), 409, 'last_owner');

      const removed = await s.request('DELETE', url(member), { token: admin.token });
      assert.equal(removed.status, 204);
      assertError(
        await s.request('GET', `/api/v1/orgs/${owner.orgId}`, { token: member.token }),
        404,
        'not_found',
      );
      assertError(await s.request('DELETE', url(member), { token: admin.token }), 404, 'not_found');

      const left = await s.request('POST', `/api/v1/orgs/${owner.orgId}/leave`, { token: viewer.token });
      assert.equal(left.status, 204);
      assertError(
        await s.request('GET', `/api/v1/orgs/${owner.orgId}/members`, { token: viewer.token }),
        404,
        'not_found',
      );
      const list = await s.request('GET', '/api/v1/orgs', { token: viewer.token });
      assert.ok(!list.body.data.some((o: { id: string }) => o.id === owner.orgId));

      assert.deepEqual(await members(owner), { [owner.id]: 'owner', [admin.id]: 'admin' });

      const audit = await s.request('GET', `/api/v1/orgs/${owner.orgId}/audit-logs?limit=100`, {
        token: owner.token,
      });
      const actions = audit.body.data.map((e: { action: string }) => e.action);
      assert.ok(actions.includes('member.remove') && actions.includes('member.leave'), actions.join(','));
    });

    it('invitations: only the invited address may accept; a revoked one is dead', async () => {
      const owner = await registerUser(s);
      const admin = await addMember(s, owner, 'admin');
      const intended = uniqueEmail('intended');
      const inv = await s.request('POST', `/api/v1/orgs/${owner.orgId}/invitations`, {
        token: owner.token,
        body: { email: intended, role: 'member' },
      });
      assert.equal(inv.status, 201, JSON.stringify(inv.body));
      assert.match(inv.body.inviteUrl, /\/invitations\/accept\?token=/);

      const stranger = await registerUser(s, { email: uniqueEmail('stranger') });
      assertError(
        await s.request('POST', '/api/v1/invitations/accept', {
          token: stranger.token,
          body: { token: inv.body.token },
        }),
        403,
        'forbidden',
      );
      assertError(
        await s.request('GET', `/api/v1/orgs/${owner.orgId}`, { token: stranger.token }),
        404,
        'not_found',
      );
      // The refusal did not use the invitation up.
      const invitee = await registerUser(s, { email: intended.toUpperCase() });
      const ok = await s.request('POST', '/api/v1/invitations/accept', {
        token: invitee.token,
        body: { token: inv.body.token },
      });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.deepEqual(ok.body, { orgId: owner.orgId, role: 'member' });

      // Revoke, then accept → 401.
      const late = uniqueEmail('late');
      const inv2 = await s.request('POST', `/api/v1/orgs/${owner.orgId}/invitations`, {
        token: admin.token,
        body: { email: late, role: 'viewer' },
      });
      assert.equal(inv2.status, 201);
      const pending = await s.request('GET', `/api/v1/orgs/${owner.orgId}/invitations`, {
        token: owner.token,
      });
      assert.deepEqual(
        pending.body.data.map((i: { email: string }) => i.email),
        [late],
        'accepted invitations are not pending',
      );
      const revoke = await s.request(
        'DELETE',
        `/api/v1/orgs/${owner.orgId}/invitations/${inv2.body.invitation.id}`,
        { token: owner.token },
      );
      assert.equal(revoke.status, 204);
      const lateUser = await registerUser(s, { email: late });
      assertError(
        await s.request('POST', '/api/v1/invitations/accept', {
          token: lateUser.token,
          body: { token: inv2.body.token },
        }),
        401,
        'token_invalid',
      );
      assertError(
        await s.request('DELETE', `/api/v1/orgs/${owner.orgId}/invitations/${inv2.body.invitation.id}`, {
          token: owner.token,
        }),
        404,
        'not_found',
      );
      const after = await s.request('GET', `/api/v1/orgs/${owner.orgId}/invitations`, { token: owner.token });
      assert.deepEqual(after.body.data, []);

      // Invitation rules follow role assignment rules.
      assertError(
        await s.request('POST', `/api/v1/orgs/${owner.orgId}/invitations`, {
          token: admin.token,
          body: { email: uniqueEmail('wannabe'), role: 'owner' },
        }),
        403,
        'forbidden',
      );
      assertError(
        await s.request('POST', `/api/v1/orgs/${owner.orgId}/invitations`, {
          token: owner.token,
          body: { email: invitee.email, role: 'admin' },
        }),
        409,
        'already_member',
      );
    });

    it('chatbot pages follow the cursor without duplicates', async () => {
      const owner = await registerUser(s);
      const created: string[] = [];
      for (let i = 0; i < 5; i++) created.push((await createChatbot(s, owner, { name: `Bot ${i}` })).bot.id);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const q: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
        const res = await s.request('GET', `/api/v1/orgs/${owner.orgId}/chatbots${q}`, {
          token: owner.token,
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        pages++;
        assert.equal(res.body.data.length, pages < 3 ? 2 : 1, `page ${pages}`);
        seen.push(...res.body.data.map((b: { id: string }) => b.id));
        cursor = res.body.nextCursor;
        if (pages < 3) assert.equal(typeof cursor, 'string', `page ${pages} has a next cursor`);
        assert.ok(pages <= 3, 'at most three pages');
      } while (cursor);
      assert.equal(pages, 3);
      assert.equal(new Set(seen).size, 5, 'no duplicates');
      assert.deepEqual(seen, [...created].reverse(), 'newest first, all of them');

      const all = await s.request('GET', `/api/v1/orgs/${owner.orgId}/chatbots?limit=5`, {
        token: owner.token,
      });
      assert.equal(all.body.data.length, 5);
      assert.equal(all.body.nextCursor, null);

      assertError(
        await s.request('GET', `/api/v1/orgs/${owner.orgId}/chatbots?cursor=not-a-cursor`, {
          token: owner.token,
        }),
        400,
        ['bad_request', 'validation_failed'],
      );
      assertError(
        await s.request('GET', `/api/v1/orgs/${owner.orgId}/chatbots?limit=0`, { token: owner.token }),
        400,
        'validation_failed',
      );
    });

    it('PATCH chatbot merges modelSettings and embed partially', async () => {
      const owner = await registerUser(s);
      const { bot } = await createChatbot(s, owner, {
        modelSettings: { model: 'gpt-x', temperature: 0.7, maxTokens: 500 },
        embed: { greeting: 'Halo!', color: '#112233' },
      });
      const url = `/api/v1/orgs/${owner.orgId}/chatbots/${bot.id}`;
      const res = await s.request('PATCH', url, {
        token: owner.token,
        body: { modelSettings: { temperature: 1.1 }, embed: { position: 'bottom-left' } },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.modelSettings, {
        model: 'gpt-x',
        fallbackModel: null,
        temperature: 1.1,
        maxTokens: 500,
        topP: 1,
        strictGrounding: true,
      });
      assert.equal(res.body.embed.greeting, 'Halo!');
      assert.equal(res.body.embed.color, '#112233');
      assert.equal(res.body.embed.position, 'bottom-left');

      const got = await s.request('GET', url, { token: owner.token });
      assert.deepEqual(got.body.modelSettings, res.body.modelSettings);
      assert.deepEqual(got.body.embed, res.body.embed);

      assertError(
        await s.request('PATCH', url, { token: owner.token, body: { modelSettings: { temperature: 3 } } }),
        400,
        'validation_failed',
      );
      assertError(
        await s.request('PATCH', url, { token: owner.token, body: { modelSettings: { unknown: 1 } } }),
        400,
        'validation_failed',
      );
      const unchanged = await s.request('GET', url, { token: owner.token });
      assert.equal(unchanged.body.modelSettings.temperature, 1.1);
    });

    it('chatbot slugs are unique per organization', async () => {
      const owner = await registerUser(s);
      const other = await registerUser(s);
      await createChatbot(s, owner, { name: 'First', slug: 'alpha' });
      const { bot: second } = await createChatbot(s, owner, { name: 'Second', slug: 'beta' });
      assertError(
        await s.request('POST', `/api/v1/orgs/${owner.orgId}/chatbots`, {
          token: owner.token,
          body: { name: 'Again', slug: 'alpha' },
        }),
        409,
        'slug_taken',
      );
      assertError(
        await s.request('PATCH', `/api/v1/orgs/${owner.orgId}/chatbots/${second.id}`, {
          token: owner.token,
          body: { slug: 'alpha' },
        }),
        409,
        'slug_taken',
      );
      // Another organization may use the same slug.
      const { bot: theirs } = await createChatbot(s, other, { name: 'Theirs', slug: 'alpha' });
      assert.equal(theirs.slug, 'alpha');
      // A name-derived slug avoids the taken one.
      const { bot: derived } = await createChatbot(s, owner, { name: 'Alpha' });
      assert.notEqual(derived.slug, 'alpha');
      assert.match(derived.slug, /^alpha-[a-z0-9]+$/);
    });

    it('deleting a chatbot kills its key', async () => {
      const owner = await registerUser(s);
      const member = await addMember(s, owner, 'member');
      const { bot, secret } = await createChatbot(s, owner, { name: 'Doomed' });
      const profile = `/api/v1/public/chatbots/${bot.id}`;
      assert.equal((await s.request('GET', profile, { token: secret })).status, 200);

      const url = `/api/v1/orgs/${owner.orgId}/chatbots/${bot.id}`;
      assertError(await s.request('DELETE', url, { token: member.token }), 403, 'forbidden');
      assert.equal((await s.request('DELETE', url, { token: owner.token })).status, 204);

      assertError(await s.request('GET', profile, { token: secret }), 401, 'api_key_invalid');
      assertError(await s.request('GET', url, { token: owner.token }), 404, 'not_found');
      assertError(await s.request('DELETE', url, { token: owner.token }), 404, 'not_found');
    });

    it('deleting an organization: owners only; access ends; the audit trail stays for platform admins', async () => {
      const owner = await registerUser(s);
      const admin = await addMember(s, owner, 'admin');
      const { secret } = await createChatbot(s, owner, { name: 'Org bot' });
      const orgUrl = `/api/v1/orgs/${owner.orgId}`;

      assertError(await s.request('DELETE', orgUrl, { token: admin.token }), 403, 'forbidden');
      assert.equal((await s.request('GET', orgUrl, { token: admin.token })).status, 200, 'still there');

      const del = await s.request('DELETE', orgUrl, { token: owner.token });
      assert.equal(del.status, 204, JSON.stringify(del.body));

      assertError(await s.request('GET', orgUrl, { token: owner.token }), 404, 'not_found');
      assertError(await s.request('GET', orgUrl, { token: admin.token }), 404, 'not_found');
      assertError(await s.request('GET', `${orgUrl}/chatbots`, { token: owner.token }), 404, 'not_found');
      assertError(await s.request('GET', `${orgUrl}/audit-logs`, { token: owner.token }), 404, 'not_found');
      assertError(await s.request('DELETE', orgUrl, { token: owner.token }), 404, 'not_found');
      const orgs = await s.request('GET', '/api/v1/orgs', { token: owner.token });
      assert.deepEqual(orgs.body.data, []);
      assertError(
        await s.request('GET', `/api/v1/orgs/${owner.orgId}/chatbots`, { token: secret }),
        401,
        'api_key_invalid',
      );

      const trail = await s.request('GET', `/api/v1/admin/audit-logs?orgId=${owner.orgId}&limit=100`, {
        token: platformAdmin.token,
      });
      assert.equal(trail.status, 200, JSON.stringify(trail.body));
      const actions = (trail.body.data as { action: string; orgId: string }[]).map((e) => e.action);
      for (const a of ['org.create', 'invitation.accept', 'chatbot.create', 'org.delete']) {
        assert.ok(actions.includes(a), `audit keeps ${a}: ${actions.join(',')}`);
      }
      assert.equal(actions[0], 'org.delete', 'newest first');
      assert.ok(trail.body.data.every((e: { orgId: string }) => e.orgId === owner.orgId));
      const deletion = trail.body.data[0];
      assert.equal(deletion.actorId, owner.id);

      assertError(
        await s.request('GET', `/api/v1/admin/audit-logs?orgId=${owner.orgId}`, { token: owner.token }),
        403,
        'forbidden',
      );
    });

    it('malformed JSON is a 400, never a 500', async () => {
      const owner = await registerUser(s);
      for (const [method, path, token] of [
        ['POST', '/api/v1/orgs', owner.token],
        ['PATCH', `/api/v1/orgs/${owner.orgId}`, owner.token],
        ['POST', '/api/v1/auth/login', undefined],
      ] as const) {
        const res = await s.request(method, path, { token, body: '{"name": "unterminated' });
        assertError(res, 400, ['bad_request', 'validation_failed']);
        assert.equal(res.headers.get('x-request-id'), res.body.error.requestId);
      }
      // Wrong JSON types are validation errors with details.
      const wrong = await s.request('POST', '/api/v1/orgs', { token: owner.token, body: '[1,2,3]' });
      assertError(wrong, 400, ['bad_request', 'validation_failed']);
    });

    it('unknown routes are 404 route_not_found in the JSON error shape', async () => {
      for (const [method, path] of [
        ['GET', '/api/v1/does-not-exist'],
        ['POST', '/api/v1/orgs/org_abc/nothing-here?x=1'],
        ['DELETE', '/api/v1/auth/me'],
        ['GET', '/nope'],
      ]) {
        const res = await s.request(method!, path!);
        assertError(res, 404, 'route_not_found');
        assert.match(res.headers.get('content-type') ?? '', /application\/json/);
        assert.ok(res.body.error.message.includes(path!.split('?')[0]!), res.body.error.message);
      }
    });
  });
}
