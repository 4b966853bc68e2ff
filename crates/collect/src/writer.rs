//! The single writer: submissions from every request go through one thread that owns the
//! store's write connection and commits whatever has queued up in one transaction (group
//! commit). Each caller waits for its own outcome, which exists only after the commit.

use chrono::Utc;
use delphi_store::{Refusal, Store, Submission, SubmissionReceipt};
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
    submission: Submission,
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
    pub async fn submit(&self, submission: Submission) -> Result<SubmissionReceipt, WriteError> {
        let (reply, outcome) = oneshot::channel();
        self.jobs.send(Job { submission, reply }).await.map_err(|_| WriteError::Stopped)?;
        outcome.await.map_err(|_| WriteError::Stopped)?
    }
}

fn run(mut store: Store, mut queue: mpsc::Receiver<Job>) {
    while let Some(first) = queue.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let submissions: Vec<Submission> = batch.iter().map(|job| job.submission.clone()).collect();
        match store.record_submissions(&submissions, Utc::now()) {
            Ok(outcomes) => {
                for (job, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = job.reply.send(outcome.map_err(WriteError::Refused));
                }
            }
            Err(failure) => {
                let message = failure.to_string();
                for job in batch {
                    let _ = job.reply.send(Err(WriteError::Failed(message.clone())));
                }
            }
        }
    }
}
