import type { RouteObject } from 'react-router';
import { SignIn } from './SignIn';
import { SignUp } from './SignUp';
import { ForgotPassword } from './ForgotPassword';
import { ResetPassword } from './ResetPassword';
import { VerifyEmail } from './VerifyEmail';
import { AcceptInvitation } from './AcceptInvitation';
import { Profile } from './Profile';

/** Pages for signed-out visitors (and links from emails). */
export const publicRoutes: RouteObject[] = [
  { path: 'signin', element: <SignIn /> },
  { path: 'signup', element: <SignUp /> },
  { path: 'forgot-password', element: <ForgotPassword /> },
  { path: 'reset-password', element: <ResetPassword /> },
  { path: 'verify-email', element: <VerifyEmail /> },
  { path: 'invitations/accept', element: <AcceptInvitation /> },
];

/** Account pages inside the signed-in shell. */
export const accountRoutes: RouteObject[] = [{ path: 'profile', element: <Profile /> }];
