// Quick-start: through the GraphQL admin API, makes sure tenant "demo" exists with the demo
// upstream as server "everything", creates a fresh API key allowed to call a few tools, and prints
// the key (the only time it is ever shown). Re-running creates another key, never duplicates.
const graphqlUrl = process.env.GRAPHQL_URL;
const adminToken = process.env.MCPG_ADMIN_TOKEN;
const upstreamUrl = process.env.DEMO_UPSTREAM_URL;
const toolGlobs = (process.env.DEMO_TOOL_GLOBS ?? 'echo,get-sum,get-tiny-image').split(',').map((s) => s.trim()).filter(Boolean);

async function gql(query, variables = {}) {
  const res = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const { tenants } = await gql('{ tenants(filter: { slugContains: "demo" }, first: 100) { nodes { id slug servers { nodes { name } } } } }');
let tenant = tenants.nodes.find((t) => t.slug === 'demo');
if (!tenant) {
  const created = await gql('mutation($i: CreateTenantInput!) { createTenant(input: $i) { id slug } }', { i: { slug: 'demo', name: 'Demo tenant' } });
  tenant = { ...created.createTenant, servers: { nodes: [] } };
}
if (!tenant.servers.nodes.some((s) => s.name === 'everything')) {
  await gql('mutation($i: AddUpstreamServerInput!) { addUpstreamServer(input: $i) { id } }', { i: { tenantId: tenant.id, name: 'everything', url: upstreamUrl } });
}
const { createApiKey } = await gql('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id } } }', {
  i: { tenantId: tenant.id, name: `quick-start ${new Date().toISOString()}` },
});
await gql('mutation($i: SetToolRuleInput!) { setToolRule(input: $i) { id } }', { i: { apiKeyId: createApiKey.apiKey.id, toolGlobs } });
process.stdout.write(createApiKey.secret);
