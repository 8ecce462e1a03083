/**
 * The cluster-mode DDL shown in deploy/README.md is what the store runs for
 * `--clickhouse-cluster fleetprof`, and the ClickHouse cluster config of deploy/ provides the
 * cluster name and the `{shard}` / `{replica}` macros that DDL relies on.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { docsClusterDdl, DOCS_CLUSTER, readmeClusterDdl, README_PATH } from "../src/cluster-ddl.js";

const deployFile = (path: string): string => readFileSync(fileURLToPath(new URL(`../${path}`, import.meta.url)), "utf8");

describe("cluster-mode DDL in the docs", () => {
  it("is exactly what the store's generator produces (regenerate with deploy/src/cluster-ddl.ts --write-readme)", () => {
    const shown = readmeClusterDdl(readFileSync(README_PATH, "utf8"));
    expect(shown, "deploy/README.md has no cluster-ddl block").toBeDefined();
    expect(shown, "deploy/README.md shows an old schema: node --conditions=@fleetprof/source --import tsx deploy/src/cluster-ddl.ts --write-readme").toBe(
      docsClusterDdl(),
    );
  });

  it("relies on a cluster name and macros that the deploy configs define", () => {
    const ddl = docsClusterDdl();
    expect(ddl).toContain(`ON CLUSTER \`${DOCS_CLUSTER}\``);
    expect(ddl).toMatch(/\{shard\}/);
    expect(ddl).toMatch(/'\{replica\}'/);

    // VMs: config.d snippets
    const remote = deployFile("clickhouse/config.d/cluster.xml");
    expect(remote).toContain(`<${DOCS_CLUSTER}>`);
    expect(remote).toMatch(/<zookeeper>[\s\S]*<node>/);
    const macros = deployFile("clickhouse/config.d/macros.xml");
    expect(macros).toMatch(/<shard>[^<]+<\/shard>/);
    expect(macros).toMatch(/<replica>[^<]+<\/replica>/);

    // Kubernetes: the ClickHouseInstallation names the same cluster and the collector uses it
    const chi = parse(deployFile("k8s/clickhouse/clickhouse-installation.yaml")) as {
      spec: { configuration: { clusters: { name: string }[] } };
    };
    expect(chi.spec.configuration.clusters.map((c) => c.name)).toContain(DOCS_CLUSTER);
  });
});
