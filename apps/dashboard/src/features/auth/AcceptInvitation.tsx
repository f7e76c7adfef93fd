import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { ApiError } from '../../api/errors';
import { useI18n } from '../../i18n/i18n';
import { useAuth } from '../../app/auth';
import { ErrorState, Loading } from '../../ui/states';
import { useToast } from '../../ui/toast';
import { AuthCard } from './AuthCard';
import './account.css';

/**
 * The page behind an invitation link (/invitations/accept?token=…). Accepting needs a signed-in account with
 * the invited address, so a visitor is sent to sign in or sign up and brought back here with ?next=.
 */
export function AcceptInvitation() {
  const { t } = useI18n();
  const { signedIn, me, loading, signOut } = useAuth();
  const [params] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const toast = useToast();
  const token = params.get('token') ?? '';
  const next = encodeURIComponent(location.pathname + location.search);
  const accept = useMutation({
    mutationFn: () => call(api.POST('/api/v1/invitations/accept', { body: { token } })),
    onSuccess: async (r) => {
      await Promise.all([
        qc.invalidateQueries({ queryKey: ['orgs'] }),
        qc.invalidateQueries({ queryKey: ['me'] }),
      ]);
      toast(t('auth.inviteAccepted'));
      navigate(`/orgs/${r.orgId}/chatbots`, { replace: true });
    },
  });

  const failure = (err: unknown) => {
    if (err instanceof ApiError && err.code === 'forbidden') return t('auth.inviteWrongEmail');
    if (err instanceof ApiError && err.code === 'token_invalid') return t('auth.inviteInvalid');
    if (err instanceof ApiError && err.code === 'already_member') return t('auth.inviteAlreadyMember');
    return null;
  };

  let body;
  if (!token) {
    body = (
      <p role="alert" className="auth-notice auth-notice-error">
        {t('auth.missingToken')}
      </p>
    );
  } else if (!signedIn) {
    body = (
      <>
        <p>{t('auth.inviteIntro')}</p>
        <p className="muted">{t('auth.inviteSignedOut')}</p>
        <div className="auth-choices">
          <Link to={`/signin?next=${next}`} className="btn btn-primary">
            {t('auth.signIn')}
          </Link>
          <Link to={`/signup?next=${next}`} className="btn">
            {t('auth.signUp')}
          </Link>
        </div>
      </>
    );
  } else if (loading) {
    body = <Loading />;
  } else {
    const known = accept.error ? failure(accept.error) : null;
    body = (
      <>
        <p>{t('auth.inviteIntro')}</p>
        <p className="muted">{t('auth.inviteSignedInAs', { email: me?.email ?? '' })}</p>
        {accept.error ? (
          known ? (
            <p role="alert" className="auth-notice auth-notice-error">
              {known}
            </p>
          ) : (
            <ErrorState error={accept.error} />
          )
        ) : null}
        <div className="auth-choices">
          <button
            type="button"
            className="btn btn-primary"
            disabled={accept.isPending}
            onClick={() => accept.mutate()}
          >
            {t('auth.acceptInvite')}
          </button>
          <button type="button" className="btn" onClick={() => void signOut()}>
            {t('auth.useOtherAccount')}
          </button>
        </div>
      </>
    );
  }
  return <AuthCard title={t('auth.inviteTitle')}>{body}</AuthCard>;
}
