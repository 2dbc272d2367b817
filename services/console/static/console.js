// Live updates for the console: one EventSource, small DOM updates, no framework.
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
  if (!body.dataset.since || !window.EventSource) { return; }

  const fmt = (n) => Number(n).toLocaleString("en-US");
  const dot = document.getElementById("live-dot");
  const ticker = document.getElementById("ticker");

  function say(text, kind) {
    if (!ticker) { return; }
    const item = document.createElement("div");
    item.className = "tick " + kind;
    item.textContent = text;
    ticker.prepend(item);
    while (ticker.children.length > 6) { ticker.lastChild.remove(); }
    setTimeout(() => item.classList.add("old"), 8000);
  }

  function setField(row, name, text) {
    const cell = row.querySelector('[data-f="' + name + '"]');
    if (cell) { cell.textContent = text; }
    return cell;
  }

  function onOrder(o) {
    const rows = document.querySelectorAll('[data-order="' + CSS.escape(o.id) + '"]');
    if (rows.length === 0 && page === "pending" && o.event === "submitted") {
      document.getElementById("new-orders")?.classList.remove("hidden");
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

  function onAlert(a) {
    say(a.at + " " + a.severity.toUpperCase() + " " + a.title, "alert " + a.severity);
    const table = document.getElementById("alert-rows");
    if (!table) { return; }
    table.querySelector(".empty-row")?.remove();
    const tr = document.createElement("tr");
    tr.className = "sev-" + a.severity;
    [a.at, a.severity, a.source, a.title, a.detail].forEach((v) => {
      const td = document.createElement("td");
      td.textContent = v;
      tr.appendChild(td);
    });
    table.prepend(tr);
  }

  const source = new EventSource("/events?since=" + encodeURIComponent(body.dataset.since));
  source.onopen = () => { if (dot) { dot.className = "dot live"; } };
  source.onerror = () => { if (dot) { dot.className = "dot down"; } };
  source.addEventListener("order", (e) => onOrder(JSON.parse(e.data)));
  source.addEventListener("fill", (e) => {
    const f = JSON.parse(e.data);
    say(f.at + " FILL " + f.side + " " + fmt(f.quantity) + " " + f.symbol + " @ " + f.price, "fill");
  });
  source.addEventListener("alert", (e) => onAlert(JSON.parse(e.data)));
  source.addEventListener("nav", (e) => {
    const n = JSON.parse(e.data);
    const el = document.getElementById("live-nav");
    if (el) {
      el.textContent = "NAV " + fmt(Number(n.nav).toFixed(0)) + "  DD " + (n.drawdown * 100).toFixed(2) + "%";
    }
  });
})();
