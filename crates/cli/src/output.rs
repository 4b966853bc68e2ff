//! Standard output that a closed reader cannot stop half-way.
//!
//! `delphi report … | head -1` closes the pipe after one line. `std`'s `println!` panics
//! on the next write, which would abort the command between two of its files. Every
//! `print!`/`println!` of this crate comes here instead (main.rs shadows the two macros):
//! a closed pipe ends the printing, quietly, and the command finishes its work. Any other
//! failure to write (a full disk behind a redirection) also ends the printing, and is
//! reported by [`finish`] once the work is done, so the exit code still tells of it.

use std::io::{self, Write as _};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once standard output has failed: nothing more is written to it.
static STOPPED: AtomicBool = AtomicBool::new(false);
/// The first failure that was not a closed reader.
static FAILURE: Mutex<Option<io::Error>> = Mutex::new(None);

/// Writes to standard output unless it has failed before; a failure stops the printing.
pub(crate) fn print(text: std::fmt::Arguments<'_>) {
    if STOPPED.load(Ordering::Relaxed) {
        return;
    }
    if let Err(error) = io::stdout().lock().write_fmt(text) {
        stop(error);
    }
}

/// Flushes standard output at the end of a command. A closed reader is no error (the
/// reader took what it wanted); any other failure to write is, because output was lost.
pub(crate) fn finish() -> io::Result<()> {
    if !STOPPED.load(Ordering::Relaxed)
        && let Err(error) = io::stdout().lock().flush()
    {
        stop(error);
    }
    match FAILURE.lock().map(|mut failure| failure.take()) {
        Ok(Some(error)) => Err(error),
        _ => Ok(()),
    }
}

fn stop(error: io::Error) {
    STOPPED.store(true, Ordering::Relaxed);
    if !is_closed_reader(&error)
        && let Ok(mut failure) = FAILURE.lock()
    {
        failure.get_or_insert(error);
    }
}

/// Whether writing failed because the reading end went away (`| head`, a closed pager).
fn is_closed_reader(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::BrokenPipe
}

#[cfg(test)]
mod tests {
    use std::io;

    #[test]
    fn only_a_broken_pipe_counts_as_a_reader_that_left() {
        assert!(super::is_closed_reader(&io::Error::from(io::ErrorKind::BrokenPipe)));
        assert!(!super::is_closed_reader(&io::Error::from(io::ErrorKind::StorageFull)));
        assert!(!super::is_closed_reader(&io::Error::other("disk on fire")));
    }
}
