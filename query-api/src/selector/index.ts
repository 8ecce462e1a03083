export { MAX_MATCHERS, MAX_SELECTOR_LENGTH, MAX_VALUE_LENGTH, parseSelector, type Matcher, type MatchOp } from "./parse.js";
export { checkRegex, type RegexProblem } from "./regex.js";
export { matchersToFilter, selectorToFilter } from "./to-filter.js";
