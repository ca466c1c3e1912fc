//! Certificates expire on a date, not on anyone's request: `kcvs serve` records each expiry
//! itself, so the transparency log holds an expiry leaf for every certificate whose term ran
//! out, as it holds one for every issue, renewal, revocation and surrender. Without it a
//! certificate left to lapse would show as expired in the registry (the status is computed from
//! the date) but the log could not prove when it stopped being valid.
//!
//! The expiry is dated the day after the last valid day, whenever the sweep runs, so a server
//! that was down for a week still logs the true date; `logged_at` says when it was recorded.
//! Several server processes may sweep at once: the application's row lock makes one of them
//! record it and the others find the case already expired.

use std::time::Duration;

use kcvs_registry::lifecycle::{Event, EventKind, State};
use kcvs_store::{Begin, LapsedCertificate, StoreError, StoredResponse};
use tokio::task::JoinHandle;

use crate::AppState;

/// The actor the audit chain names for expiries the server records by itself.
pub const EXPIRY_ACTOR: &str = "system:expiry";

/// How often `kcvs serve` looks for lapsed certificates. A certificate is recorded as expired
/// within this long of the day it lapses; the recorded date does not depend on it.
pub const EXPIRY_EVERY: Duration = Duration::from_secs(60 * 60);

/// What one sweep did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Sweep {
    /// Certificates whose expiry this sweep recorded.
    pub expired: Vec<String>,
    /// Certificates it could not expire, with the reason.
    pub failed: Vec<(String, String)>,
}

/// Record the expiry of every certificate whose term ended before today.
pub async fn record_expiries(state: &AppState) -> Result<Sweep, StoreError> {
    let mut sweep = Sweep::default();
    for lapsed in state.store().lapsed_certificates(state.today()).await? {
        match expire(state, &lapsed).await {
            Ok(true) => sweep.expired.push(lapsed.number),
            Ok(false) => {}
            Err(e) => sweep.failed.push((lapsed.number, e.to_string())),
        }
    }
    Ok(sweep)
}

/// Expire one certificate; `false` when there is nothing to do any more (another process
/// recorded it, or the case no longer holds this certificate as its current one).
async fn expire(state: &AppState, lapsed: &LapsedCertificate) -> Result<bool, StoreError> {
    let Begin::Fresh(mut tx) = state
        .store()
        .begin_write(EXPIRY_ACTOR, state.now(), None)
        .await?
    else {
        // Without an idempotency key there is nothing to replay.
        return Ok(false);
    };
    // Takes the application's row lock: a concurrent sweep waits here, then sees the expiry.
    let record = tx.application(&lapsed.application).await?;
    let holds_it = match record.replay(state.ctx())? {
        State::Certified(h) => h.current.certificate.number.as_str() == lapsed.number,
        _ => false,
    };
    if !holds_it {
        return Ok(false);
    }
    let lapsed_on = lapsed
        .valid_until
        .tomorrow()
        .map_err(|e| StoreError::Corrupt(format!("{}: {e}", lapsed.number)))?;
    tx.apply_event(
        &lapsed.application,
        Event::new(lapsed_on, EventKind::Expire),
        state.ctx(),
        state.signer(),
    )
    .await?;
    tx.commit(&StoredResponse {
        status: 200,
        body: String::new(),
    })
    .await?;
    Ok(true)
}

/// Sweep every `every` (the first at once) until the task is aborted; each recorded expiry is
/// printed, each failure reported and retried at the next sweep.
pub fn spawn(state: AppState, every: Duration) -> JoinHandle<()> {
    crate::periodic::spawn_every(
        every,
        ("certificate expiry", "인증서 만료 기록"),
        move || {
            let state = state.clone();
            async move {
                let sweep = record_expiries(&state).await.map_err(|e| e.to_string())?;
                for number in &sweep.expired {
                    println!("kcvs serve: recorded the expiry of {number} / {number} 만료 기록");
                }
                if sweep.failed.is_empty() {
                    return Ok(());
                }
                Err(sweep
                    .failed
                    .iter()
                    .map(|(n, e)| format!("{n}: {e}"))
                    .collect::<Vec<_>>()
                    .join("; "))
            }
        },
    )
}
