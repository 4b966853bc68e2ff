//! Validation problems: what is wrong, where, and how to fix it.

use std::fmt;
use std::ops::Range;

/// A place in a source file, 1-based.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// The file, as the caller named it.
    pub file: String,
    /// The line, counted from 1.
    pub line: usize,
    /// The column in characters (not bytes), counted from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One thing wrong with a study or panel file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where in the file it is.
    pub location: Location,
    /// The field, as a path into the file (`domains[2].title.zh`, `email`).
    pub field: String,
    /// What is wrong, in a sentence.
    pub message: String,
    /// How to fix it, when the tool can tell.
    pub hint: Option<String>,
    /// The source line the problem is on, for display.
    pub source_line: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.location, self.field, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// Every problem found in one file, in the order of their position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} has {} problem{}", .file, .problems.len(), if .problems.len() == 1 { "" } else { "s" })]
pub struct Problems {
    /// The file, as the caller named it.
    pub file: String,
    /// The problems, by position.
    pub problems: Vec<Problem>,
}

impl Problems {
    /// Each problem, by position.
    pub fn iter(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter()
    }
}

/// Collects problems against one source text and turns byte spans into lines and columns.
#[derive(Debug)]
pub(crate) struct ProblemSink<'s> {
    file: &'s str,
    source: &'s str,
    problems: Vec<Problem>,
}

impl<'s> ProblemSink<'s> {
    pub(crate) fn new(file: &'s str, source: &'s str) -> Self {
        Self { file, source, problems: Vec::new() }
    }

    pub(crate) fn report(
        &mut self,
        span: Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let (line, column, source_line) = line_and_column(self.source, span.start);
        self.push(line, column, source_line, field, message, hint);
    }

    /// A problem located by line and column directly (CSV records).
    pub(crate) fn report_at(
        &mut self,
        line: usize,
        column: usize,
        field: impl Into<String>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let source_line = self.source.lines().nth(line.saturating_sub(1)).unwrap_or_default().to_owned();
        self.push(line, column, source_line, field, message, hint);
    }

    fn push(
        &mut self,
        line: usize,
        column: usize,
        source_line: String,
        field: impl Into<String>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        self.problems.push(Problem {
            location: Location { file: self.file.to_owned(), line, column },
            field: field.into(),
            message: message.into(),
            hint,
            source_line,
        });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    pub(crate) fn source(&self) -> &'s str {
        self.source
    }

    /// The result of a check: the value when nothing was reported, else every problem in
    /// file order. A check that built nothing yet reported nothing is a bug in the check,
    /// and is still reported rather than passed off as success.
    pub(crate) fn finish<T>(mut self, value: Option<T>) -> Result<T, Problems> {
        match value {
            Some(value) if self.problems.is_empty() => Ok(value),
            _ => {
                if self.problems.is_empty() {
                    self.report(0..0, "(file)", "the file could not be read as a whole", None);
                }
                self.problems.sort_by(|a, b| a.location.cmp(&b.location));
                Err(Problems { file: self.file.to_owned(), problems: self.problems })
            }
        }
    }
}

/// 1-based line and column (in characters) of a byte offset, and the text of that line.
/// Public for the other files the tool reads with spans (the CLI's settings file).
pub fn line_and_column(source: &str, offset: usize) -> (usize, usize, String) {
    let offset = offset.min(source.len());
    let before = &source[..floor_char_boundary(source, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    let line_text = source[line_start..].lines().next().unwrap_or_default().to_owned();
    (line, column, line_text)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo:
/// a few edits away (a swap of neighbours counts as one), or one is a prefix of the other.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let is_prefix = |c: &str| c.len() >= 3 && word.len() >= 3 && (word.starts_with(c) || c.starts_with(word));
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= (c.chars().count() / 3).max(1) || is_prefix(c))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

/// Optimal string alignment distance: insertions, deletions, substitutions and
/// transpositions of adjacent characters each cost one.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0_usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters_not_bytes() {
        let source = "a = 1\n题 = \"x\"\nb";
        let offset = source.find('=').map(|_| source.rfind('=').unwrap_or(0)).unwrap_or(0);
        assert_eq!(line_and_column(source, offset), (2, 3, "题 = \"x\"".to_owned()));
        assert_eq!(line_and_column(source, source.len()).0, 3);
        assert_eq!(line_and_column(source, 0), (1, 1, "a = 1".to_owned()));
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(did_you_mean("scael", ["scale", "prompt"]), Some("did you mean `scale`?".into()));
        assert_eq!(did_you_mean("zzzz", ["scale", "prompt"]), None);
        assert_eq!(did_you_mean("xx", ["en", "zh"]), None, "two-letter codes are all two edits apart");
        assert_eq!(did_you_mean("iqr_maximum", ["iqr_max", "dont_know"]), Some("did you mean `iqr_max`?".into()));
        assert_eq!(edit_distance("ab", "ba"), 1);
    }
}
