import type { RouteObject } from 'react-router';
import { OrgSettings } from './OrgSettings';
import { Members } from './Members';
import { AuditLog } from './AuditLog';
import { Providers } from './Providers';

/** Org pages: members, settings, audit log, model providers (paths relative to /orgs/:orgId). */
export const orgRoutes: RouteObject[] = [
  { path: 'settings', element: <OrgSettings /> },
  { path: 'members', element: <Members /> },
  { path: 'audit', element: <AuditLog /> },
  { path: 'providers', element: <Providers /> },
];
