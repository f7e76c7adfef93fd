import { useI18n } from '../../i18n/i18n';
import { CopyButton } from '../../ui/copy-button';
import { Modal } from '../../ui/dialog';

/** A new key's secret, the one time the server tells it: copy it now, it is never shown again. */
export function SecretDialog({
  secret,
  title,
  onClose,
}: {
  secret: { value: string; name: string } | null;
  title?: string;
  onClose: () => void;
}) {
  const { t } = useI18n();
  return (
    <Modal open={secret !== null} title={title ?? t('chatbots.keys.secretTitle')} onClose={onClose}>
      {secret ? (
        <>
          <p className="notice notice-warning" role="note">
            {t('chatbots.keys.secretWarning')}
          </p>
          <p className="muted small">{t('chatbots.keys.secretFor', { name: secret.name })}</p>
          <div className="secret-row">
            <code className="secret" data-secret="">
              {secret.value}
            </code>
            <CopyButton text={secret.value} label={t('chatbots.keys.copySecret')} />
          </div>
          <div className="actions">
            <button type="button" className="btn btn-primary" onClick={onClose}>
              {t('chatbots.keys.secretDone')}
            </button>
          </div>
        </>
      ) : null}
    </Modal>
  );
}
