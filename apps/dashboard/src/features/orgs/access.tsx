import type { ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages';
import { useCurrentOrg, useOrgs, type Role } from '../../app/orgs';
import { ErrorState, Loading } from '../../ui/states';

export const roles: Role[] = ['owner', 'admin', 'member', 'viewer'];
const rank: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };
const roleKeys: Record<Role, MessageKey> = {
  owner: 'orgs.role.owner',
  admin: 'orgs.role.admin',
  member: 'orgs.role.member',
  viewer: 'orgs.role.viewer',
};

export function useRoleLabel(): (r: Role) => string {
  const { t } = useI18n();
  return (r) => t(roleKeys[r]);
}

/** Same rule as the server: nobody grants more than they hold, and only owners make owners. */
export function canAssignRole(actor: Role | undefined, target: Role): boolean {
  return actor !== undefined && rank[actor] >= rank[target] && (target !== 'owner' || actor === 'owner');
}

/** The current org with the user's role, plus whether the org list is still loading. */
export function useOrgAccess() {
  const orgs = useOrgs();
  const current = useCurrentOrg();
  return {
    ...current,
    role: current.org?.role,
    loading: orgs.isPending,
    error: orgs.error,
    refetch: orgs.refetch,
  };
}

/**
 * Renders its page only for `least` and above. The server enforces the same rule; this saves people a 403 and
 * says why the page is closed to them.
 */
export function RequireRole({ least, children }: { least: Role; children: ReactNode }) {
  const { t } = useI18n();
  const label = useRoleLabel();
  const access = useOrgAccess();
  if (access.loading) return <Loading />;
  if (access.error) return <ErrorState error={access.error} onRetry={() => void access.refetch()} />;
  if (!access.org)
    return (
      <div className="state state-empty" role="note">
        <p>{t('state.notFound')}</p>
      </div>
    );
  if (!access.atLeast(least))
    return (
      <div className="state state-empty" role="note">
        <p>{t('orgs.needRole', { role: label(least) })}</p>
      </div>
    );
  return <>{children}</>;
}
