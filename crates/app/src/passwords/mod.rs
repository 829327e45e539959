//! Password hashing: Argon2id (m=19456 KiB, t=2, p=1, OWASP's first choice)
//! computed by `argon2-rust` (a port of the reference implementation whose
//! SIMD backend is chosen at run time) on a dedicated pool of one thread per
//! core. Each thread keeps its 19 MiB arena between hashes, so a hash costs
//! no allocation and no page faults.
//!
//! Invariants owned here:
//! - At most `workers` hashes run at once and at most `max_waiting` wait;
//!   beyond that a hash is refused at once with [`AppError::Busy`] (memory
//!   stays at `workers` arenas whatever the load; a storm queues, bounded,
//!   instead of piling up threads).
//! - The strings are standard PHC strings: the RustCrypto `argon2` crate
//!   verifies ours and we verify its (tested both ways, and against the
//!   RFC 9106 test vector).
//! - An unknown account costs one full verification, against a dummy hash.
//! - Hashes made by other systems (an import: [`legacy`]) are verified on
//!   the same threads, within bounded costs, and [`needs_rehash`] says when
//!   a successful sign-in should replace one with ours.

pub mod legacy;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2_rust::params::Memory;
use argon2_rust::{Algorithm, Argon2, Params, Version};
use tokio::sync::oneshot;

use crate::{AppError, AppResult};

/// Memory cost in KiB.
pub const M_COST: u32 = 19_456;
/// Passes.
pub const T_COST: u32 = 2;
/// Lanes.
pub const P_COST: u32 = 1;

/// How every hash of ours begins: a stored hash without it is replaced by
/// one of ours at the next successful sign-in.
pub const OURS_PREFIX: &str = "$argon2id$v=19$m=19456,t=2,p=1$";

/// Whether a stored hash is not ours (an imported one, or ours with older
/// parameters) and should be replaced once the password is known.
pub fn needs_rehash(stored: &str) -> bool {
    !stored.starts_with(OURS_PREFIX)
}

/// Our Argon2id, with our parameters.
fn argon2() -> AppResult<Argon2> {
    let params = Params::builder()
        .memory(Memory::kib(M_COST as u64))
        .passes(T_COST)
        .lanes(P_COST)
        .build()
        .map_err(|e| AppError::Internal(format!("argon2 parameters: {e:?}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Work for a hashing thread, given that thread's reusable hasher.
type Job = Box<dyn FnOnce(&mut argon2_rust::Hasher) + Send>;

/// Hashes that may wait for a hasher, per hasher: beyond this a sign-in storm
/// is answered "busy, try again" at once instead of piling up. At about 7 ms
/// a hash, the last in a full queue waits under 2 s: a storm of a few hundred
/// clients is served at the full hash rate (each waits its turn) instead of
/// being answered "busy" over and over, which cost more than it saved.
pub const QUEUE_PER_WORKER: usize = 256;

/// The hashing pool: cheap to clone; the threads end when the last clone is
/// dropped.
#[derive(Clone, Debug)]
pub struct Hasher {
    pool: Arc<Pool>,
}

#[derive(Debug)]
struct Pool {
    jobs: SyncSender<Job>,
    /// Admitted and not yet finished (running or waiting).
    admitted: Arc<AtomicUsize>,
    capacity: usize,
    workers: usize,
    dummy: String,
}

impl Hasher {
    /// A pool with one hasher per core.
    pub fn for_this_machine() -> Hasher {
        Hasher::with_workers(cores())
    }

    /// A pool with `workers` hashers.
    pub fn with_workers(workers: usize) -> Hasher {
        Hasher::with_queue(workers, workers.max(1) * QUEUE_PER_WORKER)
    }

    /// A pool with `workers` hashers and at most `max_waiting` hashes waiting.
    pub fn with_queue(workers: usize, max_waiting: usize) -> Hasher {
        let workers = workers.max(1);
        let capacity = workers + max_waiting;
        let (jobs, queue) = sync_channel::<Job>(capacity);
        let queue = Arc::new(Mutex::new(queue));
        let mut started = 0;
        for i in 0..workers {
            let queue = Arc::clone(&queue);
            match std::thread::Builder::new()
                .name(format!("gatehouse-hash-{i}"))
                .spawn(move || work(&queue))
            {
                Ok(_) => started += 1,
                Err(e) => tracing::error!(error = %e, "a hashing thread did not start"),
            }
        }
        // A hash of a random password: verifying against it costs what a real
        // verification costs, for unknown login IDs.
        let dummy = argon2()
            .and_then(|a| {
                a.hash_password_with_random_salt(crate::secrets::new_token("").as_bytes())
                    .map_err(|e| AppError::Internal(format!("hashing failed: {e:?}")))
            })
            .unwrap_or_default();
        Hasher {
            pool: Arc::new(Pool {
                jobs,
                admitted: Arc::new(AtomicUsize::new(0)),
                capacity,
                workers: started,
                dummy,
            }),
        }
    }

    /// A place in the hashing queue, or [`AppError::Busy`] at once when the
    /// queue is full. A sign-in takes its place before any database work, so
    /// that a storm beyond the queue is refused before it costs a read.
    pub fn reserve(&self) -> AppResult<Slot> {
        let pool = &self.pool;
        if pool.workers == 0 {
            return Err(AppError::Internal("no hashing thread is running".into()));
        }
        if pool.admitted.fetch_add(1, Ordering::SeqCst) >= pool.capacity {
            pool.admitted.fetch_sub(1, Ordering::SeqCst);
            return Err(AppError::Busy);
        }
        Ok(Slot {
            admitted: Arc::clone(&pool.admitted),
        })
    }

    /// Runs `f` on a hashing thread in the place `slot` holds.
    async fn run_in<T: Send + 'static>(
        &self,
        slot: Slot,
        f: impl FnOnce(&mut argon2_rust::Hasher) -> T + Send + 'static,
    ) -> AppResult<T> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |hasher| {
            let out = f(hasher);
            drop(slot);
            // The caller may have gone (a dropped request): nothing to tell.
            let _ = tx.send(out);
        });
        // Never full: no more jobs are admitted than the channel holds.
        if self.pool.jobs.try_send(job).is_err() {
            return Err(AppError::Busy);
        }
        rx.await
            .map_err(|_| AppError::Internal("a hashing thread stopped".into()))
    }

    /// The PHC string of a new hash of `password`, with a fresh salt.
    pub async fn hash(&self, password: &str) -> AppResult<String> {
        let password = password.to_owned();
        self.run_in(self.reserve()?, move |h| {
            h.hash_password_with_random_salt(password.as_bytes())
                .map_err(|e| AppError::Internal(format!("hashing failed: {e:?}")))
        })
        .await?
    }

    /// Whether `password` matches `phc`. With `None` (no such user, or no
    /// password yet) it verifies against a dummy hash, taking the same time,
    /// and answers false.
    pub async fn verify(&self, password: &str, phc: Option<&str>) -> AppResult<bool> {
        self.verify_in(self.reserve()?, password, phc).await
    }

    /// [`Self::verify`] in a place reserved earlier with [`Self::reserve`].
    pub async fn verify_in(
        &self,
        slot: Slot,
        password: &str,
        phc: Option<&str>,
    ) -> AppResult<bool> {
        let known = phc.is_some();
        let phc = phc.map_or_else(|| self.pool.dummy.clone(), str::to_owned);
        let password = password.to_owned();
        self.run_in(slot, move |h| {
            let ok = match legacy::Scheme::parse(&phc) {
                Ok(legacy::Scheme::Ours) => h
                    .verify_encoded(&phc, password.as_bytes(), Algorithm::Argon2id)
                    .is_ok(),
                Ok(scheme) => scheme.verify(&phc, password.as_bytes()),
                Err(_) => false,
            };
            ok && known
        })
        .await
    }
}

/// A place in the hashing queue (see [`Hasher::reserve`]); given back when
/// its hash is done or it is dropped unused.
#[derive(Debug)]
pub struct Slot {
    admitted: Arc<AtomicUsize>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.admitted.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A hashing thread: takes jobs until the pool is dropped.
fn work(queue: &Mutex<Receiver<Job>>) {
    let Ok(argon2) = argon2() else {
        return;
    };
    let mut hasher = argon2.hasher();
    loop {
        let job = match queue.lock() {
            Ok(q) => q.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(&mut hasher),
            Err(_) => return,
        }
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The machine's raw Argon2id rate with our parameters: `workers` threads
/// (default one per core), each reusing its arena, hashing for `seconds`.
#[derive(Debug, Clone)]
pub struct RawRate {
    /// Threads hashing at once.
    pub workers: usize,
    /// Hashes finished.
    pub hashes: u64,
    /// Hashes per second.
    pub per_second: f64,
    /// The SIMD backend the CPU picked.
    pub backend: String,
}

/// Measures [`RawRate`]: the ceiling of password sign-ins on this machine.
pub fn raw_rate(workers: Option<usize>, seconds: f64) -> AppResult<RawRate> {
    let workers = workers.unwrap_or_else(cores).max(1);
    let argon2 = argon2()?;
    let until = Instant::now() + Duration::from_secs_f64(seconds.max(0.1));
    let started = Instant::now();
    let counts: Vec<u64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|i| {
                scope.spawn(move || {
                    let mut hasher = argon2.hasher();
                    let mut tag = [0u8; 32];
                    let salt = [i as u8; 16];
                    let mut n = 0u64;
                    while Instant::now() < until {
                        if hasher
                            .hash_into(b"benchmark password", &salt, &mut tag)
                            .is_ok()
                        {
                            n += 1;
                        }
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).collect()
    });
    let hashes: u64 = counts.iter().sum();
    Ok(RawRate {
        workers,
        hashes,
        per_second: hashes as f64 / started.elapsed().as_secs_f64(),
        backend: format!("{:?}", argon2_rust::detected_backend()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_9106_argon2id_test_vector_holds() {
        // RFC 9106 §5.3: Argon2id, m=32 KiB, t=3, p=4, password 32×0x01,
        // salt 16×0x02, secret 8×0x03, associated data 12×0x04.
        let params = Params::builder()
            .memory(Memory::kib(32))
            .passes(3)
            .lanes(4)
            .build()
            .unwrap();
        let a = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut tag = [0u8; 32];
        a.hash_into_with_ad(&[1; 32], &[2; 16], &[3; 8], &[4; 12], &mut tag)
            .unwrap();
        let expected = [
            0x0d, 0x64, 0x0d, 0xf5, 0x8d, 0x78, 0x76, 0x6c, 0x08, 0xc0, 0x37, 0xa3, 0x4a, 0x8b,
            0x53, 0xc9, 0xd0, 0x1e, 0xf0, 0x45, 0x2d, 0x75, 0xb6, 0x5e, 0xb5, 0x25, 0x20, 0xe9,
            0x6b, 0x01, 0xe6, 0x59,
        ];
        assert_eq!(tag, expected);
    }

    #[tokio::test]
    async fn rustcrypto_argon2_and_ours_verify_each_others_hashes() {
        use argon2::password_hash::phc::PasswordHash;
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let h = Hasher::with_workers(1);
        let ours = h.hash("violet anchors juggle quietly").await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            argon2::Argon2::default()
                .verify_password(b"violet anchors juggle quietly", &parsed)
                .is_ok()
        );
        assert!(
            argon2::Argon2::default()
                .verify_password(b"violet anchors juggle quietly!", &parsed)
                .is_err()
        );
        let params = argon2::Params::new(M_COST, T_COST, P_COST, None).unwrap();
        let theirs =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
                .hash_password(b"correct horse battery staple")
                .unwrap()
                .to_string();
        assert!(
            h.verify("correct horse battery staple", Some(&theirs))
                .await
                .unwrap()
        );
        assert!(!h.verify("correct horse", Some(&theirs)).await.unwrap());
    }

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
    async fn a_reserved_place_counts_until_used_or_dropped() {
        let h = Hasher::with_queue(1, 1);
        let first = h.reserve().unwrap();
        let second = h.reserve().unwrap();
        assert!(
            matches!(h.reserve(), Err(AppError::Busy)),
            "two places taken"
        );
        drop(second);
        let third = h.reserve().unwrap();
        assert!(!h.verify_in(first, "some password", None).await.unwrap());
        assert!(h.reserve().is_ok(), "a used place is given back");
        drop(third);
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

    #[test]
    fn the_raw_rate_counts_hashes() {
        let rate = raw_rate(Some(1), 0.2).unwrap();
        assert!(rate.hashes >= 1 && rate.per_second > 0.0, "{rate:?}");
    }
}
