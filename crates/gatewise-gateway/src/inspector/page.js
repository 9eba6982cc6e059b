// The inspector page: listens to /events (server-sent events, reconnecting by itself) and
// shows each request as the gateway answers it, newest first. Requests arrive in batches (a
// few a second); rows are added once per animation frame, so a page in a background tab
// costs nothing until it is looked at, and a burst adds only the rows that stay.
"use strict";

// As many rows as the server keeps: a long session does not grow the page without bound.
const MAX_ROWS = 500;

const list = document.getElementById("requests");
const template = document.getElementById("request-template");
const status = document.getElementById("status");
const empty = document.getElementById("empty");
const skippedNote = document.getElementById("skipped");
const blockedOnly = document.getElementById("blocked-only");
const rows = new Map();
// Records received and not yet shown, oldest first.
let pending = [];
let frameRequested = false;
// Requests the server counted but did not record (more than it shows a second).
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
  const refused = li.dataset.verdict === "blocked" || li.dataset.verdict === "other-browsers";
  li.hidden = blockedOnly.checked && !refused;
}

function add(record) {
  const li = template.content.firstElementChild.cloneNode(true);
  li.dataset.id = record.id;
  li.dataset.verdict = record.verdict;
  li.classList.add(record.verdict);
  li.querySelector(".method").textContent = record.method;
  li.querySelector(".path").textContent = record.path;
  li.querySelector(".status").textContent = record.status;
  const verdict = li.querySelector(".verdict");
  verdict.textContent = record.preflightFor ? "preflight " + VERDICTS[record.verdict] : VERDICTS[record.verdict];
  verdict.classList.add(record.verdict);
  li.querySelector(".millis").textContent = record.millis.toFixed(1) + " ms";
  const time = new Date(record.time);
  li.querySelector(".time").textContent = time.toLocaleTimeString();

  const dl = li.querySelector("dl");
  field(dl, "API", record.api);
  field(dl, "Route", record.route);
  field(dl, "Answered by", record.target);
  field(dl, "Gateway error", record.reason);
  field(dl, "Origin", record.origin);
  field(dl, "Preflight for", record.preflightFor);
  if (record.preflightId !== null) {
    const guard = rows.get(record.preflightId);
    field(dl, "Preflight", "#" + record.preflightId + (guard ? " (" + guard.dataset.summary + ")" : ""));
    if (guard) {
      guard.classList.add("guard");
      field(guard.querySelector("dl"), "Guarded", "#" + record.id + " " + record.method + " " + record.path);
    }
  }
  field(dl, "Time", time.toISOString());
  field(dl, "Request", "#" + record.id);
  li.dataset.summary = record.method + " " + record.status + ", " + VERDICTS[record.verdict];
  li.querySelector(".explanation").textContent = record.explanation || "";
  if (record.log) {
    li.querySelector(".log pre").textContent = record.log;
  } else {
    li.querySelector(".log").remove();
  }
  const probe = li.querySelector(".probe");
  if (record.probe) {
    probe.querySelector("code").textContent = record.probe;
    probe.querySelector(".copy").addEventListener("click", (event) => {
      navigator.clipboard.writeText(record.probe).then(
        () => { event.target.textContent = "Copied"; },
        () => { event.target.textContent = "Copy failed: select the text"; });
    });
  } else {
    probe.classList.add("none");
  }

  const summary = li.querySelector(".summary");
  const details = li.querySelector(".details");
  summary.addEventListener("click", () => {
    const open = summary.getAttribute("aria-expanded") === "true";
    summary.setAttribute("aria-expanded", String(!open));
    details.hidden = open;
  });

  show(li);
  rows.set(record.id, li);
  return li;
}

// Shows the pending records: only the newest MAX_ROWS, since older ones would go at once.
function render() {
  frameRequested = false;
  const shown = pending.slice(-MAX_ROWS);
  pending = [];
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

function receive(batch) {
  pending.push(...batch.records);
  if (pending.length > MAX_ROWS) pending = pending.slice(-MAX_ROWS);
  skipped += batch.skipped;
  skippedRefused += batch.skippedRefused;
  if (skipped > 0) {
    skippedNote.hidden = false;
    skippedNote.textContent = skipped.toLocaleString() + " requests not shown: they came faster " +
      "than the inspector records them" +
      (skippedRefused > 0 ? "; " + skippedRefused.toLocaleString() + " of them refused by a browser." : ".");
  }
  if (!frameRequested) {
    frameRequested = true;
    requestAnimationFrame(render);
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
events.addEventListener("requests", (event) => {
  receive(JSON.parse(event.data));
});
events.addEventListener("missed", (event) => {
  status.textContent = "Live (this page fell behind and missed " + event.data + " batches of requests)";
});
