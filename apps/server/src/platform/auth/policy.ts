import type { Role } from '@kawan/contracts';

/**
 * Who may do what inside an organization. A permission names the least role that holds it; `userOnly`
 * permissions can never be granted to an API key (keys must not mint keys or change who belongs to an org).
 * API key scopes are permission names, so a key can hold at most what its scopes list.
 */
export const permissions = {
  'org:read': { role: 'viewer' },
  'org:update': { role: 'admin' },
  'org:delete': { role: 'owner', userOnly: true },
  'org:leave': { role: 'viewer', userOnly: true },
  'members:read': { role: 'viewer' },
  'members:manage': { role: 'admin', userOnly: true },
  'apikeys:manage': { role: 'admin', userOnly: true },
  'chatbots:read': { role: 'viewer' },
  'chatbots:write': { role: 'member' },
  'chatbots:delete': { role: 'admin' },
  'chatbot-keys:read': { role: 'member' },
  'chatbot-keys:manage': { role: 'admin', userOnly: true },
  'providers:read': { role: 'member' },
  'providers:manage': { role: 'admin', userOnly: true },
  'audit:read': { role: 'admin' },
  'multimodal:use': { role: 'member' },
  'chat:use': { role: 'member' },
} as const satisfies Record<string, { role: Role; userOnly?: boolean }>;

export type Permission = keyof typeof permissions;

/** Scopes an org-level API key may carry. */
export const grantableScopes = (Object.keys(permissions) as Permission[]).filter(
  (p) => !('userOnly' in permissions[p]),
);

/** Scopes of a chatbot key: it speaks for one chatbot on the public endpoints only. */
export const chatbotKeyScopes = ['chatbot:profile', 'chatbot:chat'] as const;

const rank: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

export function roleAtLeast(role: Role, least: Role): boolean {
  return rank[role] >= rank[least];
}

export type Actor =
  | { type: 'user'; userId: string }
  | { type: 'api_key'; keyId: string; orgId: string; chatbotId: string | null; scopes: string[] }
  /** an anonymous guest or widget visitor: may only chat with the one chatbot of its session */
  | { type: 'guest'; sessionId: string; orgId: string; chatbotId: string };

/** The actor's standing in one organization, resolved once per request. */
export interface OrgAccess {
  orgId: string;
  actor: Actor;
  role: Role | null; // null for API keys
}

export function can(access: OrgAccess, permission: Permission): boolean {
  const rule: { role: Role; userOnly?: boolean } = permissions[permission];
  if (access.actor.type === 'guest') return false;
  if (access.actor.type === 'api_key') {
    return !rule.userOnly && access.actor.chatbotId === null && access.actor.scopes.includes(permission);
  }
  return access.role !== null && roleAtLeast(access.role, rule.role);
}

/** Roles an actor may hand out: nobody grants more than they hold; only owners make owners. */
export function canAssignRole(actorRole: Role | null, target: Role): boolean {
  return (
    actorRole !== null && roleAtLeast(actorRole, target) && (target !== 'owner' || actorRole === 'owner')
  );
}
