/**
 * Selectors to the store's typed {@link SampleFilter}: the parsed matchers as they are. The
 * store alone turns a filter into (parameterised) SQL; a selector naming `capture_id` says
 * which captures it wants, any other leaves captures out (the store's `includesCaptures`).
 */
import type { SampleFilter } from "@fleetprof/store";
import { parseSelector, type Matcher } from "./parse.js";

/** The filter of already parsed (and checked) matchers. */
export function matchersToFilter(matchers: readonly Matcher[]): SampleFilter {
  return { matchers: [...matchers] };
}

/** Parses a selector (INVALID_ARGUMENT with a position when it is bad) into a filter. */
export function selectorToFilter(selector: string): SampleFilter {
  return matchersToFilter(parseSelector(selector));
}
