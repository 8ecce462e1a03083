/**
 * A flame graph's nodes as columns of typed arrays, behind its `nodes` field.
 *
 * The graph toFlameGraph returns is a complete FlameGraph message, but its thousands of nodes
 * stay columns until something reads `nodes`: the first read builds the FlameNode objects
 * (and from then on they are the nodes, the columns dropped), an assignment replaces them.
 * The gRPC encoder (grpc/flame-graph-encode.ts) writes a graph whose nodes were never read
 * straight from the columns: no object and no bigint per node on the server's hot path.
 */
import type { FlameGraph, FlameNode, NodeKind, Presence } from "@fleetprof/proto";

export interface NodeColumns {
  /** Number of nodes. */
  length: number;
  parent: Int32Array;
  name: Uint32Array;
  file: Uint32Array;
  line: Uint32Array;
  /** Sample counts: integers below 2⁵³. */
  self: Float64Array;
  total: Float64Array;
  baseSelf: Float64Array;
  baseTotal: Float64Array;
  share: Float64Array;
  baseShare: Float64Array;
  kind: Int32Array;
  folded: Uint32Array;
  presence: Int32Array;
}

const COLUMNS = Symbol("fleetprof.flameNodeColumns");

type WithColumns = FlameGraph & { [COLUMNS]?: NodeColumns | undefined };

export function emptyColumns(capacity: number): NodeColumns {
  const n = Math.max(1, capacity);
  return {
    length: 0,
    parent: new Int32Array(n),
    name: new Uint32Array(n),
    file: new Uint32Array(n),
    line: new Uint32Array(n),
    self: new Float64Array(n),
    total: new Float64Array(n),
    baseSelf: new Float64Array(n),
    baseTotal: new Float64Array(n),
    share: new Float64Array(n),
    baseShare: new Float64Array(n),
    kind: new Int32Array(n),
    folded: new Uint32Array(n),
    presence: new Int32Array(n),
  };
}

/** The same columns with room for `capacity` nodes. */
export function growColumns(c: NodeColumns, capacity: number): NodeColumns {
  const g = <T extends Int32Array | Uint32Array | Float64Array>(a: T): T => {
    const b = new (a.constructor as new (n: number) => T)(capacity);
    b.set(a.subarray(0, c.length));
    return b;
  };
  return {
    length: c.length,
    parent: g(c.parent),
    name: g(c.name),
    file: g(c.file),
    line: g(c.line),
    self: g(c.self),
    total: g(c.total),
    baseSelf: g(c.baseSelf),
    baseTotal: g(c.baseTotal),
    share: g(c.share),
    baseShare: g(c.baseShare),
    kind: g(c.kind),
    folded: g(c.folded),
    presence: g(c.presence),
  };
}

const ZERO = 0n;
/** Most counts of a plain flame graph's baseline side are zero: no allocation for those. */
function big(v: number): bigint {
  return v === 0 ? ZERO : BigInt(v);
}

/** The FlameNode messages of the columns. */
export function nodeObjects(c: NodeColumns): FlameNode[] {
  const nodes = new Array<FlameNode>(c.length);
  for (let i = 0; i < c.length; i++) {
    // A plain object with every field set is a complete message (cheaper than create()).
    nodes[i] = {
      $typeName: "fleetprof.v1.FlameNode",
      name: c.name[i] as number,
      file: c.file[i] as number,
      line: c.line[i] as number,
      parent: c.parent[i] as number,
      self: big(c.self[i] as number),
      total: big(c.total[i] as number),
      baseSelf: big(c.baseSelf[i] as number),
      baseTotal: big(c.baseTotal[i] as number),
      share: c.share[i] as number,
      baseShare: c.baseShare[i] as number,
      kind: c.kind[i] as NodeKind,
      folded: c.folded[i] as number,
      presence: c.presence[i] as Presence,
    };
  }
  return nodes;
}

function settle(graph: WithColumns, nodes: FlameNode[]): void {
  graph[COLUMNS] = undefined;
  Object.defineProperty(graph, "nodes", { value: nodes, writable: true, enumerable: true, configurable: true });
}

/** Puts `columns` behind `graph.nodes` (see the file comment). */
export function setNodeColumns(graph: FlameGraph, columns: NodeColumns): void {
  const g = graph as WithColumns;
  Object.defineProperty(g, COLUMNS, { value: columns, writable: true, enumerable: false, configurable: true });
  Object.defineProperty(g, "nodes", {
    enumerable: true,
    configurable: true,
    get(): FlameNode[] {
      const nodes = nodeObjects(columns);
      settle(g, nodes);
      return nodes;
    },
    set(nodes: FlameNode[]) {
      settle(g, nodes);
    },
  });
}

/** The columns of a graph whose nodes were never read nor replaced; undefined otherwise. */
export function nodeColumns(graph: FlameGraph): NodeColumns | undefined {
  return (graph as WithColumns)[COLUMNS];
}
