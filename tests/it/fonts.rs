//! The CJK font for the Chinese PDF is found where the system's font configuration says fonts
//! are, not at a Debian path: a fontconfig file (`FONTCONFIG_FILE`, as a user or a packager
//! sets it) naming only a folder of the coordinator's own, holding Noto Serif CJK under another
//! file name. Then the same with a folder holding no CJK font: the PDF says so on its first
//! page instead of silently dropping the Chinese text.

use std::path::Path;
use std::process::Command;

use crate::util::bare;

const NOTO_SERIF_CJK: &str = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc";
const MISSING: &str = "No CJK font was available";

/// Runs a one-round demo (English and Chinese reports) with the fonts of `fonts_dir` only;
/// the Chinese PDF.
fn demo_with_fonts_in(root: &Path, fonts_dir: &Path) -> std::path::PathBuf {
    let conf = root.join("fonts.conf");
    std::fs::write(
        &conf,
        format!("<?xml version=\"1.0\"?>\n<fontconfig>\n  <dir>{}</dir>\n</fontconfig>\n", fonts_dir.display()),
    )
    .unwrap();
    let out = bare(root)
        .args(["--data-dir", "data", "demo", "--out", "reports/demo"])
        .args(["--experts", "4", "--rounds", "1", "--blocs", "2", "--seed", "7"])
        .env("FONTCONFIG_FILE", &conf)
        .env_remove("DELPHI_CJK_FONT")
        .output()
        .expect("delphi runs");
    assert!(out.status.success(), "delphi demo: {}", String::from_utf8_lossy(&out.stderr));
    root.join("reports/demo/ai-safety-cooperation/round-1/zh/report.pdf")
}

fn run(program: &str, pdf: &Path, args: &[&str]) -> String {
    let out =
        Command::new(program).args(args).arg(pdf).args(if program == "pdftotext" { &["-"][..] } else { &[] }).output();
    let out = out.unwrap_or_else(|e| panic!("{program} (poppler-utils): {e}"));
    assert!(out.status.success(), "{program} {}", pdf.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_cjk_font_in_a_folder_the_font_configuration_names_sets_the_chinese_pdf() {
    let root = tempfile::tempdir().unwrap();
    let fonts = root.path().join("my fonts");
    std::fs::create_dir(&fonts).unwrap();
    let copy = fonts.join("serif-cjk.ttc");
    if std::fs::hard_link(NOTO_SERIF_CJK, &copy).is_err() {
        std::fs::copy(NOTO_SERIF_CJK, &copy).expect("fonts-noto-cjk is installed");
    }
    let pdf = demo_with_fonts_in(root.path(), &fonts);
    let used = run("pdffonts", &pdf, &[]);
    assert!(used.contains("NotoSerifCJKsc-Regular"), "the Chinese is set in the font found:\n{used}");
    let first_page = run("pdftotext", &pdf, &["-l", "1", "-layout"]);
    assert!(!first_page.contains(MISSING), "{first_page}");
    assert!(first_page.contains("专家"), "the Chinese text is there: {first_page}");
}

#[test]
fn without_a_cjk_font_the_chinese_pdf_says_so_on_its_first_page() {
    let root = tempfile::tempdir().unwrap();
    let fonts = root.path().join("no cjk here");
    std::fs::create_dir(&fonts).unwrap();
    let pdf = demo_with_fonts_in(root.path(), &fonts);
    let used = run("pdffonts", &pdf, &[]);
    assert!(!used.contains("CJK"), "{used}");
    let first_page = run("pdftotext", &pdf, &["-l", "1", "-layout"]);
    assert!(first_page.contains(MISSING), "{first_page}");
}
