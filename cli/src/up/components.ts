/**
 * How `fleetprof up` configures the packages it runs in its own process. Each package owns
 * its options; `up` only fills in where things are, over the package's defaults and the
 * FLEETPROF_* environment.
 */
import { loadConfig, type ConfigOf, type OptionSchema } from "@fleetprof/common";

export function componentConfig<S extends OptionSchema>(schema: S, values: Record<string, string | boolean | number>, env: NodeJS.ProcessEnv): ConfigOf<S> {
  const argv: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (name in schema) argv.push(`--${name}=${String(value)}`);
  }
  return loadConfig(schema, { argv, env }).config;
}
