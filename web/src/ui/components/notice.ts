/**
 * What a panel shows while it waits, when it fails, or when nothing matched: a spinner, an
 * error saying what to do next (with a token field when the server wants one), or a hint.
 */
import { describeProblem } from "../api.js";
import { storeToken, storedToken } from "../token.js";
import { h } from "../dom.js";

export function loading(text = "Loading…"): HTMLElement {
  return h("div", { className: "notice loading", attrs: { role: "status" } }, h("span", { className: "spinner" }), text);
}

export function empty(text: string, hint = ""): HTMLElement {
  return h(
    "div",
    { className: "notice empty" },
    h("div", { className: "notice-title" }, text),
    hint !== "" ? h("div", { className: "notice-hint" }, hint) : null,
  );
}

/** The error of a failed call, or null when it was only cancelled. `retry` runs after a token is entered. */
export function failure(err: unknown, retry: () => void): HTMLElement | null {
  const p = describeProblem(err);
  if (p.cancelled) return null;
  const box = h(
    "div",
    { className: "notice error", attrs: { role: "alert" } },
    h("div", { className: "notice-title" }, "The query failed"),
    h("div", { className: "notice-message" }, p.message),
  );
  if (p.needsToken) {
    const input = h("input", {
      type: "password",
      placeholder: "bearer token",
      value: storedToken(),
      className: "token-input",
      attrs: { "aria-label": "API token" },
    });
    const save = (): void => {
      storeToken(input.value.trim());
      retry();
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") save();
    });
    box.append(h("div", { className: "token-row" }, input, h("button", { type: "button", className: "primary", on: { click: save } }, "Use token")));
  }
  return box;
}

let toastTimer = 0;

/** A short message at the bottom of the window ("Link copied"). */
export function toast(text: string): void {
  let el = document.getElementById("toast");
  if (el === null) {
    el = h("div", { id: "toast", attrs: { role: "status", "aria-live": "polite" } });
    document.body.append(el);
  }
  el.textContent = text;
  el.classList.add("shown");
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => el.classList.remove("shown"), 2200);
}
