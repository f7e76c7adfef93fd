import { ApiError } from '../../api/errors';
import { useI18n, type MessageKey } from '../../i18n/i18n';
import { chatMessages } from './chat.messages';

/**
 * A chat failure in the user's language: chat-specific codes (provider errors, disabled bot, bad image) have
 * their own sentences, other codes fall back to the app-wide ones.
 */
export function useChatErrorText(): (err: unknown) => string {
  const { t, errorText } = useI18n();
  return (err) => {
    const e =
      err instanceof ApiError
        ? err
        : err && typeof err === 'object' && 'code' in err
          ? new ApiError(0, String(err.code), 'message' in err ? String(err.message) : '')
          : err;
    const key = e instanceof ApiError ? `chat.error.${e.code}` : '';
    if (key in chatMessages.en) return t(key as MessageKey);
    return errorText(e);
  };
}
