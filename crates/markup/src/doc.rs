//! The document tree. Texts are stored as written; encoders escape them.

use crate::svg::Svg;

/// A whole page: blocks in reading order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// The blocks.
    pub blocks: Vec<Block>,
}

impl Document {
    /// An empty document.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a block.
    pub fn push(&mut self, block: impl Into<Block>) {
        self.blocks.push(block.into());
    }
}

impl Extend<Block> for Document {
    fn extend<I: IntoIterator<Item = Block>>(&mut self, blocks: I) {
        self.blocks.extend(blocks);
    }
}

/// A block of a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading.
    Heading(Heading),
    /// A paragraph of running text.
    Paragraph(Vec<Inline>),
    /// Small print under or beside something else: how to read a table, what was left out.
    Note(Vec<Inline>),
    /// Something the reader must not miss (e.g. that a font was missing).
    Notice(Vec<Inline>),
    /// A table.
    Table(Table),
    /// A bulleted list, one item per entry.
    List(Vec<Vec<Inline>>),
    /// A drawing, with what text formats show instead.
    Figure(Figure),
    /// Text shown as it is, in a fixed-width font, lines kept.
    Verbatim(String),
    /// Blocks that belong together, which other parts of the document can link to.
    Section(Section),
}

/// The blocks a text format shows, in order: sections opened up, figures replaced by their
/// fallback.
pub(crate) fn text_blocks(list: &[Block]) -> Vec<&Block> {
    let mut out = Vec::new();
    for b in list {
        match b {
            Block::Section(s) => out.extend(text_blocks(&s.blocks)),
            Block::Figure(f) => out.extend(text_blocks(&f.fallback)),
            b => out.push(b),
        }
    }
    out
}

impl From<Heading> for Block {
    fn from(h: Heading) -> Self {
        Self::Heading(h)
    }
}

impl From<Table> for Block {
    fn from(t: Table) -> Self {
        Self::Table(t)
    }
}

impl From<Figure> for Block {
    fn from(f: Figure) -> Self {
        Self::Figure(f)
    }
}

impl From<Section> for Block {
    fn from(s: Section) -> Self {
        Self::Section(s)
    }
}

/// A heading of level 1 (the title) to 6.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    level: u8,
    /// Where links to it lead.
    pub anchor: Option<Anchor>,
    /// Its words.
    pub content: Vec<Inline>,
}

impl Heading {
    /// A heading of `level`, held to 1–6.
    pub fn new(level: u8, content: impl IntoInlines) -> Self {
        Self { level: level.clamp(1, 6), anchor: None, content: content.into_inlines() }
    }

    /// The same heading, as the target of links to `anchor`.
    #[must_use]
    pub fn with_anchor(mut self, anchor: Anchor) -> Self {
        self.anchor = Some(anchor);
        self
    }

    /// 1 to 6.
    pub fn level(&self) -> u8 {
        self.level
    }
}

/// Blocks that belong together; with an anchor, a target of links.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Section {
    /// Where links to it lead.
    pub anchor: Option<Anchor>,
    /// Its blocks.
    pub blocks: Vec<Block>,
}

/// How a column's cells are aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    /// Left (text).
    #[default]
    Left,
    /// Right (figures).
    Right,
    /// Centred.
    Centre,
}

/// A table: a header row, rows of as many cells, an optional caption.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    caption: Option<Vec<Inline>>,
    header: Vec<Vec<Inline>>,
    align: Vec<Align>,
    rows: Vec<Vec<Vec<Inline>>>,
}

impl Table {
    /// A table with these column headings, every column left-aligned.
    pub fn new<H: IntoInlines>(header: impl IntoIterator<Item = H>) -> Self {
        let header: Vec<Vec<Inline>> = header.into_iter().map(IntoInlines::into_inlines).collect();
        let align = vec![Align::Left; header.len()];
        Self { caption: None, header, align, rows: Vec::new() }
    }

    /// The same table with a caption.
    #[must_use]
    pub fn with_caption(mut self, caption: impl IntoInlines) -> Self {
        self.caption = Some(caption.into_inlines());
        self
    }

    /// The same table with column `column` aligned `align` (a column it does not have: no change).
    #[must_use]
    pub fn with_align(mut self, column: usize, align: Align) -> Self {
        if let Some(a) = self.align.get_mut(column) {
            *a = align;
        }
        self
    }

    /// Appends a row.
    ///
    /// # Panics
    /// When the row has not one cell per column: a table whose rows do not line up with its
    /// header would put figures under the wrong heading.
    pub fn push_row<C: IntoInlines>(&mut self, cells: impl IntoIterator<Item = C>) {
        let cells: Vec<Vec<Inline>> = cells.into_iter().map(IntoInlines::into_inlines).collect();
        assert_eq!(
            cells.len(),
            self.header.len(),
            "a row of {} cells in a table of {} columns",
            cells.len(),
            self.header.len()
        );
        self.rows.push(cells);
    }

    /// The same table with `rows` appended (see [`Table::push_row`]).
    #[must_use]
    pub fn with_rows<R: IntoIterator<Item = C>, C: IntoInlines>(mut self, rows: impl IntoIterator<Item = R>) -> Self {
        for row in rows {
            self.push_row(row);
        }
        self
    }

    /// The caption.
    pub fn caption(&self) -> Option<&[Inline]> {
        self.caption.as_deref()
    }

    /// The column headings.
    pub fn header(&self) -> &[Vec<Inline>] {
        &self.header
    }

    /// Each column's alignment.
    pub fn align(&self) -> &[Align] {
        &self.align
    }

    /// The rows, each with one cell per column.
    pub fn rows(&self) -> &[Vec<Vec<Inline>>] {
        &self.rows
    }
}

/// A drawing with an optional caption, and what formats without pictures show instead: a
/// table of the same numbers, or nothing where the numbers follow anyway.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The caption (HTML shows it above the drawing).
    pub caption: Option<Vec<Inline>>,
    /// The drawing.
    pub svg: Svg,
    /// What Markdown and plain text show instead.
    pub fallback: Vec<Block>,
}

/// A part of running text.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    /// Text as written.
    Text(String),
    /// Content in a style, with an optional class and hint (see [`Span`]).
    Span(Span),
    /// Code or a drawing in characters, fixed width.
    Code(String),
    /// A link to an anchor of the same document.
    Link {
        /// The anchor.
        to: Anchor,
        /// The words linked.
        content: Vec<Inline>,
    },
    /// A line break within a paragraph or list item (a space in a table cell or heading).
    Break,
}

/// How a span of text looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    /// As the text around it.
    #[default]
    Plain,
    /// Strong importance.
    Strong,
    /// Emphasis.
    Emphasis,
    /// What is not there: a figure left undefined, a group suppressed.
    Muted,
}

/// Content in a style, with a class (an HTML class, for a stylesheet) and a hint shown on
/// pointing (an HTML title). Text formats show the style and the content, not the class or hint.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Span {
    /// The style.
    pub style: Style,
    /// The class.
    pub class: Option<Class>,
    /// The hint.
    pub hint: Option<String>,
    /// The content.
    pub content: Vec<Inline>,
}

impl Inline {
    /// Text.
    pub fn text(s: impl Into<String>) -> Self {
        Self::Text(s.into())
    }

    fn styled(style: Style, content: impl IntoInlines) -> Self {
        Self::Span(Span { style, class: None, hint: None, content: content.into_inlines() })
    }

    /// Strong text.
    pub fn strong(content: impl IntoInlines) -> Self {
        Self::styled(Style::Strong, content)
    }

    /// Emphasised text.
    pub fn emphasis(content: impl IntoInlines) -> Self {
        Self::styled(Style::Emphasis, content)
    }

    /// Muted text: what is not there.
    pub fn muted(content: impl IntoInlines) -> Self {
        Self::styled(Style::Muted, content)
    }

    /// Plain content, to carry a class or hint.
    pub fn plain(content: impl IntoInlines) -> Self {
        Self::styled(Style::Plain, content)
    }

    /// The same inline with a class (a span around it, unless it is a span).
    #[must_use]
    pub fn with_class(self, class: Class) -> Self {
        let mut span = self.into_span();
        span.class = Some(class);
        Self::Span(span)
    }

    /// The same inline with a hint (a span around it, unless it is a span).
    #[must_use]
    pub fn with_hint(self, hint: impl Into<String>) -> Self {
        let mut span = self.into_span();
        span.hint = Some(hint.into());
        Self::Span(span)
    }

    fn into_span(self) -> Span {
        match self {
            Self::Span(s) => s,
            other => Span { content: vec![other], ..Span::default() },
        }
    }
}

impl From<&str> for Inline {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}

impl From<String> for Inline {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<&String> for Inline {
    fn from(s: &String) -> Self {
        Self::Text(s.clone())
    }
}

/// What can stand where inlines are expected: a text, one inline, or several.
pub trait IntoInlines {
    /// The inlines.
    fn into_inlines(self) -> Vec<Inline>;
}

impl IntoInlines for Vec<Inline> {
    fn into_inlines(self) -> Vec<Inline> {
        self
    }
}

impl<const N: usize> IntoInlines for [Inline; N] {
    fn into_inlines(self) -> Vec<Inline> {
        self.into()
    }
}

impl IntoInlines for Inline {
    fn into_inlines(self) -> Vec<Inline> {
        vec![self]
    }
}

impl IntoInlines for &str {
    fn into_inlines(self) -> Vec<Inline> {
        vec![self.into()]
    }
}

impl IntoInlines for String {
    fn into_inlines(self) -> Vec<Inline> {
        vec![self.into()]
    }
}

impl IntoInlines for &String {
    fn into_inlines(self) -> Vec<Inline> {
        vec![self.into()]
    }
}

/// A style name (an HTML class): lower-case ASCII letters, digits and `-`, starting with a
/// letter. Made from a constant, so a bad name fails the build, not a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Class(&'static str);

impl Class {
    /// The class `name`.
    ///
    /// # Panics
    /// When `name` is not a class name (at compile time in a `const`).
    pub const fn new(name: &'static str) -> Self {
        assert!(is_name(name.as_bytes()), "a class name is lower-case ASCII letters, digits and '-'");
        Self(name)
    }

    /// The name.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

const fn is_name(b: &[u8]) -> bool {
    if b.is_empty() || !b[0].is_ascii_lowercase() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if !(b[i].is_ascii_lowercase() || b[i].is_ascii_digit() || b[i] == b'-') {
            return false;
        }
        i += 1;
    }
    true
}

/// The target of a link: lower-case ASCII letters, digits and `-`, starting with a letter, so
/// that it needs no escaping in any format.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Anchor(String);

/// A name that cannot be an anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorError(pub String);

impl std::fmt::Display for AnchorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} is not an anchor: use lower-case ASCII letters, digits and '-', starting with a letter", self.0)
    }
}

impl std::error::Error for AnchorError {}

impl Anchor {
    /// The anchor `name`, if it is one.
    ///
    /// # Errors
    /// When `name` holds anything but lower-case ASCII letters, digits and `-`, or does not
    /// start with a letter.
    pub fn new(name: &str) -> Result<Self, AnchorError> {
        if is_name(name.as_bytes()) { Ok(Self(name.to_owned())) } else { Err(AnchorError(name.to_owned())) }
    }

    /// An anchor made of `prefix` and any id (a study's item or domain id): letters lowered,
    /// runs of anything else one `-`.
    pub fn derived(prefix: &'static str, id: &str) -> Self {
        let mut name = format!("{}-", Class::new(prefix).as_str());
        for c in id.chars() {
            if c.is_ascii_alphanumeric() {
                name.push(c.to_ascii_lowercase());
            } else if !name.ends_with('-') {
                name.push('-');
            }
        }
        while name.ends_with('-') {
            name.pop();
        }
        Self(name)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_hold_only_safe_characters() {
        assert_eq!(Anchor::new("domain-verification").unwrap().as_str(), "domain-verification");
        for bad in ["", "1a", "a b", "a\"b", "A", "a<b"] {
            assert!(Anchor::new(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Anchor::derived("item", "Verification.Risk_harm \"x\"").as_str(), "item-verification-risk-harm-x");
        assert_eq!(Anchor::derived("d", "验证").as_str(), "d");
    }

    #[test]
    #[should_panic(expected = "a row of 1 cells in a table of 2 columns")]
    fn a_row_must_line_up_with_the_header() {
        Table::new(["a", "b"]).push_row(["x"]);
    }
}
