//! The server as it runs: what it serves follows the database.
//!
//! [`load`] builds the served state (the latest run, or a pinned one, with
//! the previous run's ranks and the catalog) from the store. [`serve`]
//! answers every request with the router in place at that moment; a watcher
//! polls the store's change counters every second (and, on PostgreSQL, wakes
//! at once on `NOTIFY cantiere_changes`, so that several servers on one
//! database stay in step). When a run or the catalog changed, a new state is
//! loaded, its pages rendered, and the router swapped in one step: requests
//! in flight finish on the old state, later ones see the new. When only the
//! communities changed, their page cache is emptied. Ctrl-C or SIGTERM stops
//! the server: in-flight requests get up to [`SHUTDOWN_GRACE`] to finish.

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use cantiere_store::data::period_order;
use cantiere_store::{RunInfo, Store, Versions, latest_per_index};
use tower::ServiceExt;

use crate::catalog::Catalog;
use crate::community::Hub;
use crate::{Assets, Observatory};

/// How long in-flight requests may run on after a stop signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_millis(1500);

/// How often the store's change counters are read.
pub const POLL: Duration = Duration::from_secs(1);

/// An error while loading what to serve.
pub type LoadError = Box<dyn std::error::Error + Send + Sync>;

/// The observatory of run `run` (the latest of the main index when `None`),
/// with the latest run of every other index beside it, each with the
/// previous run of its index and territory (for the movers), its periods
/// and the main run's comune boundaries (for its map); then the
/// administrations and the catalog.
pub async fn load(store: &Store, run: Option<i64>) -> Result<Observatory, LoadError> {
    // The runs are listed once: the run served and every index's come from this list.
    let runs = store.runs().await?;
    let served = latest_per_index(&runs);
    let id = match run {
        Some(id) => id,
        None => served.first().map(|r| r.id).ok_or(cantiere_store::Error::Empty)?,
    };
    let snapshot = store.load(Some(id)).await?;
    let current = snapshot.run.clone().ok_or("a loaded run has its info")?;
    let boundaries: Vec<_> = snapshot.boundaries.iter().filter(|b| b.level == "comune").cloned().collect();
    let mut others = Vec::new();
    for other in served.into_iter().filter(|r| r.index_code != current.index_code) {
        let mut s = store.load(Some(other.id)).await?;
        if s.boundaries.is_empty() {
            s.boundaries = boundaries.clone();
        }
        others.push(with_history(store, &runs, Observatory::new(s)).await?);
    }
    let obs = with_history(store, &runs, Observatory::new(snapshot)).await?.with_indices(others);
    let obs = obs.with_administrations(store.administrations().await?).with_unions(store.unions().await?);
    let (solutions, adoptions) = (store.solutions().await?, store.adoptions().await?);
    let catalog = tokio::task::spawn_blocking(move || Catalog::new(solutions, adoptions)).await??;
    Ok(obs.with_catalog(catalog))
}

/// An index's history from `runs` (newest first): its periods, newest
/// first; the results of the latest run of each earlier period of the same
/// version and territory (its time series); and the run compared for the
/// movers and the rank changes: the latest run of the most recent earlier
/// period, else the run of the same index and territory stored before it.
/// Only results are read of those runs, not the whole runs.
async fn with_history(store: &Store, runs: &[RunInfo], obs: Observatory) -> Result<Observatory, LoadError> {
    let current = obs.run.clone();
    let mut periods: Vec<String> = Vec::new();
    for r in runs.iter().filter(|r| r.index_code == current.index_code && !r.period.is_empty()) {
        if !periods.contains(&r.period) {
            periods.push(r.period.clone());
        }
    }
    // Newest first, by their last day.
    periods.sort_by(|a, b| period_order(b, a));
    let served = obs.period().to_string();
    let series = |r: &&RunInfo| {
        r.index_code == current.index_code
            && r.index_version == current.index_version
            && r.territory == current.territory
            && !r.period.is_empty()
            && period_order(&r.period, &served).is_lt()
    };
    // The latest run of each earlier period, the most recent period first.
    let mut earlier: Vec<&RunInfo> = Vec::new();
    for r in runs.iter().filter(series) {
        if !earlier.iter().any(|e| e.period == r.period) {
            earlier.push(r);
        }
    }
    earlier.sort_by(|a, b| period_order(&b.period, &a.period));
    let mut history = Vec::with_capacity(earlier.len());
    for r in &earlier {
        history.push(((*r).clone(), store.results(r.id).await?));
    }
    let (previous, previous_results) = match (earlier.first(), history.first()) {
        (Some(r), Some((_, rows))) => (Some((*r).clone()), rows.clone()),
        _ => match runs
            .iter()
            .find(|r| r.id < current.id && r.index_code == current.index_code && r.territory == current.territory)
        {
            Some(p) => (Some(p.clone()), store.results(p.id).await?),
            None => (None, Vec::new()),
        },
    };
    let mut obs = obs.with_periods(periods).with_history(history);
    if let Some(p) = previous {
        obs = obs.with_previous(&p, &previous_results);
    }
    Ok(obs)
}

/// What changed between two readings of the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Nothing.
    None,
    /// Only the communities: their pages are read again.
    Communities,
    /// A run or the catalog: the state is loaded again.
    Served,
}

/// What a server serving run `pinned` (or the latest) must do when the
/// counters went from `before` to `now`.
pub fn change(before: Versions, now: Versions, pinned: Option<i64>) -> Change {
    if (now.run != before.run && pinned.is_none()) || now.catalog != before.catalog {
        Change::Served
    } else if now != before {
        Change::Communities
    } else {
        Change::None
    }
}

/// The router requests are answered by, swapped whole.
#[derive(Clone)]
struct Current(Arc<RwLock<Router>>);

impl Current {
    fn get(&self) -> Router {
        self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    fn set(&self, router: Router) {
        *self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner) = router;
    }
}

/// Serves `hub`'s site on `addr`, its pages rendered first, following the
/// database (see the module doc), until Ctrl-C or SIGTERM.
pub async fn serve(hub: Arc<Hub>, assets: &Assets, addr: SocketAddr, pinned: Option<i64>) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let current = Current(Arc::new(RwLock::new(ready(&hub, assets).await)));
    let watcher = tokio::spawn(watch(current.clone(), hub, assets.clone(), pinned));
    let front = {
        let current = current.clone();
        Router::new().fallback_service(tower::service_fn(move |req: Request| {
            let router = current.get();
            async move { router.oneshot(req).await }
        }))
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, front.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            let mut rx = stop_rx;
            let _ = rx.wait_for(|stop| *stop).await;
        })
        .into_future();
    tokio::pin!(server);
    let result = tokio::select! {
        r = &mut server => r,
        () = stop_signal() => {
            tracing::info!("stopping: finishing the requests in flight");
            let _ = stop_tx.send(true);
            tokio::time::timeout(SHUTDOWN_GRACE, &mut server).await.unwrap_or(Ok(()))
        }
    };
    watcher.abort();
    result
}

/// The site of a hub with its most visited pages rendered.
async fn ready(hub: &Arc<Hub>, assets: &Assets) -> Router {
    let router = crate::app_with_communities(hub.clone(), assets);
    let start = std::time::Instant::now();
    let n = crate::warm(&router, &hub.obs).await;
    tracing::info!("{n} pages rendered in {:.1} s", start.elapsed().as_secs_f64());
    router
}

/// Ctrl-C, or SIGTERM where there are signals.
async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// Follows the store's change counters and swaps in what changed.
async fn watch(current: Current, mut hub: Arc<Hub>, assets: Assets, pinned: Option<i64>) {
    let store = hub.store.clone();
    let mut seen = match store.versions().await {
        Ok(v) => v,
        Err(e) => {
            tracing::error!("not following changes: {e}");
            return;
        }
    };
    let mut listener = store.change_listener().await.unwrap_or_else(|e| {
        tracing::warn!("no change notifications ({e}): polling every {} s", POLL.as_secs());
        None
    });
    loop {
        match listener.as_mut() {
            Some(l) => {
                let _ = tokio::time::timeout(POLL, l.next()).await;
            }
            None => tokio::time::sleep(POLL).await,
        }
        let Ok(now) = store.versions().await else { continue };
        match change(seen, now, pinned) {
            Change::None => continue,
            Change::Communities => hub.forget_pages(),
            Change::Served => match load(&store, pinned).await {
                Ok(obs) => {
                    let next = Arc::new(hub.reloaded(Arc::new(obs)));
                    let router = ready(&next, &assets).await;
                    current.set(router);
                    tracing::info!("now serving run {} (the database changed)", next.obs.run.id);
                    hub = next;
                }
                Err(e) => {
                    tracing::error!(
                        "the database changed but could not be loaded ({e}): still serving the previous state"
                    );
                }
            },
        }
        seen = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_server_reloads_for_each_change() {
        let v = |run, catalog, community| Versions { run, catalog, community };
        let before = v(1, 1, 1);
        assert_eq!(change(before, before, None), Change::None);
        assert_eq!(change(before, v(1, 1, 5), None), Change::Communities);
        assert_eq!(change(before, v(2, 1, 1), None), Change::Served, "a new run");
        assert_eq!(change(before, v(2, 1, 1), Some(7)), Change::Communities, "pinned to run 7: only the caches");
        assert_eq!(change(before, v(1, 2, 1), Some(7)), Change::Served, "the catalog, even when pinned");
    }
}
