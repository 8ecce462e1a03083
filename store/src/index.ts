// Read API (query SQL) lives in ./read/ and is owned by the query API's needs.
export * from "./read/index.js";
