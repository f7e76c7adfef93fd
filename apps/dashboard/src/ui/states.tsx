import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n';
import { ApiError } from '../api/errors';

/** Shown while data loads: never a blank screen. */
export function Loading({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label ?? t('state.loading')}</span>
    </div>
  );
}

/** A failed load or action, in the user's language, with the request id for support and a retry. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t, errorText } = useI18n();
  return (
    <div className="state state-error" role="alert">
      <p>{errorText(error)}</p>
      {error instanceof ApiError && error.requestId ? (
        <p className="muted small">{t('error.requestId', { id: error.requestId })}</p>
      ) : null}
      {onRetry ? (
        <button type="button" className="btn" onClick={onRetry}>
          {t('action.retry')}
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ title, children }: { title?: string; children?: ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="state state-empty">
      <p>{title ?? t('state.empty')}</p>
      {children}
    </div>
  );
}

/** Renders loading / error / content for one react-query result. */
export function QueryView<T>({
  query,
  children,
}: {
  query: { isPending: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.error || query.data === undefined)
    return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}
