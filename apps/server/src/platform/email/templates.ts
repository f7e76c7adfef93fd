import type { OutgoingEmail } from './mailer.ts';

/** Plain-text messages, English and Bahasa Indonesia by the recipient's language preference. */
type Lang = 'en' | 'id';

export function verifyEmailMessage(to: string, lang: Lang, link: string): OutgoingEmail {
  return lang === 'id'
    ? {
        to,
        kind: 'verify_email',
        subject: 'Verifikasi email Kawan Anda',
        text: `Halo,\n\nKlik tautan ini untuk memverifikasi email Anda:\n${link}\n\nJika Anda tidak mendaftar di Kawan, abaikan email ini.`,
      }
    : {
        to,
        kind: 'verify_email',
        subject: 'Verify your Kawan email',
        text: `Hello,\n\nOpen this link to verify your email address:\n${link}\n\nIf you did not sign up for Kawan, ignore this message.`,
      };
}

export function resetPasswordMessage(to: string, lang: Lang, link: string): OutgoingEmail {
  return lang === 'id'
    ? {
        to,
        kind: 'reset_password',
        subject: 'Atur ulang kata sandi Kawan',
        text: `Halo,\n\nKlik tautan ini untuk mengatur ulang kata sandi Anda:\n${link}\n\nTautan hanya berlaku sekali. Jika Anda tidak memintanya, abaikan email ini.`,
      }
    : {
        to,
        kind: 'reset_password',
        subject: 'Reset your Kawan password',
        text: `Hello,\n\nOpen this link to choose a new password:\n${link}\n\nThe link works once. If you did not ask for it, ignore this message.`,
      };
}

export function invitationMessage(to: string, orgName: string, inviter: string, link: string): OutgoingEmail {
  return {
    to,
    kind: 'invitation',
    subject: `${inviter} invited you to ${orgName} on Kawan`,
    text: `Hello,\n\n${inviter} invited you to join "${orgName}" on Kawan.\nAccept the invitation here:\n${link}\n\n(Bahasa Indonesia: ${inviter} mengundang Anda ke "${orgName}". Buka tautan di atas untuk bergabung.)`,
  };
}
