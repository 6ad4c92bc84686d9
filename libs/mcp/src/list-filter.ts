import type { JsonRpcResponse } from './json-rpc.js';

/** Which list results the proxy filters, the array each carries, and the field naming an item. */
export const FILTERED_LISTS = {
  'tools/list': { field: 'tools', key: 'name' },
  'resources/list': { field: 'resources', key: 'uri' },
  'resources/templates/list': { field: 'resourceTemplates', key: 'uriTemplate' },
  'prompts/list': { field: 'prompts', key: 'name' },
} as const;
export type FilteredListMethod = keyof typeof FILTERED_LISTS;

export function isFilteredListMethod(method: string): method is FilteredListMethod {
  return Object.hasOwn(FILTERED_LISTS, method);
}

/**
 * Removes the items a principal may not use from a list result (`tools/list`, `resources/list`,
 * `resources/templates/list`, `prompts/list`), so a client never learns of what it cannot use.
 * Items without a string key are removed too. Returns the same object when nothing changed.
 */
export function filterListResult(response: JsonRpcResponse, method: FilteredListMethod, isAllowed: (key: string) => boolean): JsonRpcResponse {
  const { field, key } = FILTERED_LISTS[method];
  const result = response.result as Record<string, unknown> | undefined;
  const items = result?.[field];
  if (!result || !Array.isArray(items)) return response;
  const kept = items.filter((item: unknown) => {
    const value = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[key] : undefined;
    return typeof value === 'string' && isAllowed(value);
  });
  if (kept.length === items.length) return response;
  return { ...response, result: { ...result, [field]: kept } };
}

export function filterToolsListResult(response: JsonRpcResponse, mayCallTool: (name: string) => boolean): JsonRpcResponse {
  return filterListResult(response, 'tools/list', mayCallTool);
}
