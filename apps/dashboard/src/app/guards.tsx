import { Navigate, Outlet, useLocation } from 'react-router';
import { useAuth } from './auth';
import { LAST_ORG, useOrgs } from './orgs';
import { ErrorState, Loading } from '../ui/states';

/** Signed-out visitors go to sign-in, and come back to where they were going afterwards. */
export function RequireAuth() {
  const { signedIn } = useAuth();
  const location = useLocation();
  if (!signedIn)
    return (
      <Navigate to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`} replace />
    );
  return <Outlet />;
}

/** "/" → the last org used (or the first one) → its chatbots. */
export function HomeRedirect() {
  const orgs = useOrgs();
  if (orgs.isPending) return <Loading />;
  if (orgs.error) return <ErrorState error={orgs.error} onRetry={() => void orgs.refetch()} />;
  const list = orgs.data.data;
  const last = localStorage.getItem(LAST_ORG);
  const org = list.find((o) => o.id === last) ?? list[0];
  if (!org) return <Navigate to="/profile" replace />;
  return <Navigate to={`/orgs/${org.id}/chatbots`} replace />;
}
