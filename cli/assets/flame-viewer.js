// fleetprof interactive flame graph: reads the JSON embedded in the page and draws it on a
// canvas. Self-contained (no network, no libraries). Icicle layout: the root is the top row.
// Every string that came from a profile is written with textContent, never as HTML.
(function () {
  "use strict";

  const ROW = 18;
  const MIN_PX = 0.4;
  const FONT = "12px ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace";
  const KIND_ROOT = 1;
  const KIND_OTHER = 2;
  const BASE_ONLY = 1;
  const COMPARISON_ONLY = 2;

  const page = JSON.parse(document.getElementById("flame-data").textContent);
  const d = page.data;
  const n = d.name.length;
  const $ = (id) => document.getElementById(id);

  // ---- numbers -------------------------------------------------------------------------
  const fmtInt = (v) => Math.round(v).toLocaleString("en-US");
  const fmtPct = (f) => {
    if (f === 0) return "0%";
    const p = f * 100;
    if (Math.abs(p) < 0.01) return (p < 0 ? "-" : "") + "<0.01%";
    return p.toFixed(Math.abs(p) < 10 ? 2 : 1) + "%";
  };
  const fmtPp = (f) => (f > 0 ? "+" : f < 0 ? "\u2212" : "\u00b1") + Math.abs(f * 100).toFixed(2) + " pp";

  // ---- layout (same rules as the CLI's layout.ts) ----------------------------------------
  const depth = new Int32Array(n);
  const x = new Float64Array(n);
  const width = new Float64Array(n);
  const end = new Int32Array(n);
  const cursor = new Float64Array(n);
  const share = new Float64Array(n);
  const baseShare = new Float64Array(n);
  const bothSides = d.diff && d.sum > 0 && d.baseSum > 0;
  let maxDepth = 0;
  for (let i = 0; i < n; i++) {
    share[i] = d.sum > 0 ? d.total[i] / d.sum : 0;
    baseShare[i] = d.diff ? (d.baseSum > 0 ? d.baseTotal[i] / d.baseSum : 0) : share[i];
    width[i] = bothSides ? (share[i] + baseShare[i]) / 2 : d.diff && d.sum === 0 ? baseShare[i] : share[i];
    end[i] = i + 1;
    const p = d.parent[i];
    if (p < 0 || p >= i) {
      depth[i] = 0;
      x[i] = 0;
    } else {
      depth[i] = depth[p] + 1;
      x[i] = cursor[p];
      cursor[p] += width[i];
    }
    cursor[i] = x[i];
    if (depth[i] > maxDepth) maxDepth = depth[i];
  }
  for (let i = n - 1; i > 0; i--) {
    const p = d.parent[i];
    if (p >= 0 && p < i && end[i] > end[p]) end[p] = end[i];
  }

  const label = (i) => {
    if (d.kind[i] === KIND_ROOT) return "all";
    if (d.kind[i] === KIND_OTHER) return "\u2026 " + fmtInt(d.folded[i]) + " smaller frames (folded)";
    return d.strings[d.name[i]];
  };
  const location = (i) => {
    if (d.kind[i] === KIND_ROOT || d.kind[i] === KIND_OTHER) return "";
    const file = d.strings[d.file[i]] || "";
    if (file === "") return "";
    return d.line[i] > 0 ? file + ":" + d.line[i] : file;
  };

  // ---- colours ----------------------------------------------------------------------------
  const NEUTRAL = [233, 229, 223];
  const RED = [215, 38, 30];
  const BLUE = [36, 99, 209];
  let scaleMax = 0;
  if (d.diff) {
    for (let i = 1; i < n; i++) scaleMax = Math.max(scaleMax, Math.abs(share[i] - baseShare[i]));
    scaleMax = Math.max(scaleMax, 0.01);
  }
  const mix = (a, b, t) => "rgb(" + a.map((v, k) => Math.round(v + (b[k] - v) * t)).join(",") + ")";
  const hash = (s) => {
    let h = 2166136261;
    for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 16777619);
    return h >>> 0;
  };
  const colour = new Array(n);
  const textDark = new Uint8Array(n);
  let hatch = "#d0d4d9";
  for (let i = 0; i < n; i++) {
    textDark[i] = 1;
    if (d.kind[i] === KIND_ROOT && !d.diff) colour[i] = "rgb(206,206,206)";
    else if (d.kind[i] === KIND_OTHER) colour[i] = null;
    else if (d.diff) {
      const delta = share[i] - baseShare[i];
      const t = Math.min(1, Math.abs(delta) / scaleMax);
      if (Math.abs(delta) < 0.0005) colour[i] = mix(NEUTRAL, NEUTRAL, 0);
      else {
        // intensity follows the size of the change, so small drifts stay pale
        const eased = Math.pow(t, 0.6);
        colour[i] = mix(NEUTRAL, delta > 0 ? RED : BLUE, eased);
        if (eased > 0.6) textDark[i] = 0;
      }
    } else {
      const h = hash(d.strings[d.name[i]] + "\u0000" + d.strings[d.file[i]]);
      colour[i] = "hsl(" + (8 + (h % 44)) + "," + (72 + ((h >>> 8) % 20)) + "%," + (56 + ((h >>> 16) % 12)) + "%)";
    }
  }

  // ---- page text ----------------------------------------------------------------------------
  document.title = page.title;
  $("title").textContent = page.title;
  $("subtitle").textContent = page.subtitle;
  const legend = $("legend");
  const span = (text, cls) => {
    const s = document.createElement("span");
    if (cls) s.className = cls;
    s.textContent = text;
    return s;
  };
  if (d.diff) {
    const scale = span("", "scale");
    scale.append(span("shrank " + fmtPp(-scaleMax), "shrank"));
    const bar = span("", "bar");
    bar.title = "colour = change in share of samples, comparison minus baseline";
    scale.append(bar, span("grew " + fmtPp(scaleMax), "grew"));
    legend.append(scale);
    legend.append(span("baseline " + page.baseLabel + ": " + fmtInt(d.baseSum) + " samples"));
    legend.append(span("comparison " + page.comparisonLabel + ": " + fmtInt(d.sum) + " samples"));
    legend.append(span("width = mean share of both sides \u00b7 colour = change in share"));
  } else {
    legend.append(span(fmtInt(d.sum) + " samples \u00b7 width = share of samples \u00b7 colour = function"));
  }
  if (d.foldedNodes > 0) {
    const banner = $("truncation");
    banner.hidden = false;
    const sw = span("", "swatch");
    banner.append(
      span("Truncated: "),
      span(fmtInt(d.foldedNodes) + " smaller frames (" + fmtPct(d.sum > 0 ? d.foldedSamples / d.sum : 0) + " of samples) were folded into "),
      sw,
      span(" \u201csmaller frames\u201d nodes. Ask for more detail with --max-nodes."),
    );
  }

  const canvas = $("flame");
  if (n === 0 || (d.sum === 0 && d.baseSum === 0)) {
    $("chart").hidden = true;
    $("empty").hidden = false;
    $("empty").textContent = "No samples matched this selector and time range.";
  }
  const ctx = canvas.getContext("2d");

  // hatch pattern for folded ("other") nodes
  {
    const p = document.createElement("canvas");
    p.width = 8;
    p.height = 8;
    const pc = p.getContext("2d");
    pc.fillStyle = "#eef0f2";
    pc.fillRect(0, 0, 8, 8);
    pc.strokeStyle = "#b8bec5";
    pc.lineWidth = 2.5;
    pc.beginPath();
    pc.moveTo(-2, 10);
    pc.lineTo(10, -2);
    pc.moveTo(6, 10);
    pc.lineTo(10, 6);
    pc.moveTo(-2, 2);
    pc.lineTo(2, -2);
    pc.stroke();
    hatch = ctx.createPattern(p, "repeat") || hatch;
  }

  // ---- state ------------------------------------------------------------------------------
  let zoom = 0;
  let hover = -1;
  let matches = null;
  let matchCount = 0;
  let cssWidth = 0;
  let charW = 7.2;
  // rows[depth] = flat [i, x0, x1, i, x0, x1, ...] of what was drawn, left to right
  let rows = [];
  let skipped = 0;

  const isAncestorOf = (a, b) => a <= b && b < end[a];

  function resize() {
    const w = Math.max(320, canvas.parentElement.clientWidth - 28);
    const dpr = window.devicePixelRatio || 1;
    const h = Math.min((maxDepth + 1) * ROW + 2, Math.floor(30000 / dpr));
    cssWidth = w;
    canvas.style.height = h + "px";
    canvas.width = Math.floor(w * dpr);
    canvas.height = Math.floor(h * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.font = FONT;
    charW = ctx.measureText("MMMMMMMMMM").width / 10;
    draw();
  }

  function drawNode(i, px, pw, ancestor) {
    const y = depth[i] * ROW;
    const dim = matches !== null && !matches[i];
    ctx.globalAlpha = ancestor ? 0.55 : dim ? 0.35 : 1;
    if (matches !== null && matches[i]) ctx.fillStyle = "#c026d3";
    else ctx.fillStyle = colour[i] === null ? hatch : colour[i];
    const w = pw > 2 ? pw - 1 : pw;
    ctx.fillRect(px, y, w, ROW - 1);
    if (d.diff && d.kind[i] !== KIND_OTHER && d.presence.length > 0 && d.presence[i] !== 0 && pw > 3) {
      // a dashed outline marks frames seen on only one side
      ctx.setLineDash([3, 2]);
      ctx.strokeStyle = "#1f2328";
      ctx.strokeRect(px + 0.5, y + 0.5, w - 1, ROW - 2);
      ctx.setLineDash([]);
    }
    if (i === hover) {
      ctx.globalAlpha = 1;
      ctx.strokeStyle = "#1f2328";
      ctx.lineWidth = 1.5;
      ctx.strokeRect(px + 0.75, y + 0.75, Math.max(0, w - 1.5), ROW - 2.5);
      ctx.lineWidth = 1;
    }
    const room = Math.floor((pw - 6) / charW);
    if (room >= 3) {
      let t = label(i);
      if (t.length > room) t = t.slice(0, room - 1) + "\u2026";
      ctx.fillStyle = matches !== null && matches[i] ? "#ffffff" : textDark[i] ? "#1f2328" : "#ffffff";
      ctx.fillText(t, px + 3, y + ROW - 5);
    }
    ctx.globalAlpha = 1;
    const row = rows[depth[i]];
    row.push(i, px, px + pw);
  }

  function draw() {
    if (cssWidth === 0) return;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    rows = [];
    for (let k = 0; k <= maxDepth; k++) rows.push([]);
    skipped = 0;
    const zx = x[zoom];
    const zw = width[zoom] > 0 ? width[zoom] : 1;
    const scale = cssWidth / zw;
    const chain = [];
    for (let a = d.parent[zoom]; a >= 0; a = d.parent[a]) chain.push(a);
    for (let k = chain.length - 1; k >= 0; k--) drawNode(chain[k], 0, cssWidth, true);
    for (let i = zoom; i < end[zoom]; ) {
      const pw = width[i] * scale;
      if (pw < MIN_PX) {
        skipped += end[i] - i;
        i = end[i];
        continue;
      }
      drawNode(i, (x[i] - zx) * scale, pw, false);
      i++;
    }
    $("status").textContent =
      fmtInt(n) + " frames" + (skipped > 0 ? " \u00b7 " + fmtInt(skipped) + " too narrow to draw at this zoom (click a frame to zoom in)" : "") +
      (d.source ? " \u00b7 data: " + d.source : "");
  }

  function hit(clientX, clientY) {
    const r = canvas.getBoundingClientRect();
    const px = clientX - r.left;
    const row = rows[Math.floor((clientY - r.top) / ROW)];
    if (!row) return -1;
    let lo = 0;
    let hi = row.length / 3 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (px < row[mid * 3 + 1]) hi = mid - 1;
      else if (px >= row[mid * 3 + 2]) lo = mid + 1;
      else return row[mid * 3];
    }
    return -1;
  }

  // ---- tooltip ------------------------------------------------------------------------------
  const tip = $("tooltip");
  function tooltip(i, clientX, clientY) {
    tip.replaceChildren();
    const fn = document.createElement("div");
    fn.className = "fn";
    fn.textContent = label(i);
    tip.append(fn);
    const loc = location(i);
    if (loc) {
      const l = document.createElement("div");
      l.className = "loc";
      l.textContent = loc;
      tip.append(l);
    }
    const table = document.createElement("table");
    const tr = (cells, head) => {
      const r = document.createElement("tr");
      for (const c of cells) {
        const cell = document.createElement(head ? "th" : "td");
        cell.textContent = c;
        r.append(cell);
      }
      table.append(r);
    };
    const selfShare = (v, sum) => (sum > 0 ? v / sum : 0);
    if (d.diff) {
      tr(["", "baseline", "comparison", "change"], true);
      tr(["total", fmtInt(d.baseTotal[i]), fmtInt(d.total[i]), ""]);
      tr(["total %", fmtPct(baseShare[i]), fmtPct(share[i]), fmtPp(share[i] - baseShare[i])]);
      tr(["self", fmtInt(d.baseSelf[i]), fmtInt(d.self[i]), ""]);
      const bs = selfShare(d.baseSelf[i], d.baseSum);
      const cs = selfShare(d.self[i], d.sum);
      tr(["self %", fmtPct(bs), fmtPct(cs), fmtPp(cs - bs)]);
    } else {
      tr(["self", fmtInt(d.self[i]), fmtPct(selfShare(d.self[i], d.sum))]);
      tr(["total", fmtInt(d.total[i]), fmtPct(share[i])]);
      if (zoom !== 0 && isAncestorOf(zoom, i) && d.total[zoom] > 0) tr(["of zoomed", "", fmtPct(d.total[i] / d.total[zoom])]);
    }
    tip.append(table);
    const note = (text, cls) => {
      const el = document.createElement("div");
      el.className = "note" + (cls ? " " + cls : "");
      el.textContent = text;
      tip.append(el);
    };
    if (d.diff) {
      const delta = share[i] - baseShare[i];
      if (d.presence[i] === BASE_ONLY) note("only in the baseline", "down");
      else if (d.presence[i] === COMPARISON_ONLY) note("only in the comparison", "up");
      else if (Math.abs(delta) >= 0.0005) note(delta > 0 ? "grew" : "shrank", delta > 0 ? "up" : "down");
    }
    if (d.kind[i] === KIND_OTHER) note(fmtInt(d.folded[i]) + " smaller frames folded by truncation (--max-nodes)");
    tip.hidden = false;
    const pad = 14;
    const w = tip.offsetWidth;
    const h = tip.offsetHeight;
    let left = clientX + pad;
    let top = clientY + pad;
    if (left + w > window.innerWidth - 4) left = Math.max(4, clientX - w - pad);
    if (top + h > window.innerHeight - 4) top = Math.max(4, clientY - h - pad);
    tip.style.left = left + "px";
    tip.style.top = top + "px";
  }

  // ---- interaction --------------------------------------------------------------------------
  function setZoom(i) {
    zoom = i < 0 ? 0 : i;
    $("zoom-info").textContent = zoom === 0 ? "" : "zoomed into " + label(zoom) + " (" + fmtPct(width[zoom]) + ")";
    draw();
  }

  function search(query) {
    const input = $("search");
    input.classList.remove("bad");
    if (query === "") {
      matches = null;
      matchCount = 0;
      $("search-info").textContent = "";
      draw();
      return;
    }
    let re;
    try {
      re = new RegExp(query, "i");
    } catch (_) {
      input.classList.add("bad");
      re = new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i");
    }
    matches = new Uint8Array(n);
    matchCount = 0;
    for (let i = 0; i < n; i++) {
      if (d.kind[i] === KIND_ROOT || d.kind[i] === KIND_OTHER) continue;
      if (re.test(d.strings[d.name[i]]) || re.test(location(i))) {
        matches[i] = 1;
        matchCount++;
      }
    }
    // share of samples under a match, counting nested matches once
    let covered = 0;
    for (let i = 0; i < n; ) {
      if (matches[i]) {
        covered += width[i];
        i = end[i];
      } else i++;
    }
    $("search-info").textContent =
      matchCount === 0 ? "no match" : fmtInt(matchCount) + " frame" + (matchCount === 1 ? "" : "s") + " match \u00b7 " + fmtPct(covered) + " of samples";
    draw();
  }

  canvas.addEventListener("mousemove", (e) => {
    const i = hit(e.clientX, e.clientY);
    if (i !== hover) {
      hover = i;
      draw();
    }
    if (i < 0) tip.hidden = true;
    else tooltip(i, e.clientX, e.clientY);
  });
  canvas.addEventListener("mouseleave", () => {
    tip.hidden = true;
    if (hover !== -1) {
      hover = -1;
      draw();
    }
  });
  canvas.addEventListener("click", (e) => {
    const i = hit(e.clientX, e.clientY);
    if (i >= 0) setZoom(i === zoom ? d.parent[i] : i);
  });
  let timer = 0;
  $("search").addEventListener("input", (e) => {
    clearTimeout(timer);
    const value = e.target.value;
    timer = setTimeout(() => search(value), 120);
  });
  $("search").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      clearTimeout(timer);
      search(e.target.value);
    }
  });
  $("reset").addEventListener("click", () => {
    $("search").value = "";
    search("");
    setZoom(0);
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "/" && document.activeElement !== $("search")) {
      e.preventDefault();
      $("search").focus();
    } else if (e.key === "Escape") {
      $("search").value = "";
      search("");
      setZoom(0);
    }
  });
  let pending = false;
  window.addEventListener("resize", () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      resize();
    });
  });

  // ---- functions table: self time per function (a function counted once per stack for total)
  {
    const agg = new Map();
    const onPath = new Map();
    const path = [];
    for (let i = 0; i < n; i++) {
      while (path.length > 0 && path[path.length - 1][0] <= i) {
        const k = path.pop()[1];
        onPath.set(k, onPath.get(k) - 1);
      }
      if (d.kind[i] === KIND_ROOT || d.kind[i] === KIND_OTHER) continue;
      const k = d.name[i] + ":" + d.file[i];
      let a = agg.get(k);
      if (a === undefined) {
        a = { i, self: 0, total: 0, baseSelf: 0, baseTotal: 0 };
        agg.set(k, a);
      }
      a.self += d.self[i];
      if (d.diff) a.baseSelf += d.baseSelf[i];
      if (!(onPath.get(k) > 0)) {
        a.total += d.total[i];
        if (d.diff) a.baseTotal += d.baseTotal[i];
      }
      onPath.set(k, (onPath.get(k) || 0) + 1);
      path.push([end[i], k]);
    }
    const of = (v, sum) => (sum > 0 ? v / sum : 0);
    const change = (a) => of(a.self, d.sum) - of(a.baseSelf, d.baseSum);
    const rows = [...agg.values()]
      .sort(d.diff ? (a, b) => Math.abs(change(b)) - Math.abs(change(a)) : (a, b) => b.self - a.self || b.total - a.total)
      .slice(0, 30);
    const table = $("fn-table");
    const head = document.createElement("tr");
    const cols = d.diff ? ["function", "file", "base self", "self", "change"] : ["function", "file", "self", "self %", "total %"];
    for (const c of cols) head.append(Object.assign(document.createElement("th"), { textContent: c }));
    table.append(head);
    for (const a of rows) {
      const tr = document.createElement("tr");
      const name = d.strings[d.name[a.i]];
      const cells = d.diff
        ? [name, location(a.i), fmtPct(of(a.baseSelf, d.baseSum)), fmtPct(of(a.self, d.sum)), fmtPp(change(a))]
        : [name, location(a.i), fmtInt(a.self), fmtPct(of(a.self, d.sum)), fmtPct(of(a.total, d.sum))];
      cells.forEach((text, k) => {
        const td = document.createElement("td");
        td.textContent = text;
        if (k === 4 && d.diff) td.className = change(a) > 0.0005 ? "up" : change(a) < -0.0005 ? "down" : "";
        tr.append(td);
      });
      tr.title = "highlight " + name + " in the graph";
      tr.addEventListener("click", () => {
        const q = "^" + name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "$";
        $("search").value = q;
        search(q);
        window.scrollTo({ top: 0 });
      });
      table.append(tr);
    }
    $("fn-title").textContent = d.diff
      ? "Functions by change in share of self time (" + rows.length + " of " + agg.size + ")"
      : "Functions by self time (" + rows.length + " of " + agg.size + ")";
    if (rows.length === 0) $("functions").hidden = true;
  }

  // A small read-only handle for tests and for people poking in the console.
  window.fleetprofViewer = {
    nodeCount: n,
    /** Index of the widest frame with this function name, or -1. */
    find(name) {
      let best = -1;
      for (let i = 0; i < n; i++) if (d.kind[i] !== KIND_ROOT && d.strings[d.name[i]] === name && (best < 0 || width[i] > width[best])) best = i;
      return best;
    },
    /** Where node i is drawn, in viewport coordinates, or null when it is not drawn. */
    box(i) {
      const r = canvas.getBoundingClientRect();
      const row = rows[depth[i]] || [];
      for (let k = 0; k < row.length; k += 3) {
        if (row[k] === i) return { x: r.left + row[k + 1], y: r.top + depth[i] * ROW, width: row[k + 2] - row[k + 1], height: ROW - 1 };
      }
      return null;
    },
    /** What is on screen. */
    state() {
      return { zoom: label(zoom), zoomIndex: zoom, matches: matchCount, drawn: rows.reduce((s, r) => s + r.length / 3, 0), skipped };
    },
    /** The fill colour of node i. */
    colour(i) {
      return colour[i];
    },
    label,
  };

  resize();
})();
