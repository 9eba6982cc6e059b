//! The inspector: a page on its own port that shows, live, every request the gateway
//! answers and why a browser would refuse it. This module is the hub the pipelines' observe
//! phase publishes to (`observe::record`) and the page's event stream reads from; `server`
//! serves the page and the stream.
//!
//! Cost on the gateway: until a page first connects, [`Inspector::listening`] is one relaxed
//! atomic load per request and nothing is built. From the first connection on, requests are
//! recorded, and the work is split so the request path stays short:
//! - the request path builds a [`Record`] and appends it to a queue (one short lock), and a
//!   function invocation keeps its log lines in a [`LogTail`] that never delays the response;
//! - one task ([`Inspector::publish_batches`]) takes the queue every quarter second,
//!   numbers the records, pairs requests with their preflights, serializes them and sends each
//!   page one event per batch, so a page costs a few writes a second, not one per request;
//! - at most [`BATCH_LIMIT`] requests of a batch are recorded. No one can read more than that
//!   on a page; the rest are only counted (one atomic add each) and the page says how many it
//!   did not show.
//!
//! The history (the last [`HISTORY`] records) is kept, so a reloaded page, or a second one,
//! still shows what happened while no page was open.

mod server;

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use gatewise_lambda::LogTail;
use serde::Serialize;
use tokio::sync::{Notify, broadcast};

/// How many records the inspector keeps for pages that connect later.
const HISTORY: usize = 500;

/// How long finished requests gather before they are taken as one batch. With
/// [`LOG_SETTLE`], a batch leaves every 250 ms while requests come: about how late a page
/// shows them (300 ms at most), and what bounds the writes to a page, and its redrawing,
/// under load.
const BATCH_INTERVAL: Duration = Duration::from_millis(200);

/// Requests recorded per batch at most: 400 a second, and a burst of 100 at once, far more
/// than a browser sends (six connections per host). Beyond it they are counted, not
/// recorded. The limit is for the page: a browser redrawing a list that changes faster takes
/// a good part of a core (BENCHMARKS.md), which a developer's machine should spend on the
/// gateway and the functions.
const BATCH_LIMIT: usize = 100;

/// How long a batch waits after it is taken before it is sent, so the last function lines
/// of its newest requests (read from their pipes asynchronously) are in their logs.
const LOG_SETTLE: Duration = Duration::from_millis(50);

/// Bytes of function log kept per request (the newest lines).
const FUNCTION_LOG_BYTES: usize = 16 * 1024;

/// How many batches a slow page may fall behind before it is told it missed some.
const LIVE_BACKLOG: usize = 64;

/// How long after its preflight a request is still taken as the one the preflight guarded
/// (a browser sends it at once; a cached preflight sends none).
const PREFLIGHT_PAIRING: Duration = Duration::from_secs(10);

/// The hub between the gateways of one `serve` and the inspector pages.
pub struct Inspector {
    /// The `routes` event: the route table as `gatewise routes` prints it, sent to every page
    /// first.
    routes: Bytes,
    /// Set by the first page: from then on requests are recorded.
    armed: AtomicBool,
    /// Requests admitted since the publisher last took the queue: the batch's budget.
    admitted: AtomicUsize,
    /// Requests over the budget since the publisher last looked, and how many of those a
    /// browser would refuse.
    skipped: AtomicU64,
    skipped_refused: AtomicU64,
    /// Records the request path finished, in order, not yet taken by the publisher.
    queue: Mutex<Vec<Finished>>,
    /// Wakes the publisher when a record arrives in an empty queue.
    arrived: Notify,
    state: Mutex<State>,
    /// One server-sent event per batch, to every page.
    live: broadcast::Sender<Bytes>,
}

impl std::fmt::Debug for Inspector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inspector")
            .field("armed", &self.armed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// A request as the request path hands it over.
struct Finished {
    record: Record,
    at: Instant,
    log: Option<LogTail>,
}

/// What the publisher keeps: the history and the counts pages are told.
#[derive(Default)]
struct State {
    next_id: u64,
    history: VecDeque<Kept>,
    skipped: u64,
    skipped_refused: u64,
}

/// A published record with what pairing a later request with its preflight needs.
struct Kept {
    json: Arc<str>,
    id: u64,
    /// For an unpaired preflight: the request it announces.
    announces: Option<Announced>,
    at: Instant,
}

struct Announced {
    origin: String,
    method: String,
    path: String,
}

/// Whether and how browsers let the page read the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Verdict {
    /// No `Origin`: not a cross-origin browser request.
    NotCors,
    Allowed,
    Blocked,
    /// Chromium lets it through; Firefox and Safari refuse it.
    OtherBrowsers,
}

/// One finished request, as the page shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Record {
    /// Set by the publisher: the order requests finished in.
    pub id: u64,
    /// When the request finished, RFC 3339.
    pub time: String,
    pub method: String,
    /// The path with its query string.
    pub path: String,
    pub status: u16,
    pub millis: f64,
    /// The API reached (`RestApi / Prod`, `HttpApi (HTTP API)`), when one was.
    pub api: Option<String>,
    /// The route or resource that matched (`POST /orders`, `ANY /{proxy+}`).
    pub route: Option<String>,
    /// What answered, as the access log says it (`[function CreateOrder]`,
    /// `[mock OPTIONS /x]`).
    pub target: String,
    /// Why the gateway answered itself, for gateway errors.
    pub reason: Option<String>,
    pub origin: Option<String>,
    /// For a preflight, the method the page wants to send (`Access-Control-Request-Method`).
    pub preflight_for: Option<String>,
    pub verdict: Verdict,
    /// The explanation line of a refused response (cause in the template and fix).
    pub explanation: Option<String>,
    /// A `gatewise probe` command line that sends the same request from the same origin.
    pub probe: Option<String>,
    /// For a request, the id of the preflight that guarded it.
    pub preflight_id: Option<u64>,
    /// What the functions the request ran logged (`START` … `REPORT` and their output); set
    /// by the publisher.
    pub log: Option<String>,
}

impl Inspector {
    /// A hub for a `serve` whose route table reads `routes`.
    pub fn new(routes: String) -> Arc<Inspector> {
        Arc::new(Inspector {
            routes: server::frame(
                "routes",
                &serde_json::to_string(&routes).unwrap_or_default(),
            ),
            armed: AtomicBool::new(false),
            admitted: AtomicUsize::new(0),
            skipped: AtomicU64::new(0),
            skipped_refused: AtomicU64::new(0),
            queue: Mutex::new(Vec::new()),
            arrived: Notify::new(),
            state: Mutex::new(State::default()),
            live: broadcast::channel(LIVE_BACKLOG).0,
        })
    }

    /// Whether requests are recorded: a page connected at least once.
    pub(crate) fn listening(&self) -> bool {
        self.armed.load(Ordering::Relaxed)
    }

    /// A log for the functions a request is about to run, when it will likely be recorded.
    pub(crate) fn function_log(&self) -> Option<LogTail> {
        (self.listening() && self.admitted.load(Ordering::Relaxed) < BATCH_LIMIT)
            .then(|| LogTail::trailing(FUNCTION_LOG_BYTES))
    }

    /// Whether a request that just finished is recorded; one over this batch's budget is
    /// counted instead (`refused`: a browser would refuse its response).
    pub(crate) fn admit(&self, refused: bool) -> bool {
        if !self.listening() {
            return false;
        }
        if self.admitted.fetch_add(1, Ordering::Relaxed) < BATCH_LIMIT {
            return true;
        }
        self.skipped.fetch_add(1, Ordering::Relaxed);
        if refused {
            self.skipped_refused.fetch_add(1, Ordering::Relaxed);
        }
        false
    }

    /// Hands an admitted request's record to the publisher, with the log of the functions
    /// it ran.
    pub(crate) fn publish(&self, record: Record, log: Option<LogTail>) {
        let finished = Finished {
            record,
            at: Instant::now(),
            log,
        };
        let mut queue = lock(&self.queue);
        let first = queue.is_empty();
        queue.push(finished);
        drop(queue);
        if first {
            self.arrived.notify_one();
        }
    }

    /// The publisher: sends the pages what the request path queued, one batch every
    /// [`BATCH_INTERVAL`] (and [`LOG_SETTLE`]) while requests come, and sleeps while none do.
    /// Runs as long as the inspector is served.
    pub(crate) async fn publish_batches(self: Arc<Self>) {
        loop {
            // The first record in an empty queue wakes the publisher (a wake-up that came
            // while it was busy is kept for this call).
            self.arrived.notified().await;
            tokio::time::sleep(BATCH_INTERVAL).await;
            let batch = self.take_queue();
            // The last requests taken may have function lines still in the pipes.
            tokio::time::sleep(LOG_SETTLE).await;
            self.send(batch);
        }
    }

    /// Takes the queue and opens the next batch's budget.
    fn take_queue(&self) -> Vec<Finished> {
        let taken = std::mem::take(&mut *lock(&self.queue));
        self.admitted.store(0, Ordering::Relaxed);
        taken
    }

    /// Publishes `batch`, with the counts of the requests skipped since the last one.
    fn send(&self, batch: Vec<Finished>) {
        let skipped = self.skipped.swap(0, Ordering::Relaxed);
        let skipped_refused = self.skipped_refused.swap(0, Ordering::Relaxed);
        if batch.is_empty() && skipped == 0 {
            return;
        }
        let mut state = lock(&self.state);
        state.skipped += skipped;
        state.skipped_refused += skipped_refused;
        let published: Vec<Arc<str>> = batch
            .into_iter()
            .map(|finished| state.keep(finished))
            .collect();
        let frame = batch_frame("requests", skipped, skipped_refused, published.iter());
        // Sent under the lock, so a page that subscribes sees each record once: either in
        // the history it is handed or live.
        let _ = self.live.send(frame);
    }

    /// Starts recording (if it had not) and hands a new page the history so far, as one
    /// event, and the batches to come.
    fn subscribe(&self) -> (Bytes, broadcast::Receiver<Bytes>) {
        self.armed.store(true, Ordering::Relaxed);
        let state = lock(&self.state);
        let history = state.history.iter().map(|kept| &kept.json);
        let frame = batch_frame("history", state.skipped, state.skipped_refused, history);
        (frame, self.live.subscribe())
    }
}

impl State {
    /// Numbers a finished request, pairs it with its preflight, adds its function log and
    /// keeps it; returns its JSON.
    fn keep(&mut self, finished: Finished) -> Arc<str> {
        let Finished {
            mut record,
            at,
            log,
        } = finished;
        record.id = self.next_id;
        self.next_id += 1;
        record.log = log
            .map(|log| {
                String::from_utf8(log.contents())
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
            })
            .filter(|text| !text.is_empty());
        if record.preflight_for.is_none()
            && let Some(origin) = &record.origin
        {
            let path = path_only(&record.path);
            // The history is in time order: the search stops at the first record too old.
            let guard = self
                .history
                .iter_mut()
                .rev()
                .take_while(|kept| at.saturating_duration_since(kept.at) <= PREFLIGHT_PAIRING)
                .find(|kept| {
                    kept.announces.as_ref().is_some_and(|a| {
                        a.origin == *origin && a.method == record.method && a.path == path
                    })
                });
            if let Some(guard) = guard {
                guard.announces = None;
                record.preflight_id = Some(guard.id);
            }
        }
        let announces = match (&record.preflight_for, &record.origin) {
            (Some(method), Some(origin)) => Some(Announced {
                origin: origin.clone(),
                method: method.clone(),
                path: path_only(&record.path).to_owned(),
            }),
            _ => None,
        };
        let json: Arc<str> = serde_json::to_string(&record)
            .unwrap_or_else(|_| "{}".to_owned())
            .into();
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(Kept {
            json: Arc::clone(&json),
            id: record.id,
            announces,
            at,
        });
        json
    }
}

/// A `requests` event (one batch) or the `history` event a new page starts with:
/// `{"skipped":N,"skippedRefused":M,"records":[…]}`, the records (each already JSON) oldest
/// first; `skipped` counts requests not recorded (over [`BATCH_LIMIT`]) since the last batch,
/// or in all for the history, and `skippedRefused` those of them a browser would refuse.
/// Written straight into the frame: a history can be megabytes.
fn batch_frame<'r>(
    event: &str,
    skipped: u64,
    skipped_refused: u64,
    records: impl Iterator<Item = &'r Arc<str>> + Clone,
) -> Bytes {
    let length = records.clone().map(|json| json.len() + 1).sum::<usize>();
    let mut frame = String::with_capacity(length + 96);
    let _ = write!(
        frame,
        "event: {event}\ndata: {{\"skipped\":{skipped},\"skippedRefused\":{skipped_refused},\"records\":["
    );
    for (index, json) in records.enumerate() {
        if index > 0 {
            frame.push(',');
        }
        frame.push_str(json);
    }
    frame.push_str("]}\n\n");
    Bytes::from(frame)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn path_only(path_and_query: &str) -> &str {
    path_and_query
        .split_once('?')
        .map_or(path_and_query, |(path, _)| path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(method: &str, path: &str, preflight_for: Option<&str>) -> Record {
        Record {
            id: 0,
            time: String::new(),
            method: method.to_owned(),
            path: path.to_owned(),
            status: 200,
            millis: 1.0,
            api: None,
            route: None,
            target: String::new(),
            reason: None,
            origin: Some("http://localhost:5173".to_owned()),
            preflight_for: preflight_for.map(str::to_owned),
            verdict: Verdict::Allowed,
            explanation: None,
            probe: None,
            preflight_id: None,
            log: None,
        }
    }

    /// The `data` of a `requests` or `history` event.
    fn batch(frame: &Bytes) -> serde_json::Value {
        let text = std::str::from_utf8(frame).unwrap();
        let data = ["requests", "history"]
            .iter()
            .find_map(|event| text.strip_prefix(&format!("event: {event}\ndata: ")))
            .and_then(|rest| rest.strip_suffix("\n\n"))
            .unwrap_or_else(|| panic!("not a batch: {text}"));
        serde_json::from_str(data).unwrap()
    }

    fn ids(batch: &serde_json::Value) -> Vec<u64> {
        batch["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|record| record["id"].as_u64().unwrap())
            .collect()
    }

    /// What the publisher does with the queue, without its pauses.
    fn publish_now(inspector: &Inspector) {
        let taken = inspector.take_queue();
        inspector.send(taken);
    }

    #[test]
    fn history_keeps_the_last_records_only() {
        let inspector = Inspector::new(String::new());
        let (before, _) = inspector.subscribe();
        assert!(ids(&batch(&before)).is_empty());
        // Batches within their budget.
        let mut left = HISTORY + 25;
        while left > 0 {
            let size = left.min(BATCH_LIMIT);
            left -= size;
            for _ in 0..size {
                assert!(inspector.admit(false));
                inspector.publish(record("GET", "/items", None), None);
            }
            publish_now(&inspector);
        }
        let (history, _) = inspector.subscribe();
        let kept = ids(&batch(&history));
        assert_eq!(kept.len(), HISTORY);
        assert_eq!(kept.first(), Some(&25));
        assert_eq!(kept.last(), Some(&(HISTORY as u64 + 24)));
    }

    #[test]
    fn nothing_is_recorded_before_a_page_connects() {
        let inspector = Inspector::new(String::new());
        assert!(!inspector.listening());
        assert!(!inspector.admit(true));
        assert!(inspector.function_log().is_none());
        let (_, mut live) = inspector.subscribe();
        assert!(inspector.listening());
        assert!(inspector.admit(false));
        inspector.publish(record("GET", "/items", None), None);
        publish_now(&inspector);
        let sent = batch(&live.try_recv().expect("a batch"));
        assert_eq!(sent["records"][0]["path"], "/items");
        assert_eq!(sent["skipped"], 0);
    }

    #[test]
    fn requests_over_a_batchs_budget_are_counted_not_recorded() {
        let inspector = Inspector::new(String::new());
        let (_, mut live) = inspector.subscribe();
        for n in 0..BATCH_LIMIT + 30 {
            if inspector.admit(n % 3 == 0) {
                inspector.publish(record("GET", "/items", None), None);
            }
        }
        assert!(
            inspector.function_log().is_none(),
            "no log for a request over the budget"
        );
        publish_now(&inspector);
        let sent = batch(&live.try_recv().expect("a batch"));
        assert_eq!(ids(&sent).len(), BATCH_LIMIT);
        assert_eq!(sent["skipped"], 30);
        assert_eq!(sent["skippedRefused"], 10);
        // The next interval has its own budget; a new page learns the total skipped.
        assert!(inspector.admit(false));
        assert!(inspector.function_log().is_some());
        let (history, _) = inspector.subscribe();
        assert_eq!(batch(&history)["skipped"], 30);
    }

    #[test]
    fn a_records_function_log_is_read_when_its_batch_is_sent() {
        let inspector = Inspector::new(String::new());
        let (_, mut live) = inspector.subscribe();
        let log = inspector
            .function_log()
            .expect("a log while a page listens");
        log.push_line("START RequestId: 1");
        assert!(inspector.admit(false));
        inspector.publish(record("GET", "/items", None), Some(log.clone()));
        let taken = inspector.take_queue();
        // A line that reached the log after the request finished, before the batch left.
        log.push_line("printed late");
        inspector.send(taken);
        let sent = batch(&live.try_recv().expect("a batch"));
        assert_eq!(
            sent["records"][0]["log"],
            "START RequestId: 1\nprinted late\n"
        );
    }

    #[test]
    fn a_request_is_paired_with_the_preflight_that_guarded_it() {
        let inspector = Inspector::new(String::new());
        let (_, mut live) = inspector.subscribe();
        inspector.publish(record("OPTIONS", "/orders", Some("POST")), None);
        inspector.publish(record("GET", "/orders", None), None);
        publish_now(&inspector);
        inspector.publish(record("POST", "/orders?x=1", None), None);
        inspector.publish(record("POST", "/orders", None), None);
        publish_now(&inspector);
        let mut records = Vec::new();
        while let Ok(frame) = live.try_recv() {
            records.extend(batch(&frame)["records"].as_array().unwrap().clone());
        }
        let guards: Vec<_> = records.iter().map(|r| r["preflightId"].as_u64()).collect();
        // Another method is not guarded; one preflight guards one request, across batches.
        assert_eq!(guards, [None, None, Some(0), None]);
    }
}
