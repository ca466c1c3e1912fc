//! Housekeeping on a timer in `kcvs serve` (expired sessions, expired idempotency records): one
//! loop serves every job, so a job is only its body. A failed run is reported in both languages
//! and retried at the next tick; these jobs only bound tables, so a missed run loses nothing.

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

/// Run `job` every `every` (the first run at once) until the task is dropped or aborted. `what`
/// names the job in English and Korean for the error line.
pub fn spawn_every<F, Fut>(
    every: Duration,
    what: (&'static str, &'static str),
    job: F,
) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = job().await {
                let secs = every.as_secs();
                eprintln!(
                    "kcvs serve: {} failed (retried in {secs} s): {e} / {} 실패({secs}초 후 재시도): {e}",
                    what.0, what.1
                );
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A failing run does not stop the loop: the job runs again at the next tick.
    #[tokio::test(start_paused = true)]
    async fn a_failed_run_is_retried_at_the_next_tick() {
        let runs = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&runs);
        let task = spawn_every(
            Duration::from_secs(60),
            ("test job", "시험 작업"),
            move || {
                let runs = Arc::clone(&seen);
                async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    Err("always fails".to_owned())
                }
            },
        );
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_secs(61)).await;
        }
        task.abort();
        assert!(
            runs.load(Ordering::SeqCst) >= 3,
            "{}",
            runs.load(Ordering::SeqCst)
        );
    }
}
