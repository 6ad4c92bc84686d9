import { request } from 'undici';

/**
 * A GraphQL caller for the control plane's admin API with a bearer token, for tests that set up
 * state through the real API. Any GraphQL error fails the call with the errors as the message.
 */
export function adminGraphql(url: () => string, token: string) {
  return async function mutate<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await request(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.body.json()) as { data?: T; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  };
}
