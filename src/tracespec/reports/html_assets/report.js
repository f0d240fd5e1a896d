/* tracespec report and explorer: the page's whole script (no library, no network in a report).
 * Every text from the data is written with textContent; nothing of the data is ever markup. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("tracespec-data").textContent);
  var EXPLORER = DATA.mode === "explorer";
  var ROW = 24;
  var COLORS = ["#4c6ef5", "#12b886", "#f59f00", "#ae3ec9", "#1098ad", "#e8590c", "#5c940d",
    "#d6336c", "#495057", "#7950f2", "#0ca678", "#f08c00"];

  // -- small DOM helpers ------------------------------------------------------------------
  function h(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined && text !== null) el.textContent = String(text);
    return el;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }
  function put(parent, child) { parent.appendChild(child); return child; }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }
  function button(text, cls, onclick) {
    var b = h("button", cls, text); b.type = "button"; b.addEventListener("click", onclick); return b;
  }
  function icon(state) {
    return h("span", "icon " + state, state === "pass" ? "✔" : state === "fail" ? "✘" : "!");
  }
  function fmtDur(ns) {
    if (ns < 1e3) return ns + "ns";
    if (ns < 1e6) return +(ns / 1e3).toFixed(1) + "µs";
    if (ns < 1e9) return +(ns / 1e6).toFixed(2) + "ms";
    return +(ns / 1e9).toFixed(2) + "s";
  }
  function jsonText(v) { return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v); }

  // -- decoding a trace (reports/_htmldata.py) ---------------------------------------------
  var DIGIT = new Int8Array(128).fill(-1);
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".split("").forEach(
    function (c, i) { DIGIT[c.charCodeAt(0)] = i; });

  function decode(d) {
    var n = d.n, s = d.vlq, at = 0;
    function next() {
      var value = 0, mul = 1, digit;
      do { digit = DIGIT[s.charCodeAt(at++)]; value += (digit & 31) * mul; mul *= 32; }
      while (digit >= 32);
      return value;
    }
    var T = { d: d, n: n, parent: new Int32Array(n), start: new Float64Array(n),
      dur: new Float64Array(n), name: new Int32Array(n), group: new Int32Array(n),
      kind: new Uint8Array(n), status: new Uint8Array(n), type: new Uint8Array(n),
      aoff: new Int32Array(n + 1), depth: new Int32Array(n), end: new Int32Array(n) };
    var keys = [], vals = [], newValue = 0;
    for (var p = 0; p < n; p++) {
      var delta = next(), zz = next();
      var parent = delta ? p - delta : -1;
      var rel = zz % 2 ? -(zz + 1) / 2 : zz / 2;
      T.parent[p] = parent;
      T.start[p] = (parent >= 0 ? T.start[parent] : 0) + rel;
      T.depth[p] = parent >= 0 ? T.depth[parent] + 1 : 0;
      T.dur[p] = next(); T.name[p] = next(); T.group[p] = next();
      var packed = next();
      T.kind[p] = packed & 7; T.status[p] = (packed >> 3) & 3; T.type[p] = packed >> 5;
      T.aoff[p] = keys.length;
      for (var k = next(); k > 0; k--) {
        keys.push(next());
        var ref = next();
        vals.push(ref === 0 ? newValue++ : ref - 1);
      }
    }
    T.aoff[n] = keys.length;
    T.akey = Int32Array.from(keys); T.aval = Int32Array.from(vals);
    // subtree ends (trace order is pre-order): end[p] = first position after p's subtree
    var stack = [];
    for (p = 0; p < n; p++) {
      while (stack.length && T.depth[stack[stack.length - 1]] >= T.depth[p]) T.end[stack.pop()] = p;
      stack.push(p);
    }
    while (stack.length) T.end[stack.pop()] = n;
    var lo = Infinity, hi = -Infinity;
    for (p = 0; p < n; p++) {
      if (T.start[p] < lo) lo = T.start[p];
      if (T.start[p] + T.dur[p] > hi) hi = T.start[p] + T.dur[p];
    }
    T.lo = n ? lo : 0; T.span = n ? Math.max(hi - lo, 1) : 1;
    T.services = d.groups.map(function (g) { return g.service; });
    var svcNames = [];
    T.services.forEach(function (s) { if (svcNames.indexOf(s) < 0) svcNames.push(s); });
    T.serviceNames = svcNames;
    T.groupColor = T.services.map(function (s) { return COLORS[svcNames.indexOf(s) % COLORS.length]; });
    var deepest = 0;
    for (p = 0; p < n; p++) if (T.depth[p] > deepest) deepest = T.depth[p];
    T.indent = Math.max(5, Math.min(14, Math.floor(180 / (deepest + 1))));
    T.collapsed = new Uint8Array(n);
    T.errors = 0;
    for (p = 0; p < n; p++) if (T.status[p] === 2) T.errors++;
    return T;
  }
  function spanId(T, p) { return T.d.ids.substr(p * 16, 16); }
  function spanName(T, p) { return T.d.strings[T.name[p]]; }
  function attrs(T, p) {
    var out = [];
    for (var i = T.aoff[p]; i < T.aoff[p + 1]; i++)
      out.push([T.d.strings[T.akey[i]], T.d.values[T.aval[i]]]);
    return out;
  }

  // -- state ---------------------------------------------------------------------------
  var S = { T: null, traceIndex: 0, current: -1, marks: null, visible: null, focusSpec: null,
    specs: [], cache: {} };
  var el = {};

  function build() {
    var app = document.getElementById("app");
    var top = add(h("header", "top"), h("span", "brand", "tracespec"),
      el.title = h("span", "title", DATA.title || ""), h("span", "spacer"),
      el.verdict = h("span", "verdict"));
    el.left = h("aside", "left");
    el.right = h("aside", "right");
    var center = h("section", "center");
    el.toolbar = h("div", "toolbar");
    var axis = add(h("div", "axis"), h("div", "tree-h", "span (service)"),
      el.ticks = h("div", "ticks"));
    el.viewport = h("div", "viewport");
    el.spacer = put(el.viewport, h("div", "spacer"));
    add(center, el.toolbar, axis, el.viewport);
    add(app, top, add(h("main"), el.left, center, el.right));
    el.viewport.addEventListener("scroll", draw);
    window.addEventListener("resize", draw);
    el.pool = [];
  }

  // -- the waterfall + tree, only the rows in view ----------------------------------------
  function recompute() {
    var T = S.T, out = new Int32Array(T.n), k = 0, p = 0;
    while (p < T.n) { out[k++] = p; p = T.collapsed[p] ? T.end[p] : p + 1; }
    S.visible = out.subarray(0, k);
    el.spacer.style.height = k * ROW + "px";
    draw();
  }
  function makeRow() {
    var r = h("div", "srow");
    r._mark = put(r, h("span", "mark"));
    r._tree = put(r, h("div", "tree"));
    r._toggle = put(r._tree, h("span", "toggle"));
    r._dot = put(r._tree, h("span", "dot"));
    r._name = put(r._tree, h("span", "sname"));
    r._svc = put(r._tree, h("span", "svc"));
    r._err = put(r._tree, h("span", "errflag"));
    r._lane = put(r, h("div", "lane"));
    r._bar = put(r._lane, h("div", "bar"));
    r._dur = put(r._lane, h("span", "dur"));
    r.addEventListener("click", function (ev) {
      var p = r._pos;
      if (ev.target === r._toggle && S.T.end[p] > p + 1) {
        S.T.collapsed[p] ^= 1; recompute(); return;
      }
      selectSpan(p, false);
    });
    el.spacer.appendChild(r);
    return r;
  }
  function draw() {
    var T = S.T;
    if (!T || !S.visible) return;
    var top = el.viewport.scrollTop, height = el.viewport.clientHeight || 600;
    var first = Math.max(0, Math.floor(top / ROW) - 5);
    var last = Math.min(S.visible.length, Math.ceil((top + height) / ROW) + 5);
    var i = 0, laneWidth = Math.max(100, el.viewport.clientWidth * 0.58 - 74);
    for (var k = first; k < last; k++, i++) {
      var r = el.pool[i] || (el.pool[i] = makeRow());
      var p = S.visible[k];
      r._pos = p;
      r.style.display = "";
      r.style.top = k * ROW + "px";
      r.dataset.pos = p;
      var mark = S.marks ? S.marks[p] : 0;
      r.className = "srow" + (mark === 1 ? " mark-pass" : mark === 2 ? " mark-fail" : mark === 3 ?
        " marked" : "") + (p === S.current ? " current" : "");
      r._mark.textContent = mark === 1 ? "✔" : mark === 2 ? "✘" : mark === 3 ? "●" : "";
      r._mark.style.color = mark === 1 ? "var(--pass)" : mark === 2 ? "var(--fail)" : "#b08800";
      r._tree.style.paddingLeft = Math.min(T.depth[p], 60) * T.indent + "px";
      r._toggle.textContent = T.end[p] > p + 1 ? (T.collapsed[p] ? "▸" : "▾") : "";
      r._dot.style.background = T.groupColor[T.group[p]];
      r._name.textContent = spanName(T, p);
      r._svc.textContent = T.services[T.group[p]];
      r._err.textContent = T.status[p] === 2 ? "error" : "";
      var left = (T.start[p] - T.lo) / T.span * 100, width = T.dur[p] / T.span * 100;
      r._bar.style.left = left + "%";
      r._bar.style.width = width + "%";
      r._bar.style.background = T.groupColor[T.group[p]];
      r._bar.className = "bar" + (T.status[p] === 2 ? " error" : "");
      r._dur.textContent = fmtDur(T.dur[p]);
      r._dur.className = "dur";
      r._dur.style.left = ""; r._dur.style.right = "";
      if (width * laneWidth / 100 > 64) { r._dur.className = "dur inside"; r._dur.style.left = "calc(" + left + "% + 5px)"; }
      else if (left + width < 86) r._dur.style.left = "calc(" + (left + width) + "% + 4px)";
      else r._dur.style.right = "calc(" + (100 - left) + "% + 4px)";
    }
    for (; i < el.pool.length; i++) el.pool[i].style.display = "none";
  }
  function drawAxis() {
    clear(el.ticks);
    for (var i = 0; i <= 4; i++) {
      var t = put(el.ticks, h("span", "tick", fmtDur(Math.round(S.T.span * i / 4))));
      t.style.left = (i * 25) + "%";
      if (i === 0) t.style.transform = "none";
      if (i === 4) t.style.transform = "translateX(-100%)";
    }
  }
  function toolbar() {
    var T = S.T;
    clear(el.toolbar);
    if (DATA.traces.length > 1 || EXPLORER) el.toolbar.appendChild(tracePicker());
    add(el.toolbar, h("span", "mono", "trace " + T.d.traceId),
      h("span", "muted", T.n + (T.n === 1 ? " span" : " spans") + " · " + T.serviceNames.length +
        " services · " + fmtDur(T.span) + (T.errors ? " · " + T.errors + " errors" : "")));
    var legend = put(el.toolbar, h("div", "legend"));
    T.serviceNames.slice(0, 12).forEach(function (s, i) {
      var item = put(legend, h("span", null, s || "(no service)"));
      item.style.setProperty("--c", COLORS[i % COLORS.length]);
    });
    add(el.toolbar, button("expand all", "small", function () { S.T.collapsed.fill(0); recompute(); }));
    el.nav = put(el.toolbar, h("span", "nav"));
    el.nav.id = "marked-nav";
    add(el.nav, button("◂", "small", function () { step(-1); }),
      el.navText = h("span", "muted", ""), button("▸", "small", function () { step(1); }));
    el.nav.style.display = S.marked && S.marked.length ? "" : "none";
    if (S.marked) el.navText.textContent = S.marked.length + " marked";
  }
  function tracePicker() {
    var sel = h("select");
    sel.style.width = "auto"; sel.id = "trace-picker";
    DATA.traces.forEach(function (t, i) {
      var o = h("option", null, (t.label || t.traceId.slice(0, 16)) + " (" + t.n + " spans)");
      o.value = i; sel.appendChild(o);
    });
    sel.value = S.traceIndex;
    sel.addEventListener("change", function () { showTrace(+sel.value); });
    return sel;
  }
  function scrollToPos(p) {
    var T = S.T, q = T.parent[p];
    var opened = false;
    while (q >= 0) { if (T.collapsed[q]) { T.collapsed[q] = 0; opened = true; } q = T.parent[q]; }
    if (opened) recompute();
    var k = Array.prototype.indexOf.call(S.visible, p);
    if (k < 0) return;
    var top = k * ROW, vp = el.viewport;
    if (top < vp.scrollTop || top > vp.scrollTop + vp.clientHeight - ROW)
      vp.scrollTop = Math.max(0, top - vp.clientHeight / 3);
    draw();
  }
  function setMarks(marks) {
    S.marks = marks; S.marked = [];
    if (marks) for (var p = 0; p < marks.length; p++) if (marks[p]) S.marked.push(p);
    S.markAt = -1;
    if (el.nav) {
      el.nav.style.display = S.marked.length ? "" : "none";
      el.navText.textContent = S.marked.length + " marked";
    }
    draw();
  }
  function step(by) {
    if (!S.marked || !S.marked.length) return;
    S.markAt = (S.markAt + by + S.marked.length) % S.marked.length;
    el.navText.textContent = (S.markAt + 1) + " of " + S.marked.length + " marked";
    selectSpan(S.marked[S.markAt], true);
  }

  // -- a span's detail ------------------------------------------------------------------
  function kvTable(pairs, assertable) {
    var table = h("table", "kv");
    pairs.forEach(function (kv) {
      var tr = put(table, h("tr"));
      add(tr, h("td", "k", kv[0]), h("td", "v", jsonText(kv[1])));
      if (assertable && EXPLORER) {
        var td = put(tr, h("td", "a"));
        var b = put(td, button("+", "small", function () { addAssertion(kv[0], kv[1]); }));
        b.title = "assert attr:" + kv[0];
      }
    });
    return table;
  }
  function selectSpan(p, scroll) {
    S.current = p;
    if (scroll) scrollToPos(p); else draw();
    showDetail(p);
  }
  function showDetail(p) {
    var T = S.T, d = T.d, g = d.groups[T.group[p]], extra = d.extra[p] || {};
    var box = clear(el.right);
    var pad = put(box, h("div", "pad"));
    pad.id = "span-detail";
    add(pad, h("h3", null, spanName(T, p)));
    var badges = put(pad, h("div", "badges"));
    add(badges, h("span", "badge", g.service || "(no service)"), h("span", "badge", d.kinds[T.kind[p]]),
      h("span", "badge", d.types[T.type[p]]), h("span", "badge", fmtDur(T.dur[p])));
    if (T.status[p] === 2) add(badges, h("span", "badge error", "error"));
    if (extra.status) add(pad, h("div", "error-box", extra.status));
    if (EXPLORER) {
      add(pad, h("h2", null, "Selector for this span"));
      var row = put(pad, h("div", "suggest")), code = put(row, h("code", null, "…"));
      code.id = "suggested";
      var copy = button("copy", "small", function () {
        var done = function () { copy.textContent = "copied"; setTimeout(function () { copy.textContent = "copy"; }, 1200); };
        var select = function () {  // (no clipboard here: the text is selected, for Ctrl-C)
          var range = document.createRange(); range.selectNodeContents(code);
          var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
        };
        if (navigator.clipboard) navigator.clipboard.writeText(code.textContent).then(done, select);
        else select();
      });
      add(row, copy, button("use", "small", function () { setSelector(code.textContent); }));
      api("suggest", { trace: S.traceIndex, span: p }).then(function (r) {
        code.textContent = r.selector || "(no selector on stable attributes selects only it)";
      });
    }
    add(pad, h("h2", null, "Attributes"), kvTable(attrs(T, p), true));
    var meta = [["tracetest.span.type", d.types[T.type[p]]], ["tracetest.span.duration", T.dur[p]],
      ["tracetest.span.status_code", d.statuses[T.status[p]]], ["name", spanName(T, p)],
      ["kind", d.kinds[T.kind[p]]]];
    add(pad, h("h2", null, "Span"), kvTable(meta, true),
      kvTable([["span id", spanId(T, p)], ["parent id", T.parent[p] >= 0 ? spanId(T, T.parent[p]) : null],
        ["start", "+" + fmtDur(T.start[p] - T.lo)]], false));
    var resource = Object.keys(g.resource).map(function (k) { return [k, g.resource[k]]; });
    add(pad, h("h2", null, "Resource"), kvTable(resource, true));
    if (g.scope[0] || g.scope[1]) add(pad, h("h2", null, "Scope"),
      kvTable([["name", g.scope[0]], ["version", g.scope[1]]], false));
    if (extra.events) {
      add(pad, h("h2", null, "Events"));
      extra.events.forEach(function (e) {
        var rel = Number(BigInt(e[1])) - T.start[p];
        add(pad, h("div", "mono", e[0] + "  +" + fmtDur(Math.max(0, rel))),
          kvTable(Object.keys(e[2]).map(function (k) { return [k, e[2][k]]; }), false));
      });
    }
    if (extra.links) {
      add(pad, h("h2", null, "Links"));
      extra.links.forEach(function (l) {
        add(pad, h("div", "mono", l[0] + " / " + l[1]),
          kvTable(Object.keys(l[2]).map(function (k) { return [k, l[2][k]]; }), false));
      });
    }
    if (extra.traceState) add(pad, h("h2", null, "Trace state"), h("div", "mono", extra.traceState));
  }

  // -- verdicts (the report's left panel, and a checked spec in the explorer) -------------
  function specMarks(spec) {
    var marks = new Uint8Array(S.T.n);
    spec.spans.forEach(function (p) { if (p >= 0) marks[p] = 1; });
    spec.assertions.forEach(function (a) {
      a.results.forEach(function (r) { if (r[0] >= 0 && r[2] !== 0) marks[r[0]] = 2; });
    });
    return marks;
  }
  function resultLine(r) {
    var state = r[2] === 0 ? "pass" : r[2] === 1 ? "fail" : "err";
    var line = h("div", "result " + state);
    add(line, icon(state));
    if (r[0] >= 0 && S.T) {
      add(line, h("span", "mono", " #" + spanId(S.T, r[0]) + " "), h("span", null, spanName(S.T, r[0])),
        h("span", "muted", " (" + S.T.services[S.T.group[r[0]]] + ")"));
      line.addEventListener("click", function (ev) { ev.stopPropagation(); selectSpan(r[0], true); });
    }
    if (r[1] !== "" && r[1] !== null) add(line, h("span", null, "  observed "), h("span", "observed", r[1]));
    if (r[3] && r[3] !== "no match") add(line, h("div", "muted", r[3]));
    return line;
  }
  function specView(spec, traceIndex) {
    var state = spec.passed ? "pass" : spec.error ? "err" : "fail";
    var box = h("div", "spec");
    box.dataset.passed = spec.passed;
    add(box, add(h("div", "line1"), icon(state), h("span", "name", spec.title),
      h("span", "muted", spec.spans.length + (spec.spans.length === 1 ? " span" : " spans"))));
    if (spec.place) put(box, h("div", "place", spec.place)).style.marginLeft = "20px";
    if (spec.name) add(box, h("div", "selector", spec.selector || "(every span)"));
    if (spec.error) add(box, h("div", "error-box", spec.error));
    spec.hints.forEach(function (t) { add(box, h("div", "hint", t)); });
    spec.assertions.forEach(function (a) {
      var aState = a.passed ? "pass" : a.error && !a.results.length ? "err" : "fail";
      var row = put(box, h("div", "assertion"));
      add(row, icon(aState), h("span", "text", a.text));
      if (a.place && a.place !== spec.place) add(row, h("span", "place", "  " + a.place));
      var failing = a.results.filter(function (r) { return r[2] !== 0; });
      var passing = a.results.length - failing.length;
      failing.slice(0, 50).forEach(function (r) { add(box, resultLine(r)); });
      if (failing.length > 50) add(box, h("div", "hint", "… " + (failing.length - 50) + " more failing spans"));
      if (passing && (failing.length || passing > 3)) add(box, h("div", "result pass", "✔ passed on " + passing +
        (passing === 1 ? " span" : " spans")));
      else a.results.filter(function (r) { return r[2] === 0; }).forEach(function (r) { add(box, resultLine(r)); });
    });
    box.addEventListener("click", function () {
      var other = traceIndex !== null && traceIndex !== undefined && traceIndex !== S.traceIndex;
      document.querySelectorAll(".spec.active").forEach(function (e) { e.classList.remove("active"); });
      box.classList.add("active");
      (other ? showTrace(traceIndex) : Promise.resolve()).then(function () {
        if (!S.T) return;
        setMarks(specMarks(spec));
        var first = -1;
        spec.assertions.forEach(function (a) { a.results.forEach(function (r) {
          if (first < 0 && r[2] !== 0 && r[0] >= 0) first = r[0]; }); });
        if (first < 0 && spec.spans.length) first = spec.spans[0];
        if (first >= 0) selectSpan(first, true);
      });
    });
    return box;
  }
  function reportPanel() {
    var pad = put(el.left, h("div", "pad"));
    var tests = DATA.tests || [];
    if (!tests.length) { traceSummary(pad); return; }
    var failed = tests.filter(function (t) { return !t.passed; }).length;
    var specs = 0, specsFailed = 0;
    tests.forEach(function (t) { t.specs.forEach(function (s) { specs++; if (!s.passed) specsFailed++; }); });
    el.verdict.className = "verdict " + (failed ? "fail" : "pass");
    var errored = tests.filter(function (t) { return t.error || t.problems.length; }).length;
    el.verdict.textContent = failed ? "✘ " + failed + " of " + tests.length + " failed" +
      (errored ? " (" + errored + " could not run)" : "") :
      "✔ " + tests.length + (tests.length === 1 ? " test passed" : " tests passed");
    add(pad, h("div", "muted", specs + " specs, " + specsFailed + " failed. Click a spec to mark " +
      "the spans it selected (✔ passed, ✘ failed); click a span for its attributes."));
    tests.forEach(function (t) {
      var card = put(pad, h("div", "test " + (t.passed ? "pass" : "fail")));
      var head = put(card, h("div", "head"));
      add(head, icon(t.passed ? "pass" : "fail"), add(h("div"), h("div", "name", t.name || t.id),
        h("div", "place", (t.suite ? "suite " + t.suite + " · " : "") + (t.file || ""))));
      if (t.error) add(card, h("div", "error-box", t.error));
      if (t.incomplete) add(card, h("div", "hint", t.incomplete));
      t.problems.forEach(function (p) { add(card, h("div", "problem", p)); });
      t.outputs.forEach(function (o) {
        add(card, h("div", "output mono", "output " + o.name + " = " + (o.resolved ? o.value : o.error)));
      });
      t.specs.forEach(function (s) { add(card, specView(s, t.trace)); });
    });
  }
  function traceSummary(pad) {
    var T = S.T;
    el.verdict.className = "verdict"; el.verdict.textContent = "";
    add(pad, h("h2", null, "Trace"), h("div", "mono", T.d.traceId),
      h("div", "muted", T.n + " spans · " + T.serviceNames.length + " services · " + fmtDur(T.span)),
      T.d.source ? h("div", "place", T.d.source) : null);
    T.d.repairs.forEach(function (r) { add(pad, h("div", "hint", "repaired: " + r)); });
    if (T.errors) {
      add(pad, h("h2", null, "Spans in error"));
      var shown = 0;
      for (var p = 0; p < T.n && shown < 30; p++) {
        if (T.status[p] !== 2) continue;
        shown++;
        var line = put(pad, h("div", "result fail"));
        add(line, icon("fail"), h("span", null, spanName(T, p)),
          h("span", "muted", " (" + T.services[T.group[p]] + ")"));
        line.addEventListener("click", selectSpan.bind(null, p, true));
      }
      if (T.errors > shown) add(pad, h("div", "muted", "… " + (T.errors - shown) + " more"));
    }
    add(pad, h("div", "muted", "Click a span for its attributes, resource, events and links; ▾ folds " +
      "a subtree."));
  }

  // -- the explorer (tracespec ui) ------------------------------------------------------
  function api(path, body) {
    var init = body === undefined ? {} : { method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json" } };
    return fetch("/api/" + path, init).then(function (r) { return r.json(); });
  }
  var X = {};
  function explorerPanel() {
    var pad = put(el.left, h("div", "pad"));
    add(pad, h("h2", null, "Selector"));
    X.selector = put(pad, h("input")); X.selector.type = "text"; X.selector.id = "selector";
    X.selector.placeholder = 'span[tracetest.span.type="http"]';
    X.selector.spellcheck = false;
    X.status = put(pad, h("div", "ok-box"));
    X.status.id = "selector-status";
    add(pad, add(h("div", "row-buttons"), button("explain", null, explain)));
    X.explain = put(pad, h("div"));
    add(pad, h("h2", null, "Assertions"));
    X.assertions = put(pad, h("textarea")); X.assertions.rows = 4; X.assertions.id = "assertions";
    X.assertions.placeholder = "attr:http.status_code = 200\nattr:tracetest.span.duration < 500ms";
    add(pad, h("div", "muted", "One a line; the + beside a span's attribute adds one."));
    X.specName = put(pad, h("input")); X.specName.type = "text"; X.specName.placeholder = "spec name";
    X.specName.id = "spec-name"; X.specName.style.marginTop = "6px";
    add(pad, add(h("div", "row-buttons"), button("check", "primary", checkSpec),
      button("add spec to test", null, addSpec)));
    X.verdict = put(pad, h("div"));
    X.verdict.id = "spec-verdict";
    add(pad, h("h2", null, "Test"));
    X.testName = put(pad, h("input")); X.testName.type = "text"; X.testName.value = "My test";
    X.testName.id = "test-name";
    X.specList = put(pad, h("div", "speclist"));
    add(pad, add(h("div", "row-buttons"), button("download test YAML", "primary", downloadTest),
      button("run it → report", null, function () { runText(X.yaml.value); })));
    X.yaml = put(pad, h("textarea")); X.yaml.rows = 8; X.yaml.id = "test-yaml";
    X.yaml.placeholder = "The test YAML appears here; or paste a Tracetest test file and run it.";
    X.runStatus = put(pad, h("div"));
    var timer = null;
    X.selector.addEventListener("input", function () {
      clearTimeout(timer); timer = setTimeout(runSelector, 120);
    });
    renderSpecs();
  }
  function setSelector(text) { X.selector.value = text; runSelector(); }
  function runSelector() {
    var text = X.selector.value;
    clear(X.explain);
    if (!text.trim()) { clear(X.status); setMarks(null); return; }
    api("select", { trace: S.traceIndex, selector: text }).then(function (r) {
      if (X.selector.value !== text) return;
      clear(X.status);
      if (r.error) {
        X.status.className = "parse-error"; X.status.dataset.state = "error";
        add(X.status, h("div", null, r.error.message + " (column " + r.error.column + ")"),
          h("pre", "caret", text + "\n" + " ".repeat(r.error.start) +
            "^".repeat(Math.max(1, r.error.end - r.error.start))));
        setMarks(null);
        return;
      }
      X.status.className = "ok-box"; X.status.dataset.state = "ok";
      X.status.textContent = r.positions.length + (r.positions.length === 1 ? " span matches" :
        " spans match");
      var marks = new Uint8Array(S.T.n);
      r.positions.forEach(function (p) { marks[p] = 3; });
      setMarks(marks);
      if (r.positions.length) scrollToPos(r.positions[0]);
    });
  }
  function explain() {
    api("explain", { trace: S.traceIndex, selector: X.selector.value }).then(function (r) {
      clear(X.explain);
      add(X.explain, h("pre", "plain", r.error ? r.error.message : r.text));
    });
  }
  function lines(text) { return text.split("\n").map(function (s) { return s.trim(); }).filter(Boolean); }
  function addAssertion(key, value) {
    var text = "attr:" + key + " = " + (typeof value === "string" ? JSON.stringify(value) : String(value));
    X.assertions.value = (X.assertions.value.trim() ? X.assertions.value.trim() + "\n" : "") + text;
  }
  function currentSpec() {
    return { name: X.specName.value.trim(), selector: X.selector.value.trim(),
      assertions: lines(X.assertions.value) };
  }
  function checkSpec() {
    var spec = currentSpec();
    api("check", { trace: S.traceIndex, selector: spec.selector, assertions: spec.assertions,
      name: spec.name }).then(function (r) {
      clear(X.verdict);
      if (r.error && !r.spec) { add(X.verdict, h("div", "error-box", r.error)); return; }
      var view = put(X.verdict, specView(r.spec, S.traceIndex));
      view.classList.add("active");
      setMarks(specMarks(r.spec));
    });
  }
  function addSpec() {
    var spec = currentSpec();
    if (!spec.assertions.length) { X.verdict.textContent = "add an assertion first"; return; }
    S.specs.push(spec); renderSpecs();
  }
  function renderSpecs() {
    clear(X.specList);
    if (!S.specs.length) add(X.specList, h("div", "muted", "No spec yet: check one, then add it."));
    S.specs.forEach(function (s, i) {
      var item = put(X.specList, h("div", "item"));
      add(item, add(h("div", "line1"), h("span", "name", s.name || s.selector || "All Spans"),
        button("×", "small", function () { S.specs.splice(i, 1); renderSpecs(); })));
      add(item, h("div", "selector", s.selector), h("div", "mono", s.assertions.join("\n")));
    });
  }
  function downloadTest() {
    if (!S.specs.length) addSpec();
    api("test", { trace: S.traceIndex, name: X.testName.value, specs: S.specs }).then(function (r) {
      if (r.error) { X.runStatus.textContent = r.error; return; }
      X.yaml.value = r.yaml;
      var a = h("a"); a.download = r.filename;
      a.href = URL.createObjectURL(new Blob([r.yaml], { type: "application/yaml" }));
      document.body.appendChild(a); a.click(); a.remove();
    });
  }
  function runText(text) {
    api("run", { trace: S.traceIndex, text: text }).then(function (r) {
      clear(X.runStatus);
      if (r.error) { add(X.runStatus, h("div", "error-box", r.error)); return; }
      add(X.runStatus, h("div", r.passed ? "ok-box" : "hint", r.passed ? "✔ the test passes" :
        "✘ the test fails"));
      var overlay = put(document.body, h("div", "overlay"));
      add(overlay, add(h("div", "bar"), h("strong", null, "Report"),
        button("close", null, function () { overlay.remove(); })));
      var frame = put(overlay, h("iframe"));
      frame.setAttribute("sandbox", "allow-scripts");
      frame.srcdoc = r.html;
    });
  }
  function poll() {
    api("traces").then(function (list) {
      var changed = list.length !== DATA.traces.length, grown = false;
      list.forEach(function (t, i) {
        var old = DATA.traces[i];
        if (old && old.n !== t.n) {
          changed = true; delete S.cache[i];
          if (i === S.traceIndex) grown = true;
        }
      });
      if (!changed) return;
      DATA.traces = list;
      if (S.T === null && list.length) showTrace(0);
      else if (grown) showTrace(S.traceIndex);
      else if (S.T) toolbar();
    }).catch(function () {}).then(function () { setTimeout(poll, 1500); });
  }

  // -- showing a trace ------------------------------------------------------------------
  function showTrace(i) {
    S.traceIndex = i;
    var ready = S.cache[i] ? Promise.resolve(S.cache[i]) :
      EXPLORER ? api("traces/" + i).then(function (d) { return (S.cache[i] = decode(d)); }) :
      Promise.resolve(S.cache[i] = decode(DATA.traces[i]));
    return ready.then(function (T) {
      S.T = T; S.current = -1; S.marks = null; S.marked = [];
      toolbar(); drawAxis(); recompute();
      clear(el.right);
      add(el.right, h("div", "empty", "Click a span to see its attributes, resource, events and links."));
      if (EXPLORER && X.selector && X.selector.value) runSelector();
      document.body.dataset.readyMs = String(Math.round(performance.now())); document.body.dataset.ready = "1";
    });
  }
  build();
  if (EXPLORER) {
    explorerPanel();
    if (DATA.traces.length) showTrace(0);
    else {
      add(el.right, h("div", "empty", "Waiting for traces…"));
      document.body.dataset.readyMs = String(Math.round(performance.now())); document.body.dataset.ready = "1";
    }
    setTimeout(poll, 1500);
  } else if (DATA.traces.length) {
    S.T = decode(DATA.traces[0]); S.cache[0] = S.T;
    reportPanel();
    showTrace(0).then(function () {
      var failing = document.querySelector('.spec[data-passed="false"]');
      if (failing) failing.click();
      document.body.dataset.readyMs = String(Math.round(performance.now())); document.body.dataset.ready = "1";
    });
  } else {
    reportPanel();
    add(el.viewport, h("div", "empty", "No trace to show: no test ran on one."));
    document.body.dataset.readyMs = String(Math.round(performance.now())); document.body.dataset.ready = "1";
  }
})();
