// Live updates for the console: one EventSource, small DOM updates, no framework.
// The server formats figures (prices with their instrument's decimals); this script
// only places them. A `status` event every second carries the clock, the halt, the
// counts, the hedge state and vs-schedule (services/console/live_status.py).
"use strict";
(function () {
  const body = document.body;
  const page = body.dataset.page || "";

  const selectAll = document.getElementById("select-all");
  if (selectAll) {
    selectAll.addEventListener("change", () => {
      document.querySelectorAll('input[name="ids"]').forEach((box) => { box.checked = selectAll.checked; });
    });
  }
  // Choosing an account shows it at once (the Show button is for a page without script).
  document.getElementById("account-select")?.addEventListener("change", (e) => e.target.form.submit());
  if (!body.dataset.since || !window.EventSource) { return; }

  const fmt = (n) => Number(n).toLocaleString("en-US");
  const pct = (x) => (x >= 0 ? "+" : "") + (x * 100).toFixed(0) + "%";
  const byId = (id) => document.getElementById(id);
  const dot = byId("live-dot");
  const ticker = byId("ticker");

  function say(text, kind) {
    if (!ticker) { return; }
    const item = document.createElement("span");
    item.className = "tick " + kind;
    item.textContent = text;
    ticker.prepend(item);
    while (ticker.children.length > 8) { ticker.lastChild.remove(); }
    setTimeout(() => item.classList.add("old"), 8000);
  }

  function setText(el, text) {
    if (el && el.textContent !== text) { el.textContent = text; }
  }

  function setField(row, name, text) {
    const cell = row.querySelector('[data-f="' + name + '"]');
    setText(cell, text);
    return cell;
  }

  function onOrder(o) {
    const rows = document.querySelectorAll('[data-order="' + CSS.escape(o.id) + '"]');
    const whose = o.account || body.dataset.defaultAccount;
    const mine = !body.dataset.account || body.dataset.account === "all" || whose === body.dataset.account;
    if (rows.length === 0 && page === "pending" && o.event === "submitted" && mine) {
      byId("new-orders")?.classList.remove("hidden");
    }
    rows.forEach((row) => {
      const state = setField(row, "state", o.state.replace(/_/g, " "));
      if (state) { state.className = "state st-" + o.state; }
      if (row.dataset.state) { row.dataset.state = o.state; }
      setField(row, "filled", fmt(o.filled));
      setField(row, "quantity", fmt(o.quantity));
      setField(row, "approvals", o.approvals + "/" + o.needed);
      if (o.avg !== null) { setField(row, "avg", o.avg); }
      const bar = row.querySelector('[data-f="progress"]');
      if (bar) { bar.max = o.quantity; bar.value = o.filled; }
      row.classList.add("flash-row");
      setTimeout(() => row.classList.remove("flash-row"), 1200);
    });
  }

  function haltBanner(reason) {
    const slot = byId("halt-slot");
    let banner = byId("halt-banner");
    if (!reason) { banner?.remove(); return; }
    if (!banner && slot) {
      banner = document.createElement("div");
      banner.id = "halt-banner";
      banner.className = "halt-banner";
      banner.setAttribute("role", "alert");
      slot.appendChild(banner);
    }
    setText(banner, "TRADING HALTED — " + reason);
  }

  function onSchedule(gaps) {
    document.querySelectorAll('[data-f="gap"]').forEach((cell) => {
      const id = cell.closest("[data-order]")?.dataset.order;
      if (!id || !(id in gaps)) { return; }
      const gap = gaps[id];
      setText(cell, pct(gap));
      cell.classList.toggle("behind", gap < -0.1);
      cell.classList.toggle("ahead", gap > 0.1);
    });
  }

  function onStatus(s) {
    setText(byId("live-clock"), s.clock);
    byId("live-clock")?.setAttribute("title", "exchange time (Asia/Shanghai), " + s.phase);
    haltBanner(s.halted);
    const counts = byId("live-counts");
    if (counts) {
      counts.replaceChildren();
      const pending = document.createElement("b");
      pending.textContent = String(s.pending);
      counts.append(pending, " pending · " + s.working + " working");
    }
    setText(byId("live-hedge"), s.hedge);
    if (s.schedule) { onSchedule(s.schedule); }
  }

  function alertRow(a) {
    const tr = document.createElement("tr");
    tr.className = "sev-" + a.severity + (a.severity === "critical" ? " pinned" : "");
    tr.dataset.group = a.group;
    const cells = [["last", a.when], ["count", "1"], ["severity", a.severity], ["source", a.source],
      ["title", a.title], ["detail", a.detail]];
    cells.forEach(([name, value]) => {
      const td = document.createElement("td");
      td.dataset.f = name;
      td.textContent = value;
      if (name === "count") { td.className = "num"; }
      tr.appendChild(td);
    });
    return tr;
  }

  function onAlert(a) {
    say(a.at + " " + a.severity.toUpperCase() + " " + a.title, "alert " + a.severity);
    const table = byId("alert-rows");
    if (!table) { return; }
    table.querySelector(".empty-row")?.remove();
    let row = table.querySelector('tr[data-group="' + CSS.escape(a.group) + '"]');
    if (row) {
      const count = row.querySelector('[data-f="count"]');
      setText(count, String(Number(count.textContent) + 1));
      setField(row, "last", a.when);
      setField(row, "detail", a.detail);
    } else {
      row = alertRow(a);
    }
    // Newest first, critical groups pinned above the rest.
    const firstPlain = table.querySelector("tr:not(.pinned)");
    if (row.classList.contains("pinned") || !firstPlain) {
      table.prepend(row);
    } else {
      table.insertBefore(row, firstPlain);
    }
  }

  const url = "/events?since=" + encodeURIComponent(body.dataset.since) + "&page=" + encodeURIComponent(page);
  const source = new EventSource(url);
  source.onopen = () => { if (dot) { dot.className = "dot live"; } };
  source.onerror = () => { if (dot) { dot.className = "dot down"; } };
  source.addEventListener("status", (e) => onStatus(JSON.parse(e.data)));
  source.addEventListener("order", (e) => onOrder(JSON.parse(e.data)));
  source.addEventListener("fill", (e) => {
    const f = JSON.parse(e.data);
    say(f.at + " FILL " + f.side + " " + fmt(f.quantity) + " " + f.symbol + " @ " + f.price, "fill");
  });
  source.addEventListener("alert", (e) => onAlert(JSON.parse(e.data)));
  // Several accounts: the header shows the chosen one's NAV, or the desk's sum of each
  // account's latest NAV when every account is shown.
  const chosen = body.dataset.account || "";
  const navFig = byId("live-nav");
  const deskNavs = navFig && navFig.dataset.navs ? JSON.parse(navFig.dataset.navs) : null;
  source.addEventListener("nav", (e) => {
    const n = JSON.parse(e.data);
    if (deskNavs) {
      deskNavs[n.account] = n.nav;
      const known = Object.values(deskNavs);
      const sum = known.reduce((a, v) => a + Number(v), 0);
      const count = Number(navFig.dataset.count);
      setText(navFig, "desk NAV " + fmt(sum.toFixed(0)) + (known.length < count ? " (" + known.length + " of " + count + " accounts)" : ""));
      return;
    }
    if (chosen && chosen !== "all" && n.account && n.account !== chosen) { return; }
    const prefix = navFig && navFig.textContent.startsWith(chosen + " ") ? chosen + " " : "";
    // The drawdown as every page writes it: negative, from the intraday high-water mark.
    setText(navFig, prefix + "NAV " + fmt(Number(n.nav).toFixed(0)) + "  DD " + (-n.drawdown * 100).toFixed(2) + "%");
  });
})();
