//! Drawings for figures, built shape by shape. The only way to make an [`Svg`]: every text
//! in it is escaped and every number and colour is written by this module, so a figure can
//! carry no markup of the caller's.

use std::fmt::Write as _;

use crate::escape::push_html;

/// A grey from black (`Grey(0)`) to white (`Grey(255)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grey(pub u8);

impl Grey {
    /// Black.
    pub const BLACK: Self = Self(0);

    fn write(self, out: &mut String) {
        let v = self.0;
        // the three-digit form where it says the same (#888 for #888888)
        if v >> 4 == v & 0xf {
            let _ = write!(out, "#{:x}{:x}{:x}", v & 0xf, v & 0xf, v & 0xf);
        } else {
            let _ = write!(out, "#{v:02x}{v:02x}{v:02x}");
        }
    }
}

/// How a line or an outline is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stroke {
    colour: Grey,
    width: Option<f64>,
    dash: Option<(f64, f64)>,
}

impl Stroke {
    /// A solid line one unit wide.
    pub fn new(colour: Grey) -> Self {
        Self { colour, width: None, dash: None }
    }

    /// The same line, `width` wide.
    #[must_use]
    pub fn width(mut self, width: f64) -> Self {
        self.width = Some(width);
        self
    }

    /// The same line, dashed: `on` drawn, `off` left out.
    #[must_use]
    pub fn dashed(mut self, on: f64, off: f64) -> Self {
        self.dash = Some((on, off));
        self
    }

    fn write(self, out: &mut String) {
        out.push_str(" stroke=\"");
        self.colour.write(out);
        out.push('"');
        if let Some(w) = self.width {
            let _ = write!(out, " stroke-width=\"{}\"", Num(w));
        }
        if let Some((on, off)) = self.dash {
            let _ = write!(out, " stroke-dasharray=\"{} {}\"", Num(on), Num(off));
        }
    }
}

/// A text's weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Weight {
    /// Regular.
    #[default]
    Regular,
    /// Bold.
    Bold,
}

/// A number as a coordinate: at most one decimal, none when it is whole.
struct Num(f64);

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = format!("{:.1}", self.0);
        let s = s.strip_suffix(".0").unwrap_or(&s);
        f.write_str(if s == "-0" { "0" } else { s })
    }
}

/// A drawing `width` × `height` units, shapes in the order drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Svg {
    width: f64,
    height: f64,
    shapes: String,
}

impl Svg {
    /// An empty drawing.
    pub fn new(width: f64, height: f64) -> Self {
        Self { width, height, shapes: String::new() }
    }

    /// A rectangle, filled (`None`: not) and outlined (`None`: not).
    pub fn rect(&mut self, x: f64, y: f64, width: f64, height: f64, fill: Option<Grey>, stroke: Option<Stroke>) {
        let _ = write!(
            self.shapes,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"",
            Num(x),
            Num(y),
            Num(width),
            Num(height)
        );
        match fill {
            Some(g) => g.write(&mut self.shapes),
            None => self.shapes.push_str("none"),
        }
        self.shapes.push('"');
        if let Some(s) = stroke {
            s.write(&mut self.shapes);
        }
        self.shapes.push_str("/>");
    }

    /// A line from (x1, y1) to (x2, y2).
    pub fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: Stroke) {
        let _ =
            write!(self.shapes, "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"", Num(x1), Num(y1), Num(x2), Num(y2));
        stroke.write(&mut self.shapes);
        self.shapes.push_str("/>");
    }

    /// A filled circle.
    pub fn circle(&mut self, cx: f64, cy: f64, r: f64, fill: Grey) {
        let _ = write!(self.shapes, "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"", Num(cx), Num(cy), Num(r));
        fill.write(&mut self.shapes);
        self.shapes.push_str("\"/>");
    }

    /// A text whose baseline starts at (x, y).
    pub fn text(&mut self, x: f64, y: f64, text: &str, weight: Weight) {
        let _ = write!(self.shapes, "<text x=\"{}\" y=\"{}\"", Num(x), Num(y));
        if weight == Weight::Bold {
            self.shapes.push_str(" font-weight=\"bold\"");
        }
        self.shapes.push('>');
        push_html(&mut self.shapes, text);
        self.shapes.push_str("</text>");
    }

    /// The drawing as an `<svg>` element.
    pub(crate) fn write(&self, out: &mut String) {
        let (w, h) = (Num(self.width), Num(self.height));
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\">{}</svg>",
            self.shapes
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_written_with_short_numbers_and_greys() {
        let mut svg = Svg::new(320.0, 14.0 * 6.5);
        svg.rect(30.0, 16.0, 45.26, 10.0, Some(Grey(0x28)), Some(Stroke::new(Grey(0x28)).width(0.5)));
        svg.line((1.0, 2.0), (3.0, 4.0), Stroke::new(Grey(0x88)).dashed(4.0, 3.0));
        svg.circle(-0.0, 0.04, 4.0, Grey::BLACK);
        let mut out = String::new();
        svg.write(&mut out);
        assert_eq!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\"91\" viewBox=\"0 0 320 91\" role=\"img\">\
<rect x=\"30\" y=\"16\" width=\"45.3\" height=\"10\" fill=\"#282828\" stroke=\"#282828\" stroke-width=\"0.5\"/>\
<line x1=\"1\" y1=\"2\" x2=\"3\" y2=\"4\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>\
<circle cx=\"0\" cy=\"0\" r=\"4\" fill=\"#000\"/></svg>"
        );
    }

    #[test]
    fn texts_in_a_drawing_are_escaped() {
        let mut svg = Svg::new(10.0, 10.0);
        svg.text(0.0, 9.0, "</svg><script>x</script>\u{202E}&", Weight::Bold);
        let mut out = String::new();
        svg.write(&mut out);
        assert!(
            out.contains(
                "<text x=\"0\" y=\"9\" font-weight=\"bold\">&lt;/svg&gt;&lt;script&gt;x&lt;/script&gt;&amp;</text>"
            ),
            "{out}"
        );
        roxmltree::Document::parse(&out).unwrap();
    }
}
