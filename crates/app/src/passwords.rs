//! Password hashing: Argon2id (m=19456 KiB, t=2, p=1, OWASP's first choice)
//! on a bounded pool of blocking threads, one permit per core, so that a storm
//! of sign-ins queues for the hashers instead of starving the async workers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::{AppError, AppResult};

/// Memory cost in KiB.
pub const M_COST: u32 = 19_456;
/// Passes.
pub const T_COST: u32 = 2;
/// Lanes.
pub const P_COST: u32 = 1;

fn argon2() -> AppResult<Argon2<'static>> {
    let params = Params::new(M_COST, T_COST, P_COST, None)
        .map_err(|e| AppError::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The hashing pool.
#[derive(Clone, Debug)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    dummy: Arc<String>,
    waiting: Arc<AtomicUsize>,
    max_waiting: usize,
}

/// Hashes that may wait for a hasher, per hasher: beyond this a sign-in storm
/// is answered "busy, try again" at once instead of piling up.
pub const QUEUE_PER_WORKER: usize = 64;

impl Hasher {
    /// A pool with one hasher per core.
    pub fn for_this_machine() -> Hasher {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Hasher::with_workers(cores)
    }

    /// A pool with `workers` hashers at most at once.
    pub fn with_workers(workers: usize) -> Hasher {
        Hasher::with_queue(workers, workers.max(1) * QUEUE_PER_WORKER)
    }

    /// A pool with `workers` hashers and at most `max_waiting` hashes waiting.
    pub fn with_queue(workers: usize, max_waiting: usize) -> Hasher {
        // A hash of a random password: verifying against it costs what a real
        // verification costs, for unknown login IDs.
        let dummy = argon2()
            .ok()
            .and_then(|a| {
                a.hash_password(crate::secrets::new_token("").as_bytes())
                    .ok()
            })
            .map(|h| h.to_string())
            .unwrap_or_default();
        Hasher {
            permits: Arc::new(Semaphore::new(workers.max(1))),
            dummy: Arc::new(dummy),
            waiting: Arc::new(AtomicUsize::new(0)),
            max_waiting,
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let closed = |_| AppError::Internal("the hashing pool is closed".into());
        let _permit = match Arc::clone(&self.permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                    return Err(AppError::Busy);
                }
                let permit = Arc::clone(&self.permits).acquire_owned().await;
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                permit.map_err(closed)?
            }
        };
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AppError::Internal(format!("hashing task failed: {e}")))
    }

    /// The PHC string of a new hash of `password`, with a fresh salt.
    pub async fn hash(&self, password: &str) -> AppResult<String> {
        let password = password.to_owned();
        self.run(move || {
            argon2()?
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| AppError::Internal(format!("hashing failed: {e}")))
        })
        .await?
    }

    /// Whether `password` matches `phc`. With `None` (no such user, or no
    /// password yet) it verifies against a dummy hash, taking the same time,
    /// and answers false.
    pub async fn verify(&self, password: &str, phc: Option<&str>) -> AppResult<bool> {
        let known = phc.is_some();
        let phc = phc.map_or_else(|| self.dummy.as_str().to_owned(), str::to_owned);
        let password = password.to_owned();
        self.run(move || {
            let Ok(parsed) = PasswordHash::new(&phc) else {
                return false;
            };
            let ok = Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            ok && known
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn beyond_the_queue_a_hash_is_refused_at_once() {
        let h = Hasher::with_queue(1, 1);
        let (a, b, c) = tokio::join!(
            h.hash("one password here"),
            h.hash("two password here"),
            h.hash("three password here")
        );
        assert!(a.is_ok() && b.is_ok(), "one runs, one waits");
        assert!(
            matches!(c, Err(AppError::Busy)),
            "the third is refused: {c:?}"
        );
        assert!(
            h.hash("four password here").await.is_ok(),
            "the queue drains"
        );
    }

    #[tokio::test]
    async fn hashes_verify_and_carry_the_chosen_parameters() {
        let h = Hasher::with_workers(2);
        let phc = h.hash("correct horse battery staple").await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(
            h.verify("correct horse battery staple", Some(&phc))
                .await
                .unwrap()
        );
        assert!(
            !h.verify("correct horse battery stapler", Some(&phc))
                .await
                .unwrap()
        );
        assert!(!h.verify("anything", None).await.unwrap());
        assert!(!h.verify("anything", Some("not a hash")).await.unwrap());
        let again = h.hash("correct horse battery staple").await.unwrap();
        assert_ne!(phc, again, "every hash has its own salt");
    }
}
