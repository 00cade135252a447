(function () {
  "use strict";
  // Data: see pipeline/publish/report.py (report_data). Rows are arrays:
  //   papers[i]  = [id, title, arxiv_id, link, has_code, published, [datasets named]]
  //   board.k    = [task, dataset, metric, resolution, setting, steps]; board.d = direction
  //   board.r[j] = [rank, paper, value, text, model, curated, published, sentence, s0, s1]
  //   claims[j]  = [paper, metric, text, kind, dataset, resolution, role, steps, setting,
  //                 model, task, sentence, s0, s1]
  var D = JSON.parse(document.getElementById("data").textContent);
  var P = D.papers, S = D.sentences, B = D.boards;
  var PAGE = 25, ROWS = 20, CONTEXT = 70;
  var $ = function (id) { return document.getElementById(id); };
  var ui = {
    q: $("search"), task: $("f-task"), dataset: $("f-dataset"), metric: $("f-metric"),
    setting: $("f-setting"), code: $("f-code"), from: $("f-from"), to: $("f-to")
  };
  var shown = PAGE;
  var boardState = B.map(function () { return { sort: null, dir: 1, all: false }; });

  function el(tag, attrs, kids) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; }
      else if (k === "class") { node.className = attrs[k]; }
      else if (attrs[k] !== null && attrs[k] !== undefined) { node.setAttribute(k, attrs[k]); }
    });
    (kids || []).forEach(function (c) {
      if (c !== null && c !== undefined) {
        node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
      }
    });
    return node;
  }
  function str(v) { return v === null || v === undefined ? "" : String(v); }
  function low(v) { return str(v).toLowerCase(); }

  // ---------------------------------------------------------------- evidence
  function evidence(si, s0, s1, full) {
    var text = S[si], a = 0, b = text.length;
    if (!full) {  // the number's neighbourhood, cut at spaces
      a = Math.max(0, s0 - CONTEXT); b = Math.min(text.length, s1 + CONTEXT);
      if (a > 0) { var sp = text.indexOf(" ", a); if (sp !== -1 && sp < s0) { a = sp + 1; } }
      if (b < text.length) { var ep = text.lastIndexOf(" ", b); if (ep > s1) { b = ep; } }
    }
    var span = el("span", {}, [
      a > 0 ? "…" : null, text.slice(a, s0), s1 > s0 ? el("mark", { text: text.slice(s0, s1) }) : null,
      text.slice(s1, b), b < text.length ? "…" : null
    ]);
    if (a > 0 || b < text.length || full) {
      var btn = el("button", { type: "button", class: "expand", text: full ? "less" : "more",
                               title: full ? "Show the number's neighbourhood" : "Show the whole sentence" });
      btn.addEventListener("click", function () {
        var cell = span.parentNode;
        cell.replaceChild(evidence(si, s0, s1, !full), span);
      });
      span.appendChild(btn);
    }
    return span;
  }

  // ---------------------------------------------------------------- filters
  function boardText(b) {
    var k = b.k;
    return low([k[0], k[1], k[2], k[3] === null ? "" : k[3] + "px", k[4], k[5] === null ? "" : k[5] + " steps"].join(" "));
  }
  var texts = B.map(boardText);
  function rowText(r) {
    var p = P[r[1]];
    return low([p[0], p[1], r[3], r[4], S[r[7]]].join(" "));
  }
  function state() {
    return {
      terms: low(ui.q.value).split(/\s+/).filter(Boolean), task: ui.task.value,
      dataset: ui.dataset.value, metric: ui.metric.value, setting: ui.setting.value,
      code: ui.code.checked, from: ui.from.value, to: ui.to.value
    };
  }
  function boardOk(b, st) {
    var k = b.k;
    return (!st.task || str(k[0]) === st.task) && (!st.dataset || k[1] === st.dataset) &&
      (!st.metric || k[2] === st.metric) && (!st.setting || str(k[4]) === st.setting);
  }
  function rowOk(i, r, st) {
    var p = P[r[1]];
    if (st.code && !p[4]) { return false; }
    var date = r[6] || p[5];
    if (st.from && (!date || date < st.from)) { return false; }
    if (st.to && (!date || date > st.to)) { return false; }
    if (!st.terms.length) { return true; }
    var text = texts[i] + " " + rowText(r);
    return st.terms.every(function (t) { return text.indexOf(t) !== -1; });
  }

  // ---------------------------------------------------------------- boards
  var COLUMNS = [
    ["#", "rank", function (r) { return r[0]; }],
    ["value", "value", function (r) { return r[2]; }],
    ["model", "model", function (r) { return low(r[4]); }],
    ["paper", "paper", function (r) { return low(P[r[1]][1]); }],
    ["code", null, null],
    ["date", "date", function (r) { return r[6] || P[r[1]][5] || ""; }],
    ["source", "source", function (r) { return r[5]; }],
    ["evidence", null, null]
  ];
  function heading(b) {
    var k = b.k;
    var chips = [];
    if (k[3] !== null) { chips.push(el("span", { class: "chip", text: k[3] + "×" + k[3] })); }
    if (k[4] !== null) { chips.push(el("span", { class: "chip", text: k[4] })); }
    if (k[5] !== null) { chips.push(el("span", { class: "chip", text: k[5] + " step" + (k[5] === 1 ? "" : "s") })); }
    return el("h2", {}, [(k[0] ? k[0] + " · " : "") + k[1] + " · " + k[2]].concat(chips).concat([
      el("small", { text: " " + b.d + " is better · " + b.n + " row" + (b.n === 1 ? "" : "s") })
    ]));
  }
  function rowNode(r, hasModel) {
    var p = P[r[1]];
    var title = el("a", { href: "#paper=" + encodeURIComponent(p[0]), text: p[1] });
    var arx = p[2] ? el("a", { href: "https://arxiv.org/abs/" + p[2], class: "sub", text: " arXiv" }) : null;
    var code = p[3] ? el("a", { href: p[3], text: p[4] ? "code" : "project" }) : null;
    var ev = el("td", { class: "evidence" }, [evidence(r[7], r[8], r[9], false)]);
    return el("tr", { class: "row", "data-paper-id": p[0], "data-rank": r[0] }, [
      el("td", { class: "rank", text: r[0] }),
      el("td", { class: "num value", text: r[3] }),
      hasModel ? el("td", { class: "model", text: str(r[4]) }) : null,
      el("td", { class: "paper" }, [title, arx]),
      el("td", {}, [code]),
      el("td", { class: "date", text: r[6] || p[5] || "" }),
      el("td", { class: "src", text: r[5] ? "curated" : "abstract" }),
      ev
    ]);
  }
  function trend(b, rows) {
    var pts = rows.map(function (r) { return [r[6] || P[r[1]][5], r[2], r[0]]; })
      .filter(function (p) { return p[0]; })
      .map(function (p) { return [Date.parse(p[0]), p[1], p[2]]; })
      .sort(function (x, y) { return x[0] - y[0]; });
    if (pts.length < 2) { return null; }
    var W = 250, H = 130, L = 36, R = 8, T = 8, Bm = 22;
    var xs = pts.map(function (p) { return p[0]; }), ys = pts.map(function (p) { return p[1]; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    if (x1 === x0) { x1 = x0 + 1; }
    if (y1 === y0) { y1 = y0 + 1; }
    var X = function (v) { return L + (v - x0) / (x1 - x0) * (W - L - R); };
    var Y = function (v) { return T + (y1 - v) / (y1 - y0) * (H - T - Bm); };
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "trend");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Best " + b.k[2] + " over time");
    function add(tag, attrs, text) {
      var n = document.createElementNS(ns, tag);
      Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
      if (text) { n.textContent = text; }
      svg.appendChild(n);
      return n;
    }
    var lower = b.d === "lower", best = null, path = "";
    pts.forEach(function (p) {
      if (best === null || (lower ? p[1] < best : p[1] > best)) {
        path += (path ? " H" + X(p[0]).toFixed(1) + " V" : "M" + X(p[0]).toFixed(1) + " ") + Y(p[1]).toFixed(1);
        best = p[1];
      }
    });
    path += " H" + X(x1).toFixed(1);
    add("path", { class: "best", d: path });
    pts.forEach(function (p) {
      add("circle", { cx: X(p[0]).toFixed(1), cy: Y(p[1]).toFixed(1), r: 2.5, class: p[2] === 1 ? "top" : "" });
    });
    var fmt = function (v) { return Math.abs(v) >= 100 ? v.toFixed(0) : +v.toPrecision(3) + ""; };
    add("text", { x: 2, y: T + 8 }, fmt(y1));
    add("text", { x: 2, y: H - Bm }, fmt(y0));
    add("text", { x: L, y: H - 6 }, new Date(x0).toISOString().slice(0, 7));
    add("text", { x: W - R, y: H - 6, "text-anchor": "end" }, new Date(x1).toISOString().slice(0, 7));
    return svg;
  }
  function boardNode(i, rows) {
    var b = B[i], bs = boardState[i];
    var sorted = rows.slice();
    if (bs.sort !== null) {
      var get = COLUMNS[bs.sort][2];
      sorted.sort(function (x, y) {
        var a = get(x), c = get(y);
        return (a < c ? -1 : a > c ? 1 : x[0] - y[0]) * bs.dir;
      });
    }
    var hasModel = rows.some(function (r) { return r[4]; });
    var cols = COLUMNS.map(function (c, j) { return j; }).filter(function (j) { return hasModel || COLUMNS[j][0] !== "model"; });
    var head = el("tr", {}, cols.map(function (j) {
      var c = COLUMNS[j];
      var th = el("th", { text: c[0] });
      if (c[1]) {
        th.className = "sortable";
        th.setAttribute("data-sort", c[1]);
        if (bs.sort === j) { th.setAttribute("aria-sort", bs.dir > 0 ? "ascending" : "descending"); }
        th.addEventListener("click", function () {
          bs.dir = bs.sort === j ? -bs.dir : 1;
          bs.sort = j;
          redrawBoard(i);
        });
      }
      return th;
    }));
    var limit = bs.all ? sorted.length : Math.min(ROWS, sorted.length);
    var body = el("tbody", {}, sorted.slice(0, limit).map(function (r) { return rowNode(r, hasModel); }));
    var k = b.k;
    var sec = el("section", {
      class: "board", id: "board-" + i, "data-board": i, "data-task": str(k[0]),
      "data-dataset": k[1], "data-metric": k[2], "data-resolution": str(k[3]),
      "data-setting": str(k[4]), "data-steps": str(k[5])
    }, [heading(b)]);
    var kids = [el("table", {}, [el("thead", {}, [head]), body])];
    if (sorted.length > limit) {
      var btn = el("button", { type: "button", class: "rows", text: "Show all " + sorted.length + " rows" });
      btn.addEventListener("click", function () { bs.all = true; redrawBoard(i); });
      kids.push(btn);
    }
    if (b.n > b.r.length) {
      kids.push(el("p", { class: "note", text: (b.n - b.r.length) + " more rows (ranks after " + b.r.length + ") are in leaderboards.parquet." }));
    }
    var plot = trend(b, b.r);
    if (!plot) { sec.firstChild.lastChild.textContent += " · no trend (fewer than 2 dated rows)"; }
    sec.appendChild(el("div", { class: "boardbody" }, [el("div", {}, kids), plot]));
    return sec;
  }
  var current = [];  // [board index, rows] of the boards that pass the filters
  function redrawBoard(i) {
    var old = document.getElementById("board-" + i);
    var entry = current.filter(function (c) { return c[0] === i; })[0];
    if (old && entry) { old.parentNode.replaceChild(boardNode(i, entry[1]), old); }
  }
  function render() {
    var st = state(), rows = 0, all = 0;
    current = [];
    B.forEach(function (b, i) {
      all += b.r.length;
      if (!boardOk(b, st)) { return; }
      var keep = b.r.filter(function (r) { return rowOk(i, r, st); });
      if (keep.length) { current.push([i, keep]); rows += keep.length; }
    });
    var box = $("boards");
    box.textContent = "";
    current.slice(0, shown).forEach(function (c) { box.appendChild(boardNode(c[0], c[1])); });
    if (!B.length) { box.appendChild(el("p", { id: "empty", class: "empty", text: "No leaderboard rows in this release." })); }
    else if (!current.length) { box.appendChild(el("p", { class: "empty", text: "No rows match these filters." })); }
    $("more").hidden = current.length <= shown;
    $("more").textContent = "Show more boards (" + (current.length - Math.min(shown, current.length)) + " left)";
    $("count").textContent = rows + " of " + all + " rows on " + current.length + " of " + B.length + " boards";
    found(st);
  }
  var paperText = null, foundAll = false;
  function found(st) {  // papers whose title or named datasets hold every word searched
    var box = $("found");
    box.textContent = "";
    box.hidden = !st.terms.length;
    if (!st.terms.length) { return; }
    paperText = paperText || P.map(function (p) { return low(p[1] + " " + p[6].join(" ")); });
    var hits = [];
    paperText.forEach(function (t, i) {
      if (st.terms.every(function (w) { return t.indexOf(w) !== -1; })) { hits.push(i); }
    });
    box.appendChild(el("p", { text: hits.length + " paper" + (hits.length === 1 ? "" : "s") + " whose title or named datasets match" + (hits.length ? ":" : ".") }));
    var ul = el("ul");
    var limit = foundAll ? 50 : 8;
    hits.slice(0, limit).forEach(function (i) {
      var p = P[i];
      ul.appendChild(el("li", { class: "found" }, [
        el("a", { href: "#paper=" + encodeURIComponent(p[0]), text: p[1] }),
        p[6].length ? el("span", { class: "sub", text: " · datasets: " + p[6].join(", ") }) : null,
        el("span", { class: "sub", text: " · " + (claimsOf[i] || []).length + " claims" })
      ]));
    });
    box.appendChild(ul);
    if (hits.length > limit && !foundAll) {
      var more = el("button", { type: "button", class: "rows", text: "Show " + (Math.min(hits.length, 50) - limit) + " more papers" });
      more.addEventListener("click", function () { foundAll = true; found(state()); });
      box.appendChild(more);
    } else if (hits.length > limit) {
      box.appendChild(el("p", { class: "note", text: (hits.length - limit) + " more: narrow the search." }));
    }
  }

  // ---------------------------------------------------------------- selects and index
  function fill(select, label, values) {
    select.appendChild(el("option", { value: "", text: "any " + label }));
    values.forEach(function (v) { select.appendChild(el("option", { value: v, text: v })); });
  }
  function distinct(j) {
    var seen = {};
    B.forEach(function (b) { if (b.k[j] !== null) { seen[b.k[j]] = 1; } });
    return Object.keys(seen).sort(function (a, b) { return a.localeCompare(b); });
  }
  fill(ui.task, "task", distinct(0));
  fill(ui.dataset, "dataset", distinct(1));
  fill(ui.metric, "metric", distinct(2));
  fill(ui.setting, "setting", distinct(4));

  function choose(task, dataset, metric) {
    ui.task.value = task; ui.dataset.value = dataset || ""; ui.metric.value = metric || "";
    if (window.location.hash) { history.replaceState(null, "", window.location.pathname + window.location.search); }
    show("");
  }
  (function index() {
    var tree = {};
    B.forEach(function (b) {
      var t = str(b.k[0]), d = b.k[1], m = b.k[2];
      tree[t] = tree[t] || {};
      tree[t][d] = tree[t][d] || {};
      tree[t][d][m] = (tree[t][d][m] || 0) + b.n;
    });
    var nav = $("index");
    nav.appendChild(el("strong", { text: "Tasks" }));
    Object.keys(tree).sort().forEach(function (t) {
      var det = el("details", {}, [el("summary", { text: t || "(no task)" })]);
      det.addEventListener("toggle", function () {  // datasets drawn when opened
        if (!det.open || det.querySelector("ul")) { return; }
        var ul = el("ul");
        Object.keys(tree[t]).sort().forEach(function (d) {
          var li = el("li", {}, [el("a", { href: "#", text: d })]);
          li.firstChild.addEventListener("click", function (e) { e.preventDefault(); choose(t, d, ""); });
          var inner = el("ul");
          Object.keys(tree[t][d]).sort().forEach(function (m) {
            var a = el("a", { href: "#", class: "metric" }, [m + " ", el("span", { class: "n", text: "(" + tree[t][d][m] + ")" })]);
            a.addEventListener("click", function (e) { e.preventDefault(); choose(t, d, m); });
            inner.appendChild(el("li", {}, [a]));
          });
          li.appendChild(inner);
          ul.appendChild(li);
        });
        det.appendChild(ul);
      });
      nav.appendChild(det);
    });
  })();

  // ---------------------------------------------------------------- per-paper view
  var claimsOf = {};
  D.claims.forEach(function (c) { (claimsOf[c[0]] = claimsOf[c[0]] || []).push(c); });
  var paperIndex = {};
  P.forEach(function (p, i) { paperIndex[p[0]] = i; });
  function paperView(id) {
    var box = $("paper"), i = paperIndex[id];
    box.textContent = "";
    box.appendChild(el("p", {}, [el("a", { href: "#", text: "← all boards" })]));
    if (i === undefined) { box.appendChild(el("p", { class: "empty", text: "No paper " + id + " in this report." })); return; }
    var p = P[i];
    box.appendChild(el("h2", { text: p[1] }));
    box.appendChild(el("p", { class: "sub" }, [
      p[0], p[5] ? " · " + p[5] : "",
      p[2] ? el("a", { href: "https://arxiv.org/abs/" + p[2], text: " · arXiv " + p[2] }) : null,
      p[3] ? el("a", { href: p[3], text: " · " + p[3] }) : null
    ]));
    box.appendChild(el("p", { text: "Datasets named: " + (p[6].length ? p[6].join(", ") : "none") }));
    var onBoards = [];
    B.forEach(function (b, bi) {
      b.r.forEach(function (r) { if (r[1] === i) { onBoards.push([bi, r]); } });
    });
    box.appendChild(el("p", { text: onBoards.length + " leaderboard row" + (onBoards.length === 1 ? "" : "s") + ": " }));
    var ul = el("ul");
    onBoards.forEach(function (x) {
      var k = B[x[0]].k;
      ul.appendChild(el("li", { text: "#" + x[1][0] + " · " + [k[0], k[1], k[2]].filter(Boolean).join(" · ") + (k[3] !== null ? " · " + k[3] + "px" : "") + " · " + x[1][3] }));
    });
    box.appendChild(ul);
    var cs = claimsOf[i] || [];
    box.appendChild(el("p", { text: cs.length + " claim" + (cs.length === 1 ? "" : "s") + " in the abstract:" }));
    if (D.claims_note) { box.appendChild(el("p", { class: "note", text: D.claims_note })); }
    var heads = ["metric", "value", "kind", "dataset", "resolution", "role", "steps", "setting", "model", "task", "evidence"];
    var body = el("tbody", {}, cs.map(function (c) {
      return el("tr", { class: "claim" }, [
        el("td", { text: c[1] }), el("td", { class: "num", text: c[2] }), el("td", { text: c[3] }),
        el("td", { text: str(c[4]) }), el("td", { text: c[5] === null ? "" : c[5] + "px" }),
        el("td", { text: c[6] }), el("td", { text: str(c[7]) }), el("td", { text: str(c[8]) }),
        el("td", { text: str(c[9]) }), el("td", { text: str(c[10]) }),
        el("td", { class: "evidence" }, [evidence(c[11], c[12], c[13], false)])
      ]);
    }));
    box.appendChild(el("table", { id: "claims" }, [el("thead", {}, [el("tr", {}, heads.map(function (h) { return el("th", { text: h }); }))]), body]));
  }
  function show(hash) {
    var m = /^#paper=(.*)$/.exec(hash);
    $("paper").hidden = !m;
    $("boards").hidden = !!m;
    $("bar").hidden = !!m;
    $("found").hidden = !!m || !ui.q.value.trim();
    if (m) { paperView(decodeURIComponent(m[1])); $("more").hidden = true; window.scrollTo(0, 0); }
    else { shown = PAGE; render(); }
  }

  // ---------------------------------------------------------------- wiring
  ["q", "task", "dataset", "metric", "setting", "code", "from", "to"].forEach(function (k) {
    ui[k].addEventListener(k === "q" ? "input" : "change", function () { shown = PAGE; foundAll = false; render(); });
  });
  $("reset").addEventListener("click", function () {
    ui.q.value = ""; ui.task.value = ""; ui.dataset.value = ""; ui.metric.value = "";
    ui.setting.value = ""; ui.code.checked = false; ui.from.value = ""; ui.to.value = "";
    shown = PAGE; render();
  });
  $("more").addEventListener("click", function () { shown += PAGE; render(); });
  window.addEventListener("hashchange", function () { show(window.location.hash); });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { ui.q.value = q; }
  show(window.location.hash);
})();
