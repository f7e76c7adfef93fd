export * from './errors.ts';
export * from './common.ts';
export * from './chat.ts';
