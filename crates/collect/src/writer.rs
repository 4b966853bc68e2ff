//! The single writer: submissions from every request go through one thread that owns the
//! store's write connection and commits whatever has queued up in one transaction (group
//! commit). Each caller waits for its own outcome, which exists only after the commit.

use chrono::Utc;
use delphi_store::{EncodedSubmission, Refusal, Store, SubmissionReceipt};
use tokio::sync::{mpsc, oneshot};

/// Submissions committed together at most.
const MAX_BATCH: usize = 512;

/// Why a submission handed to the writer was not stored.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WriteError {
    /// The store refused the submission by a rule (closed round, passed deadline, …).
    #[error(transparent)]
    Refused(Refusal),
    /// The store failed; nothing of the batch was stored.
    #[error("the answers could not be stored: {0}")]
    Failed(String),
    /// The writer has shut down.
    #[error("the service is shutting down")]
    Stopped,
}

#[derive(Debug)]
struct Job {
    submission: EncodedSubmission,
    reply: oneshot::Sender<Result<SubmissionReceipt, WriteError>>,
}

/// A handle to the writer thread; cheap to clone. The thread ends once every handle is
/// dropped and the queue is drained.
#[derive(Debug, Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer thread on `store` (its own connection). Checkpoints of the WAL run
    /// on a helper thread with a connection of its own, so that no batch waits for one.
    pub fn spawn(store: Store) -> (Self, std::thread::JoinHandle<()>) {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        let thread = std::thread::Builder::new()
            .name("delphi-writer".into())
            .spawn(move || {
                let checkpointer = store.reopen().and_then(|helper| {
                    store.defer_checkpoints(CHECKPOINT_FALLBACK_PAGES)?;
                    Ok(Checkpointer::spawn(helper))
                });
                let checkpointer =
                    checkpointer.map_err(|e| eprintln!("delphi serve: checkpoints stay on the writer ({e})")).ok();
                run(store, queue, checkpointer.as_ref());
                if let Some(checkpointer) = checkpointer {
                    checkpointer.stop();
                }
            })
            .expect("the writer thread starts");
        (Self { jobs }, thread)
    }

    /// Queues a submission and waits until its batch is committed (or refused).
    pub async fn submit(&self, submission: impl Into<EncodedSubmission>) -> Result<SubmissionReceipt, WriteError> {
        let submission = submission.into();
        let (reply, outcome) = oneshot::channel();
        self.jobs.send(Job { submission, reply }).await.map_err(|_| WriteError::Stopped)?;
        outcome.await.map_err(|_| WriteError::Stopped)?
    }
}

fn run(mut store: Store, mut queue: mpsc::Receiver<Job>, checkpointer: Option<&Checkpointer>) {
    let mut submissions = Vec::with_capacity(MAX_BATCH);
    let mut replies = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queue.blocking_recv() {
        let mut next = Some(first);
        while let Some(Job { submission, reply }) = next.take() {
            submissions.push(submission);
            replies.push(reply);
            if submissions.len() < MAX_BATCH {
                next = queue.try_recv().ok();
            }
        }
        let outcomes = store.record_encoded_submissions(&submissions, Utc::now());
        // The batch is committed (or failed as a whole): answer every caller first, and
        // only then free the batch's memory.
        match outcomes {
            Ok(outcomes) => {
                for (reply, outcome) in replies.drain(..).zip(outcomes) {
                    let _ = reply.send(outcome.map_err(WriteError::Refused));
                }
            }
            Err(failure) => {
                let message = failure.to_string();
                for reply in replies.drain(..) {
                    let _ = reply.send(Err(WriteError::Failed(message.clone())));
                }
            }
        }
        submissions.clear();
        if let Some(checkpointer) = checkpointer {
            checkpointer.nudge();
        }
    }
}

/// WAL pages after which the writer checkpoints by itself, should the helper fall behind
/// (SQLite's own default is 1,000 pages; the helper normally keeps the WAL far smaller).
const CHECKPOINT_FALLBACK_PAGES: u32 = 20_000;

/// Least time between two checkpoints. Each ends with an fsync of the database file that
/// the writer's WAL syncs queue behind; small and frequent keeps that stall short. Measured
/// in one session (BENCHMARKS.md): every 2 s gave p99 78–85 ms, every 100 ms 53–56 ms,
/// every 20 ms 36 ms, at 14,000–17,000 submissions/s.
const CHECKPOINT_INTERVAL: std::time::Duration = std::time::Duration::from_millis(20);

/// The thread that checkpoints the WAL after commits, at most once per interval.
#[derive(Debug)]
struct Checkpointer {
    nudges: std::sync::mpsc::SyncSender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Checkpointer {
    fn spawn(store: Store) -> Self {
        let (nudges, nudged) = std::sync::mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("delphi-checkpoint".into())
            .spawn(move || {
                while nudged.recv().is_ok() {
                    if let Err(error) = store.checkpoint() {
                        eprintln!("delphi serve: checkpoint failed (the writer will checkpoint itself): {error}");
                    }
                    std::thread::sleep(CHECKPOINT_INTERVAL);
                }
                // A last one, so a store left behind by a clean stop has a short WAL.
                let _ = store.checkpoint();
            })
            .expect("the checkpoint thread starts");
        Self { nudges, thread }
    }

    /// Asks for a checkpoint soon; never blocks.
    fn nudge(&self) {
        let _ = self.nudges.try_send(());
    }

    fn stop(self) {
        drop(self.nudges);
        let _ = self.thread.join();
    }
}
