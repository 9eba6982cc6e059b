//! The allowed path allocates nothing: the gateway runs `observe` on every request.
//!
//! A counting allocator wraps the system one for this test binary; counts are per thread, so
//! tests running in parallel do not disturb each other.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use crate::fetch::{self, CorsRequest, Credentials, ResponseHeaders};
use crate::observe::{ObservedRequest, observe};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to `System`; the counter is a const-initialised
// thread-local `Cell`, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_in(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn allowed_exchanges_allocate_nothing() {
    let preflight_lines = [
        ("Access-Control-Allow-Origin", "http://localhost:5173"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", "GET, PUT"),
        ("Access-Control-Allow-Headers", "Content-Type,X-Api-Key"),
        ("Access-Control-Max-Age", "600"),
    ];
    let preflight_headers = ResponseHeaders::from_pairs(&preflight_lines);
    let mut map = http::HeaderMap::new();
    map.insert(
        "access-control-allow-origin",
        http::HeaderValue::from_static("*"),
    );
    let actual_headers = ResponseHeaders::from_header_map(&map);
    let request = CorsRequest {
        origin: "http://localhost:5173".into(),
        method: "PUT".into(),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Api-Key".into(), "k".into()),
        ],
        credentials: Credentials::Include,
    };
    let observed_preflight = ObservedRequest {
        method: "OPTIONS",
        origin: Some("http://localhost:5173"),
        access_control_request_method: Some("PUT"),
        access_control_request_headers: Some("content-type,x-api-key"),
        ..Default::default()
    };
    let observed_actual = ObservedRequest {
        method: "PUT",
        origin: Some("http://localhost:5173"),
        ..Default::default()
    };
    let count = allocations_in(|| {
        assert!(fetch::preflight_check(&request, 204, &preflight_headers).is_ok());
        assert!(fetch::cors_check(&request, &preflight_headers).is_ok());
        assert!(fetch::exposed(&request, &preflight_headers, "content-type"));
        let verdict = observe(&observed_preflight, 200, &preflight_headers).unwrap();
        assert!(verdict.allowed);
        let verdict = observe(&observed_actual, 200, &actual_headers).unwrap();
        assert!(verdict.allowed);
    });
    assert_eq!(count, 0);
    // The counter works: a refusal builds its message.
    let refused = allocations_in(|| {
        assert!(fetch::cors_check(&request, &ResponseHeaders::from_pairs(&[])).is_err());
    });
    assert!(refused > 0);
}
