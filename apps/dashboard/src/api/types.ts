import type { paths } from './schema';

/**
 * Shapes of API payloads, read off the generated schema so a server change shows up as a type error here:
 *   type Bot = Ok<'/api/v1/orgs/{orgId}/chatbots/{botId}', 'get'>['chatbot']
 */
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Json<T> = T extends { content: { 'application/json': infer J } } ? J : never;

/** The JSON body of the 200/201 response. */
export type Ok<P extends keyof paths, M extends Method> =
  Op<P, M> extends { responses: infer R }
    ? R extends { 200: infer A }
      ? Json<A>
      : R extends { 201: infer B }
        ? Json<B>
        : never
    : never;

/** The JSON request body. */
export type Body<P extends keyof paths, M extends Method> =
  Op<P, M> extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;
