import { Link, useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, call } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { useAuth } from '../../app/auth';
import { Loading } from '../../ui/states';
import { AuthCard } from './AuthCard';
import './account.css';

/**
 * The page behind the emailed verification link: verifies on load. A query (not an effect with a mutation)
 * so a re-render or StrictMode's double mount cannot spend the single-use token twice.
 */
export function VerifyEmail() {
  const { t, errorText } = useI18n();
  const { signedIn } = useAuth();
  const qc = useQueryClient();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const verify = useQuery({
    queryKey: ['verify-email', token],
    queryFn: () => call(api.POST('/api/v1/auth/verify-email', { body: { token } })),
    enabled: token !== '',
    retry: false,
    staleTime: Infinity,
    gcTime: Infinity,
  });
  useEffect(() => {
    if (verify.isSuccess && signedIn) void qc.invalidateQueries({ queryKey: ['me'] });
  }, [verify.isSuccess, signedIn, qc]);

  let body;
  if (!token) {
    body = (
      <p role="alert" className="auth-notice auth-notice-error">
        {t('auth.missingToken')}
      </p>
    );
  } else if (verify.isPending) {
    body = <Loading label={t('auth.verifying')} />;
  } else if (verify.isSuccess) {
    body = (
      <p role="status" className="auth-notice auth-notice-ok">
        {t('auth.verifyDone')}
      </p>
    );
  } else {
    body = (
      <div role="alert" className="auth-notice auth-notice-error">
        <p>
          <strong>{t('auth.verifyFailed')}</strong> {errorText(verify.error)}
        </p>
        <p>{t('auth.verifyFailedHint')}</p>
      </div>
    );
  }
  return (
    <AuthCard title={t('auth.verifyTitle')}>
      {body}
      <p>
        {signedIn ? (
          <Link to="/profile" className="btn">
            {t('auth.continue')}
          </Link>
        ) : (
          <Link to="/signin" className="btn">
            {t('auth.signIn')}
          </Link>
        )}
      </p>
    </AuthCard>
  );
}
