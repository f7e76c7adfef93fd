import type { RouteObject } from 'react-router';
import { SignIn } from './SignIn';
import { SignUp } from './SignUp';

/** Pages for signed-out visitors (and links from emails). */
export const publicRoutes: RouteObject[] = [
  { path: 'signin', element: <SignIn /> },
  { path: 'signup', element: <SignUp /> },
];

/** Account pages inside the signed-in shell. */
export const accountRoutes: RouteObject[] = [];
