//! The single writer: submissions from every request go through one thread that owns the
//! store's write connection and commits whatever has queued up in one transaction (group
//! commit). Each caller waits for its own outcome, which exists only after the commit.

use chrono::Utc;
use delphi_store::{EncodedSubmission, Refusal, Store, SubmissionReceipt};
use tokio::sync::{mpsc, oneshot};

/// Submissions committed together at most.
const MAX_BATCH: usize = 512;

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
    /// Starts the writer thread on `store` (its own connection).
    pub fn spawn(store: Store) -> (Self, std::thread::JoinHandle<()>) {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        let thread = std::thread::Builder::new()
            .name("delphi-writer".into())
            .spawn(move || run(store, queue))
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

fn run(mut store: Store, mut queue: mpsc::Receiver<Job>) {
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
    }
}
