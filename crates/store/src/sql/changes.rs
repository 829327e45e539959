//! What a node has seen change, so that copies of reads it keeps
//! ([`crate::Recent`]) are used only while nothing they hold has changed:
//! its own committed writes, and on PostgreSQL what other nodes announce
//! with `NOTIFY` at commit and this node hears with `LISTEN`.
//!
//! Invariants owned here:
//! - Every committed write transaction through this handle is counted, and
//!   every announcement heard; a count read before a read is compared with
//!   the changes counted after it.
//! - A change is either about named subjects (an account, a customer, a
//!   session by its token's hash, a grant: [`Announced::About`]) and makes
//!   stale only the copies that name one of them, or about everything
//!   ([`Announced::Everything`], and every site or app change,
//!   [`Announced::Sites`]) and makes every copy stale. The subjects' last
//!   changes are remembered in a bounded map; when it is full it starts over
//!   empty and counts that as a change of everything.
//! - A node that cannot hear the others (its listening connection is lost,
//!   or not yet made) lets no copy be used or kept; listening again makes
//!   every earlier copy stale, since what was said meanwhile is lost.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use uuid::Uuid;

/// The PostgreSQL channel on which a node announces changes that other
/// nodes' copies of reads may hold (see [`crate::Tx::announce`]).
pub const CHANGES_CHANNEL: &str = "gatehouse_changes";

/// Subjects remembered before the map starts over (about 1 MiB at most).
const SUBJECTS_KEPT: usize = 16_384;

/// Subjects one transaction names before it counts as a change of
/// everything (an announcement stays far below PostgreSQL's 8 000 bytes).
const SUBJECTS_PER_CHANGE: usize = 64;

/// The subject that names a session in announcements and copies: its
/// token's hash (the first 16 bytes of it; a session has no other ID).
pub fn session_subject(token_hash: &[u8]) -> Uuid {
    let mut bytes = [0u8; 16];
    for (b, h) in bytes.iter_mut().zip(token_hash) {
        *b = *h;
    }
    Uuid::from_bytes(bytes)
}

/// What a write transaction changed that copies of reads may hold.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) enum Announced {
    /// Nothing any copy holds.
    #[default]
    Nothing,
    /// Only what names these subjects.
    About(Vec<Uuid>),
    /// Anything but sites and apps.
    Everything,
    /// A site or an app (and so everything).
    Sites,
}

impl Announced {
    /// Adds a change about `subject`.
    pub(crate) fn about(&mut self, subject: Uuid) {
        match self {
            Announced::Nothing => *self = Announced::About(vec![subject]),
            Announced::About(ids) if ids.len() < SUBJECTS_PER_CHANGE => {
                if !ids.contains(&subject) {
                    ids.push(subject);
                }
            }
            Announced::About(_) => *self = Announced::Everything,
            Announced::Everything | Announced::Sites => {}
        }
    }

    /// Adds a change that no subject names.
    pub(crate) fn everything(&mut self) {
        if *self != Announced::Sites {
            *self = Announced::Everything;
        }
    }

    /// Adds a change to a site or an app.
    pub(crate) fn sites(&mut self) {
        *self = Announced::Sites;
    }

    /// Whether other nodes must be told.
    pub(crate) fn is_news(&self) -> bool {
        *self != Announced::Nothing
    }

    /// What a node says on [`CHANGES_CHANNEL`]: its name, then `sites`,
    /// nothing (everything), or `about` and the subjects, space-separated.
    pub(crate) fn say(&self, node: &str) -> String {
        match self {
            Announced::Sites => format!("{node} sites"),
            Announced::About(ids) => {
                let mut said = format!("{node} about");
                for id in ids {
                    said.push(' ');
                    said.push_str(&id.to_string());
                }
                said
            }
            Announced::Nothing | Announced::Everything => node.to_string(),
        }
    }

    /// Who said `payload`, and what. Anything not understood (a newer
    /// node's word) is a change of everything, which is always safe.
    fn hear(payload: &str) -> (&str, Announced) {
        let mut words = payload.split(' ');
        let node = words.next().unwrap_or("");
        let heard = match words.next() {
            None => Announced::Everything,
            Some("sites") => Announced::Sites,
            Some("about") => {
                let ids: Option<Vec<Uuid>> = words.map(|w| Uuid::parse_str(w).ok()).collect();
                match ids {
                    Some(ids) if !ids.is_empty() => Announced::About(ids),
                    _ => Announced::Everything,
                }
            }
            Some(_) => Announced::Everything,
        };
        (node, heard)
    }
}

/// What this node has seen change (see [`crate::Store::changes_seen`]).
#[derive(Debug)]
pub(crate) struct Seen {
    /// Write transactions committed through this handle, plus changes other
    /// nodes announced, plus one each time listening starts or stops.
    count: AtomicU64,
    /// The count at the last change of everything: copies read before it
    /// are stale.
    everything: AtomicU64,
    /// Changes to sites and their apps (a copy of a site or an app is good
    /// while this stays the same): this node's, other nodes' announced ones,
    /// plus one each time listening starts or stops.
    sites: AtomicU64,
    /// The count at each subject's last change.
    subjects: RwLock<HashMap<Uuid, u64>>,
    /// Whether announcements of other nodes reach this one now.
    listening: AtomicBool,
    /// This handle's name in its own announcements (it has counted its own
    /// writes already).
    pub(crate) node: String,
}

impl Seen {
    /// A node that hears others from the start (SQLite has none) or not
    /// until its listener has said `LISTEN` (PostgreSQL).
    pub(crate) fn new(listening: bool) -> Seen {
        Seen {
            count: AtomicU64::new(0),
            everything: AtomicU64::new(0),
            sites: AtomicU64::new(0),
            subjects: RwLock::new(HashMap::new()),
            listening: AtomicBool::new(listening),
            node: Uuid::now_v7().to_string(),
        }
    }

    /// The count of changes, or `None` while other nodes cannot be heard.
    pub(crate) fn count(&self) -> Option<u64> {
        // Read the flag after the count: a node that turns deaf bumps the
        // count first, so a reader never pairs an old count with "listening".
        let count = self.count.load(Ordering::SeqCst);
        self.listening.load(Ordering::SeqCst).then_some(count)
    }

    /// The count of site and app changes, or `None` while deaf.
    pub(crate) fn sites(&self) -> Option<u64> {
        let count = self.sites.load(Ordering::SeqCst);
        self.listening.load(Ordering::SeqCst).then_some(count)
    }

    /// Whether nothing about `subjects`, and nothing about everything, was
    /// seen after the count was `seen` (and other nodes can be heard).
    pub(crate) fn unchanged_since(&self, seen: u64, subjects: &[Uuid]) -> bool {
        // Under the lock [`Seen::saw`] moves the count with: whoever has
        // seen a count sees what changed with it.
        let changed = self
            .subjects
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !self.listening.load(Ordering::SeqCst) || self.everything.load(Ordering::SeqCst) > seen {
            return false;
        }
        subjects
            .iter()
            .all(|s| changed.get(s).is_none_or(|&at| at <= seen))
    }

    /// Counts one change of what `announced` says; called once the change
    /// is visible, so that a reader that read the count before it read
    /// cannot hold data older than the count says.
    pub(crate) fn saw(&self, announced: &Announced) {
        if *announced == Announced::Nothing {
            self.count.fetch_add(1, Ordering::SeqCst);
            return;
        }
        let mut changed = self
            .subjects
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let at = self.count.fetch_add(1, Ordering::SeqCst) + 1;
        let everything = match announced {
            Announced::Nothing => false,
            Announced::About(ids) if changed.len() + ids.len() > SUBJECTS_KEPT => {
                changed.clear();
                true
            }
            Announced::About(ids) => {
                for id in ids {
                    changed.insert(*id, at);
                }
                false
            }
            Announced::Everything => true,
            Announced::Sites => {
                self.sites.fetch_add(1, Ordering::SeqCst);
                true
            }
        };
        if everything {
            self.everything.fetch_max(at, Ordering::SeqCst);
        }
    }

    /// Other nodes cannot be heard: nothing read so far may be used, and
    /// nothing read from now on may be kept, until listening again.
    fn deaf(&self) {
        self.listening.store(false, Ordering::SeqCst);
        self.saw(&Announced::Sites);
    }

    /// Listening again: whatever was announced meanwhile is lost, so every
    /// copy from before is stale.
    fn hearing(&self) {
        self.saw(&Announced::Sites);
        self.listening.store(true, Ordering::SeqCst);
    }
}

/// Listens for other nodes' announcements for as long as the pool is open.
/// A lost listening connection makes the node deaf (no copies used) until
/// it listens again.
pub(crate) async fn hear_other_nodes(pool: PgPool, seen: Arc<Seen>) {
    let mut pause = Duration::from_millis(100);
    loop {
        let listener = async {
            let mut l = PgListener::connect_with(&pool).await?;
            // A reconnection inside `try_recv` would hide that announcements
            // were missed meanwhile: this loop reconnects itself instead.
            l.eager_reconnect(false);
            l.listen(CHANGES_CHANNEL).await?;
            Ok::<_, sqlx::Error>(l)
        };
        match listener.await {
            Ok(mut l) => {
                seen.hearing();
                pause = Duration::from_millis(100);
                loop {
                    match l.try_recv().await {
                        Ok(Some(n)) => match Announced::hear(n.payload()) {
                            (node, _) if node == seen.node => {}
                            (_, heard) => seen.saw(&heard),
                        },
                        Ok(None) => {
                            tracing::warn!(
                                "lost the connection that hears other nodes; reconnecting"
                            );
                            break;
                        }
                        Err(sqlx::Error::PoolClosed) => return,
                        Err(e) => {
                            tracing::warn!(error = %e, "cannot hear other nodes; reconnecting");
                            break;
                        }
                    }
                }
                seen.deaf();
            }
            Err(sqlx::Error::PoolClosed) => return,
            Err(e) => {
                seen.deaf();
                tracing::warn!(error = %e, "cannot listen for other nodes' changes; trying again");
            }
        }
        if pool.is_closed() {
            return;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_said_is_heard() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        for said in [
            Announced::Sites,
            Announced::Everything,
            Announced::About(vec![a, b]),
        ] {
            let payload = said.say("node-1");
            assert_eq!(Announced::hear(&payload), ("node-1", said));
        }
        assert_eq!(
            Announced::hear("node-1 something-new"),
            ("node-1", Announced::Everything),
            "a word not understood is a change of everything"
        );
        assert_eq!(
            Announced::hear("node-1 about not-a-uuid"),
            ("node-1", Announced::Everything)
        );
    }

    #[test]
    fn a_change_about_one_subject_leaves_copies_of_others_good() {
        let seen = Seen::new(true);
        let (ada, bob) = (Uuid::now_v7(), Uuid::now_v7());
        let read_at = seen.count().unwrap_or_default();
        seen.saw(&Announced::Nothing);
        assert!(
            seen.unchanged_since(read_at, &[ada, bob]),
            "nothing held changed"
        );
        seen.saw(&Announced::About(vec![ada]));
        assert!(!seen.unchanged_since(read_at, &[ada]));
        assert!(!seen.unchanged_since(read_at, &[bob, ada]));
        assert!(seen.unchanged_since(read_at, &[bob]));
        let later = seen.count().unwrap_or_default();
        assert!(seen.unchanged_since(later, &[ada]), "read after the change");
        seen.saw(&Announced::Everything);
        assert!(!seen.unchanged_since(later, &[bob]));
        assert!(!seen.unchanged_since(later, &[]));
    }

    #[test]
    fn many_subjects_become_everything() {
        let mut announced = Announced::Nothing;
        let first = Uuid::now_v7();
        announced.about(first);
        announced.about(first);
        assert_eq!(announced, Announced::About(vec![first]));
        for _ in 0..SUBJECTS_PER_CHANGE {
            announced.about(Uuid::now_v7());
        }
        assert_eq!(announced, Announced::Everything);
        announced.sites();
        announced.everything();
        announced.about(first);
        assert_eq!(announced, Announced::Sites, "a site change stays one");
    }

    #[test]
    fn a_full_map_starts_over_as_a_change_of_everything() {
        let seen = Seen::new(true);
        let read_at = seen.count().unwrap_or_default();
        let bystander = Uuid::now_v7();
        for _ in 0..=SUBJECTS_KEPT / SUBJECTS_PER_CHANGE {
            let ids: Vec<Uuid> = (0..SUBJECTS_PER_CHANGE).map(|_| Uuid::now_v7()).collect();
            seen.saw(&Announced::About(ids));
        }
        assert!(!seen.unchanged_since(read_at, &[bystander]));
        assert!(seen.subjects.read().map(|m| m.len()).unwrap_or(0) <= SUBJECTS_KEPT);
    }

    #[test]
    fn a_deaf_node_keeps_no_copy() {
        let seen = Seen::new(true);
        let read_at = seen.count().unwrap_or_default();
        seen.deaf();
        assert_eq!(seen.count(), None);
        assert!(!seen.unchanged_since(read_at, &[]));
        seen.hearing();
        assert!(
            !seen.unchanged_since(read_at, &[]),
            "what was said meanwhile is lost"
        );
    }
}
