import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api, call } from '../api/client';
import type { Ok } from '../api/types';

export type OrgSummary = Ok<'/api/v1/orgs', 'get'>['data'][number];
export type Role = OrgSummary['role'];
const rank: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

export const LAST_ORG = 'kawan.org';

/** The orgs the signed-in user belongs to, with their role in each. */
export function useOrgs() {
  return useQuery({ queryKey: ['orgs'], queryFn: () => call(api.GET('/api/v1/orgs')) });
}

/** The org in the URL (/orgs/:orgId/…) and the user's role there; pages hide what the role cannot do. */
export function useCurrentOrg(): {
  orgId: string;
  org: OrgSummary | undefined;
  atLeast: (r: Role) => boolean;
} {
  const params = useParams();
  const orgId = params.orgId ?? localStorage.getItem(LAST_ORG) ?? '';
  const orgs = useOrgs();
  const org = orgs.data?.data.find((o) => o.id === orgId);
  return { orgId, org, atLeast: (r) => (org ? rank[org.role] >= rank[r] : false) };
}
