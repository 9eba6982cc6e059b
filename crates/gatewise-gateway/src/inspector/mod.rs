//! The inspector: a page on its own port that shows, live, every request the gateway
//! answers and why a browser would refuse it. This module is the hub the pipelines' observe
//! phase publishes to (`observe::record`) and the page's event stream reads from; `server`
//! serves the page and the stream.
//!
//! Cost on the gateway: until a page first connects, [`Inspector::listening`] is one relaxed
//! atomic load per request and nothing is built. From the first connection on, every request
//! becomes a JSON record (a few hundred bytes, one short lock) kept in a bounded history, so
//! a reloaded page, or a second one, still shows what happened while no page was open. The
//! history is the last [`HISTORY`] records; older ones are dropped.

mod server;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::broadcast;

/// How many records the inspector keeps for pages that connect later.
pub(crate) const HISTORY: usize = 500;

/// How many records a slow page may fall behind before it is told it missed some.
const LIVE_BACKLOG: usize = 1024;

/// How long after its preflight a request is still taken as the one the preflight guarded
/// (a browser sends it at once; a cached preflight sends none).
const PREFLIGHT_PAIRING: Duration = Duration::from_secs(10);

/// The hub between the gateways of one `serve` and the inspector pages.
pub struct Inspector {
    /// The route table as `gatewise routes` prints it, sent to every page first.
    routes: String,
    /// Set by the first page: from then on requests are recorded.
    armed: AtomicBool,
    state: Mutex<State>,
    live: broadcast::Sender<Arc<str>>,
}

impl std::fmt::Debug for Inspector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inspector")
            .field("armed", &self.armed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct State {
    next_id: u64,
    history: VecDeque<Kept>,
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
    /// Set by [`Inspector::publish`]: the order requests finished in.
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
    /// What answered, as the access log says it (`function CreateOrder`, `mock OPTIONS /x`).
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
}

impl Inspector {
    /// A hub for a `serve` whose route table reads `routes`.
    pub fn new(routes: String) -> Arc<Inspector> {
        Arc::new(Inspector {
            routes,
            armed: AtomicBool::new(false),
            state: Mutex::new(State::default()),
            live: broadcast::channel(LIVE_BACKLOG).0,
        })
    }

    /// Whether requests are recorded: a page connected at least once.
    pub(crate) fn listening(&self) -> bool {
        self.armed.load(Ordering::Relaxed)
    }

    /// Numbers `record`, pairs it with its preflight, keeps it and sends it to the pages.
    pub(crate) fn publish(&self, mut record: Record) {
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        record.id = state.next_id;
        state.next_id += 1;
        if record.preflight_for.is_none()
            && let Some(origin) = &record.origin
        {
            let path = path_only(&record.path);
            // The history is in time order: the search stops at the first record too old.
            let guard = state
                .history
                .iter_mut()
                .rev()
                .take_while(|kept| now.duration_since(kept.at) <= PREFLIGHT_PAIRING)
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
        if state.history.len() == HISTORY {
            state.history.pop_front();
        }
        state.history.push_back(Kept {
            json: Arc::clone(&json),
            id: record.id,
            announces,
            at: now,
        });
        // Sent under the lock, so a page that subscribes sees each record once: either in
        // the history it is handed or live.
        let _ = self.live.send(json);
    }

    /// Starts recording (if it had not) and hands a new page the history so far and the
    /// records to come.
    fn subscribe(&self) -> (Vec<Arc<str>>, broadcast::Receiver<Arc<str>>) {
        self.armed.store(true, Ordering::Relaxed);
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let history = state.history.iter().map(|k| Arc::clone(&k.json)).collect();
        (history, self.live.subscribe())
    }
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
        }
    }

    fn ids(history: &[Arc<str>]) -> Vec<u64> {
        history
            .iter()
            .map(|json| {
                let value: serde_json::Value = serde_json::from_str(json).unwrap();
                value["id"].as_u64().unwrap()
            })
            .collect()
    }

    #[test]
    fn history_keeps_the_last_records_only() {
        let inspector = Inspector::new(String::new());
        let (before, _) = inspector.subscribe();
        assert!(before.is_empty());
        for _ in 0..HISTORY + 25 {
            inspector.publish(record("GET", "/items", None));
        }
        let (history, _) = inspector.subscribe();
        assert_eq!(history.len(), HISTORY);
        let kept = ids(&history);
        assert_eq!(kept.first(), Some(&25));
        assert_eq!(kept.last(), Some(&(HISTORY as u64 + 24)));
    }

    #[test]
    fn nothing_is_recorded_before_a_page_connects() {
        let inspector = Inspector::new(String::new());
        assert!(!inspector.listening());
        let (_, mut live) = inspector.subscribe();
        assert!(inspector.listening());
        inspector.publish(record("GET", "/items", None));
        let sent = live.try_recv().expect("a live record");
        assert!(sent.contains(r#""path":"/items""#), "{sent}");
    }

    #[test]
    fn a_request_is_paired_with_the_preflight_that_guarded_it() {
        let inspector = Inspector::new(String::new());
        let (_, mut live) = inspector.subscribe();
        inspector.publish(record("OPTIONS", "/orders", Some("POST")));
        inspector.publish(record("GET", "/orders", None));
        inspector.publish(record("POST", "/orders?x=1", None));
        inspector.publish(record("POST", "/orders", None));
        let json = |live: &mut broadcast::Receiver<Arc<str>>| -> serde_json::Value {
            serde_json::from_str(&live.try_recv().unwrap()).unwrap()
        };
        assert!(json(&mut live)["preflightId"].is_null());
        assert!(json(&mut live)["preflightId"].is_null(), "another method");
        assert_eq!(json(&mut live)["preflightId"], 0);
        assert!(
            json(&mut live)["preflightId"].is_null(),
            "one preflight guards one request"
        );
    }
}
