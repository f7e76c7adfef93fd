import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { can, canAssignRole, grantableScopes, permissions, type Actor, type OrgAccess } from './policy.ts';

const user: Actor = { type: 'user', userId: 'usr_x' };
const as = (role: OrgAccess['role'], actor: Actor = user): OrgAccess => ({ orgId: 'org_a', actor, role });
const key = (scopes: string[], chatbotId: string | null = null): OrgAccess =>
  as(null, { type: 'api_key', keyId: 'key_x', orgId: 'org_a', chatbotId, scopes });

describe('policy', () => {
  it('ranks roles: viewer < member < admin < owner', () => {
    assert.equal(can(as('viewer'), 'chatbots:read'), true);
    assert.equal(can(as('viewer'), 'chatbots:write'), false);
    assert.equal(can(as('member'), 'chatbots:write'), true);
    assert.equal(can(as('member'), 'chatbots:delete'), false);
    assert.equal(can(as('admin'), 'org:delete'), false);
    assert.equal(can(as('owner'), 'org:delete'), true);
  });

  it('an API key holds exactly its scopes and never a user-only permission', () => {
    assert.equal(can(key(['chatbots:read']), 'chatbots:read'), true);
    assert.equal(can(key(['chatbots:read']), 'chatbots:write'), false);
    assert.equal(can(key(Object.keys(permissions)), 'apikeys:manage'), false);
    assert.equal(can(key(Object.keys(permissions)), 'members:manage'), false);
    assert.ok(!grantableScopes.includes('apikeys:manage'));
  });

  it('a chatbot key holds no org permission', () => {
    assert.equal(can(key(['chatbots:read'], 'bot_x'), 'chatbots:read'), false);
  });

  it('nobody grants more than they hold; only owners make owners', () => {
    assert.equal(canAssignRole('admin', 'member'), true);
    assert.equal(canAssignRole('admin', 'admin'), true);
    assert.equal(canAssignRole('admin', 'owner'), false);
    assert.equal(canAssignRole('member', 'viewer'), true);
    assert.equal(canAssignRole('owner', 'owner'), true);
    assert.equal(canAssignRole(null, 'viewer'), false);
  });
});
