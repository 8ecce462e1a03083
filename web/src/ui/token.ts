/** The server's bearer token, when it needs one: asked for once, kept for the browser tab. */

const TOKEN_KEY = "fleetprof-token";

export function storedToken(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}

export function storeToken(token: string): void {
  if (token === "") sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}
