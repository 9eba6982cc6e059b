// The inspector page: listens to /events (server-sent events, reconnecting by itself) and
// shows each request as the gateway answers it, newest first. Requests arrive in batches (a
// few a second); rows are added once per animation frame, so a page in a background tab
// costs nothing until it is looked at, and a burst adds only the rows that stay.
"use strict";

// As many rows as the server keeps: a long session does not grow the page without bound.
const MAX_ROWS = 500;
// While the server records all it can and only counts the rest (a load test), the page
// redraws once a LOAD_REDRAW_MS with the newest LOAD_ROWS requests: a browser redrawing a
// list that changes faster takes the CPU the gateway and its functions need, and no one
// reads hundreds of rows a second.
const LOAD_REDRAW_MS = 1000;
const LOAD_ROWS = 50;

const list = document.getElementById("requests");
const template = document.getElementById("request-template");
const detailsTemplate = document.getElementById("details-template");
const status = document.getElementById("status");
const empty = document.getElementById("empty");
const skippedNote = document.getElementById("skipped");
const blockedOnly = document.getElementById("blocked-only");
const rows = new Map();
// Records received and not yet shown, oldest first.
let pending = [];
let frameRequested = false;
// The last batch said the server counted requests it did not record.
let underLoad = false;
// Requests not shown, recorded or not, and how many of them a browser would refuse.
let skipped = 0;
let skippedRefused = 0;

const VERDICTS = {
  "blocked": "blocked",
  "other-browsers": "Firefox/Safari block",
  "allowed": "allowed",
  "not-cors": "no CORS",
};

function field(dl, name, value) {
  if (value === null || value === undefined || value === "") return;
  const dt = document.createElement("dt");
  dt.textContent = name;
  const dd = document.createElement("dd");
  dd.textContent = value;
  dl.append(dt, dd);
}

function show(li) {
  li.hidden = blockedOnly.checked && !refused(li.record);
}

// A row: the summary line only. Its details are built when it is first opened, so a burst of
// requests costs the page a few elements per row.
function add(record) {
  const li = template.content.firstElementChild.cloneNode(true);
  li.record = record;
  li.dataset.id = record.id;
  li.dataset.verdict = record.verdict;
  li.classList.add(record.verdict);
  li.querySelector(".method").textContent = record.method;
  li.querySelector(".path").textContent = record.path;
  li.querySelector(".status").textContent = record.status;
  const verdict = li.querySelector(".verdict");
  verdict.textContent = record.preflightFor ? "preflight " + VERDICTS[record.verdict] : VERDICTS[record.verdict];
  verdict.classList.add(record.verdict);
  li.querySelector(".millis").textContent = record.millis >= 1
    ? record.millis.toFixed(1) + " ms"
    : Math.round(record.millis * 1000) + " µs";
  li.querySelector(".time").textContent = new Date(record.time).toLocaleTimeString();
  if (record.preflightId !== null) {
    const guard = rows.get(record.preflightId);
    if (guard) {
      guard.classList.add("guard");
      guard.guarded = record;
    }
  }
  show(li);
  rows.set(record.id, li);
  return li;
}

function summary(record) {
  return record.method + " " + record.status + ", " + VERDICTS[record.verdict];
}

// The details of a row, built when it is first opened.
function details(li) {
  const record = li.record;
  const details = detailsTemplate.content.firstElementChild.cloneNode(true);
  const dl = details.querySelector("dl");
  field(dl, "API", record.api);
  field(dl, "Route", record.route);
  field(dl, "Answered by", record.target);
  field(dl, "Gateway error", record.reason);
  field(dl, "Origin", record.origin);
  field(dl, "Preflight for", record.preflightFor);
  if (record.preflightId !== null) {
    const guard = rows.get(record.preflightId);
    field(dl, "Preflight", "#" + record.preflightId + (guard ? " (" + summary(guard.record) + ")" : ""));
  }
  if (li.guarded) {
    const guarded = li.guarded;
    field(dl, "Guarded", "#" + guarded.id + " " + guarded.method + " " + guarded.path);
  }
  field(dl, "Time", new Date(record.time).toISOString());
  field(dl, "Request", "#" + record.id);
  details.querySelector(".explanation").textContent = record.explanation || "";
  if (record.log) {
    details.querySelector(".log pre").textContent = record.log;
  } else {
    details.querySelector(".log").remove();
  }
  const probe = details.querySelector(".probe");
  if (record.probe) {
    probe.querySelector("code").textContent = record.probe;
  } else {
    probe.classList.add("none");
  }
  return details;
}

// One listener for every row: opening and closing, and copying the probe command.
list.addEventListener("click", (event) => {
  const li = event.target.closest("li.request");
  if (!li) return;
  const copy = event.target.closest(".copy");
  if (copy) {
    navigator.clipboard.writeText(li.record.probe).then(
      () => { copy.textContent = "Copied"; },
      () => { copy.textContent = "Copy failed: select the text"; });
    return;
  }
  const button = event.target.closest(".summary");
  if (!button) return;
  let opened = li.querySelector(".details");
  if (!opened) {
    opened = details(li);
    opened.hidden = true;
    li.append(opened);
  }
  const open = button.getAttribute("aria-expanded") === "true";
  button.setAttribute("aria-expanded", String(!open));
  opened.hidden = open;
});

function refused(record) {
  return record.verdict === "blocked" || record.verdict === "other-browsers";
}

// Shows the pending records: the newest MAX_ROWS (older ones would go at once), or under load
// the newest LOAD_ROWS; the others are counted as not shown.
function render() {
  frameRequested = false;
  const shown = pending.slice(-(underLoad ? LOAD_ROWS : MAX_ROWS));
  const dropped = pending.slice(0, pending.length - shown.length);
  pending = [];
  notShown(dropped.length, dropped.filter(refused).length);
  if (shown.length === 0) return;
  const batch = document.createDocumentFragment();
  for (const record of shown) batch.prepend(add(record));
  list.prepend(batch);
  empty.hidden = true;
  while (list.children.length > MAX_ROWS) {
    const last = list.lastElementChild;
    rows.delete(Number(last.dataset.id));
    last.remove();
  }
}

function notShown(count, refusedCount) {
  if (count === 0) return;
  skipped += count;
  skippedRefused += refusedCount;
  skippedNote.hidden = false;
  skippedNote.textContent = skipped.toLocaleString() + " requests not shown: they came faster " +
    "than the inspector shows them" +
    (skippedRefused > 0 ? "; " + skippedRefused.toLocaleString() + " of them refused by a browser." : ".");
}

// A batch of requests, or (`history`) what the server kept before this page connected.
function receive(batch, history) {
  pending.push(...batch.records);
  // A page in a background tab does not draw: it keeps what it would show.
  if (pending.length > MAX_ROWS) {
    const dropped = pending.splice(0, pending.length - MAX_ROWS);
    notShown(dropped.length, dropped.filter(refused).length);
  }
  // The history's counts are totals, not a sign of load now.
  underLoad = !history && batch.skipped > 0;
  notShown(batch.skipped, batch.skippedRefused);
  if (!frameRequested) {
    frameRequested = true;
    if (underLoad) {
      setTimeout(() => requestAnimationFrame(render), LOAD_REDRAW_MS);
    } else {
      requestAnimationFrame(render);
    }
  }
}

blockedOnly.addEventListener("change", () => {
  for (const li of list.children) show(li);
});

function reset() {
  list.replaceChildren();
  rows.clear();
  pending = [];
  skipped = 0;
  skippedRefused = 0;
  skippedNote.hidden = true;
  empty.hidden = false;
}

document.getElementById("clear").addEventListener("click", reset);

const events = new EventSource("/events");
events.addEventListener("open", () => {
  // A reconnection replays the history: start from an empty list.
  reset();
  status.textContent = "Live";
});
events.addEventListener("error", () => {
  status.textContent = "Disconnected: is gatewise serve still running? Retrying…";
});
events.addEventListener("routes", (event) => {
  document.getElementById("routes").textContent = JSON.parse(event.data);
});
events.addEventListener("history", (event) => {
  receive(JSON.parse(event.data), true);
});
events.addEventListener("requests", (event) => {
  receive(JSON.parse(event.data), false);
});
events.addEventListener("missed", (event) => {
  status.textContent = "Live (this page fell behind and missed " + event.data + " batches of requests)";
});
