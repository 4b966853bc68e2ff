//! A person's file read as text: UTF-8, or a problem that says where it is not.
//!
//! A study file, a panel or a reply form saved in Latin-1 or Windows-1252 (an "é" as the
//! single byte 0xE9) is not UTF-8. Rather than "cannot read the file", the coordinator
//! learns the line, column and byte offset of the first byte that is not, like any other
//! problem of the file (exit 3).

use std::path::Path;

use anyhow::{Context, Result};
use delphi_core::{Location, Problem, Problems};

/// Reads a file as UTF-8 text. `what` names it in an I/O error ("the panel file").
pub(crate) fn read_text(path: &Path, what: &str) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {what} {}", path.display()))?;
    Ok(text_of(bytes, &path.display().to_string())?)
}

/// The bytes as text, or a [`Problems`] naming the first byte that is not UTF-8.
pub(crate) fn text_of(bytes: Vec<u8>, file: &str) -> Result<String, Problems> {
    String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        Problems { file: file.to_owned(), problems: vec![not_utf8(error.as_bytes(), offset, file)] }
    })
}

/// The problem of the invalid byte at `offset` (everything before it is valid UTF-8).
fn not_utf8(bytes: &[u8], offset: usize, file: &str) -> Problem {
    let before = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = bytes[offset..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| offset + i);
    let source_line = String::from_utf8_lossy(&bytes[line_start..line_end]).trim_end_matches('\r').to_owned();
    Problem {
        location: Location {
            file: file.to_owned(),
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        },
        field: "(encoding)".to_owned(),
        message: format!("the byte 0x{:02X} at byte offset {offset} is not UTF-8", bytes[offset]),
        hint: Some(
            "save the file as UTF-8 (in a Latin-1 or Windows-1252 file an accented letter is one such byte; \
             `iconv -f WINDOWS-1252 -t UTF-8 FILE` converts it)"
                .to_owned(),
        ),
        source_line,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_first_invalid_byte_is_named_by_line_column_and_offset() {
        let bytes = b"id,name\nE01,Ren\xe9e \xff Dupont\n".to_vec();
        let problems = super::text_of(bytes, "panel.csv").unwrap_err();
        let problem = &problems.problems[0];
        assert_eq!(problems.problems.len(), 1);
        assert_eq!(problem.location.to_string(), "panel.csv:2:8");
        assert_eq!(problem.message, "the byte 0xE9 at byte offset 15 is not UTF-8");
        assert_eq!(problem.source_line, "E01,Ren\u{fffd}e \u{fffd} Dupont");
    }

    #[test]
    fn columns_count_characters_before_the_byte() {
        let bytes = "题目 = \"".bytes().chain([0xC3, b'"', b'\n']).collect();
        let problem = &super::text_of(bytes, "s.toml").unwrap_err().problems[0];
        assert_eq!((problem.location.line, problem.location.column), (1, 7), "a truncated sequence");
        assert!(problem.message.contains("0xC3 at byte offset 10"), "{}", problem.message);
    }

    #[test]
    fn valid_text_passes_unchanged() {
        assert_eq!(super::text_of("题 é\r\n".as_bytes().to_vec(), "f").unwrap(), "题 é\r\n");
    }
}
