import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type ASTVisitor,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/**
 * Cost of a document: every field costs 1, and a field returning a list multiplies the cost of
 * what is selected inside it by `LIST_FACTOR` (a guess at a list's size: the API's lists hold
 * tens of items per tenant). Bounds nested list fan-out (`tenants { apiKeys { … } }`).
 */
export const LIST_FACTOR = 10;

interface Measured {
  depth: number;
  cost: number;
}

function measure(context: ValidationContext, type: GraphQLCompositeType | undefined, selectionSet: SelectionSetNode, seen: Set<string>): Measured {
  let depth = 0;
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue; // introspection has its own switch
      const fieldType: GraphQLOutputType | undefined =
        type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields()[selection.name.value]?.type : undefined;
      const inner = selection.selectionSet
        ? measure(context, namedComposite(fieldType), selection.selectionSet, seen)
        : { depth: 0, cost: 0 };
      const isList = fieldType !== undefined && isListType(getNullableType(fieldType));
      depth = Math.max(depth, 1 + inner.depth);
      cost += 1 + inner.cost * (isList ? LIST_FACTOR : 1);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const inner = measure(context, type, selection.selectionSet, seen);
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      if (!fragment || seen.has(name)) continue; // cycles are reported by graphql's own rules
      const inner = measure(context, type, fragment.selectionSet, new Set([...seen, name]));
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
    }
  }
  return { depth, cost };
}

function namedComposite(type: GraphQLOutputType | undefined): GraphQLCompositeType | undefined {
  if (!type) return undefined;
  const named = getNamedType(type);
  return isObjectType(named) || isInterfaceType(named) ? named : undefined;
}

/**
 * Refuses operations nested deeper than `maxDepth` or costing more than `maxCost`, before
 * execution; Apollo answers them like any invalid document (GRAPHQL_VALIDATION_FAILED, HTTP 400).
 */
export function queryLimitsRule(maxDepth: number, maxCost: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const schema = context.getSchema();
      const root =
        node.operation === 'query' ? schema.getQueryType() : node.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
      const { depth, cost } = measure(context, root ?? undefined, node.selectionSet, new Set());
      if (depth > maxDepth) {
        context.reportError(new GraphQLError(`query depth ${depth} exceeds the limit of ${maxDepth}`, { nodes: [node]}));
      } else if (cost > maxCost) {
        context.reportError(new GraphQLError(`query cost ${cost} exceeds the limit of ${maxCost}`, { nodes: [node]}));
      }
    },
  });
}
