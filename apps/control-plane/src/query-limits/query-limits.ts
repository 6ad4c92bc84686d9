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
  type FieldNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

import { MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from '../pagination/connection.model.js';

/**
 * Cost of a document: every field costs 1; a paginated field (one with a `first` argument)
 * multiplies the cost of what is selected inside it by its page size (the literal `first`,
 * the maximum page size when `first` is a variable, the default page size when absent); any
 * other list multiplies by `LIST_FACTOR`. Bounds nested fan-out (`tenants { nodes { apiKeys … } } }`).
 */
export const LIST_FACTOR = 10;

function pageSizeOf(field: FieldNode): number {
  const first = field.arguments?.find((arg) => arg.name.value === 'first')?.value;
  if (!first) return DEFAULT_PAGE_SIZE;
  return first.kind === Kind.INT ? Math.min(Number(first.value), MAX_PAGE_SIZE) : MAX_PAGE_SIZE;
}

interface Measured {
  depth: number;
  cost: number;
}

function measure(
  context: ValidationContext,
  type: GraphQLCompositeType | undefined,
  selectionSet: SelectionSetNode,
  seen: Set<string>,
  isInsideConnection = false,
): Measured {
  let depth = 0;
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue; // introspection has its own switch
      const field = type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields()[selection.name.value] : undefined;
      const fieldType: GraphQLOutputType | undefined = field?.type;
      const isConnection = field?.args.some((arg) => arg.name === 'first') ?? false;
      const inner = selection.selectionSet
        ? measure(context, namedComposite(fieldType), selection.selectionSet, seen, isConnection)
        : { depth: 0, cost: 0 };
      const isList = fieldType !== undefined && isListType(getNullableType(fieldType));
      // A connection's `nodes`/`edges` are the page its field already paid for.
      const factor = isConnection ? pageSizeOf(selection) : isList && !isInsideConnection ? LIST_FACTOR : 1;
      depth = Math.max(depth, 1 + inner.depth);
      cost += 1 + inner.cost * factor;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const inner = measure(context, type, selection.selectionSet, seen, isInsideConnection);
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      if (!fragment || seen.has(name)) continue; // cycles are reported by graphql's own rules
      const inner = measure(context, type, fragment.selectionSet, new Set([...seen, name]), isInsideConnection);
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
