//! `delphi completions` and `delphi man` as a user installs them: each completion script is
//! loaded by the real shell (bash, zsh, fish), which must then complete delphi's subcommands;
//! the man page is rendered by the real `man` and names them.

use std::path::Path;
use std::process::Command;

use crate::util::binary;

/// `delphi args`' standard output; it must succeed.
fn printed(args: &[&str]) -> String {
    let out = binary().args(args).output().unwrap();
    assert!(out.status.success(), "delphi {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Runs `script` in `shell` with nothing of the user's own setup, in `dir`; its output.
fn shell(dir: &Path, shell: &str, args: &[&str], script: &str) -> String {
    let out = Command::new(shell)
        .args(args)
        .arg(script)
        .current_dir(dir)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join(".config"))
        .env("XDG_DATA_HOME", dir.join(".local/share"))
        .output()
        .unwrap_or_else(|e| panic!("{shell} must be installed (apt-get install {shell}): {e}"));
    assert!(
        out.status.success(),
        "{shell} {script}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The completion script for `name`, written where its help says to put it, in `dir`.
fn install(dir: &Path, name: &str, file: &str) -> std::path::PathBuf {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, printed(&["completions", name])).unwrap();
    path
}

#[test]
fn bash_loads_the_script_and_completes_subcommands() {
    let dir = tempfile::tempdir().unwrap();
    let script = install(dir.path(), "bash", ".local/share/bash-completion/completions/delphi");
    // What bash does on <TAB> after `delphi in`: call the registered function with the words.
    let out = shell(
        dir.path(),
        "bash",
        &["--norc", "--noprofile", "-c"],
        &format!(
            "source '{}'; complete -p delphi; \
             COMP_WORDS=(delphi in); COMP_CWORD=1; COMP_LINE='delphi in'; COMP_POINT=9; \
             $(complete -p delphi | sed -E 's/.*-F ([^ ]+).*/\\1/') delphi in delphi; echo \"words: ${{COMPREPLY[*]}}\"; \
             COMP_WORDS=(delphi round op); COMP_CWORD=2; COMP_LINE='delphi round op'; COMP_POINT=15; \
             $(complete -p delphi | sed -E 's/.*-F ([^ ]+).*/\\1/') delphi op round; echo \"round: ${{COMPREPLY[*]}}\"",
            script.display()
        ),
    );
    assert!(out.lines().next().is_some_and(|l| l.starts_with("complete ") && l.ends_with(" delphi")), "{out}");
    let words = out.lines().find_map(|l| l.strip_prefix("words: ")).expect("a completion of `delphi in`");
    let mut words: Vec<&str> = words.split_whitespace().collect();
    words.sort_unstable();
    assert_eq!(words, ["ingest", "init", "invite"], "{out}");
    let round = out.lines().find_map(|l| l.strip_prefix("round: ")).expect("a completion of `delphi round op`");
    assert_eq!(round.trim(), "open", "{out}");
}

#[test]
fn zsh_loads_the_script_and_registers_the_completion() {
    let dir = tempfile::tempdir().unwrap();
    install(dir.path(), "zsh", ".zfunc/_delphi");
    // As its help says: the folder on fpath, then compinit finds `_delphi` for `delphi`.
    let out = shell(
        dir.path(),
        "zsh",
        &["-f", "-c"],
        "fpath=(~/.zfunc $fpath); autoload -Uz compinit; compinit -u -d ~/.zcompdump; \
         print -r -- \"registered: $_comps[delphi]\"; autoload +X _delphi; \
         print -r -- \"function: $(whence -w _delphi)\"; functions _delphi",
    );
    assert!(out.contains("registered: _delphi"), "compinit maps delphi to _delphi: {out}");
    assert!(out.contains("function: _delphi: function"), "{out}");
    for subcommand in ["invite", "ingest", "remind", "serve", "completions"] {
        assert!(out.contains(&format!("'{subcommand}:")), "the loaded function offers `{subcommand}`");
    }
}

#[test]
fn fish_loads_the_script_and_completes_subcommands() {
    let dir = tempfile::tempdir().unwrap();
    install(dir.path(), "fish", ".config/fish/completions/delphi.fish");
    // Installed where its help says, fish loads the file by itself the first time `delphi` is
    // completed; with delphi on PATH as an installed binary is.
    let bin = Path::new(env!("CARGO_BIN_EXE_delphi")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("fish")
        .args(["-c", "complete -C 'delphi '; echo =====; complete -C 'delphi round '"])
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join(".config"))
        .env("XDG_DATA_HOME", dir.path().join(".local/share"))
        .env("PATH", path)
        .output()
        .expect("fish must be installed (apt-get install fish)");
    let out = String::from_utf8_lossy(&out.stdout);
    let (top, round) = out.split_once("=====\n").expect("both completions");
    let names = |list: &str| -> Vec<String> {
        list.lines().map(|l| l.split('\t').next().unwrap_or_default().to_owned()).collect()
    };
    let top = names(top);
    for subcommand in ["init", "invite", "ingest", "remind", "round", "serve", "report", "completions", "man"] {
        assert!(top.iter().any(|n| n == subcommand), "`delphi <TAB>` offers {subcommand}: {top:?}");
    }
    let round = names(round);
    for subcommand in ["open", "close", "extend", "links"] {
        assert!(round.iter().any(|n| n == subcommand), "`delphi round <TAB>` offers {subcommand}: {round:?}");
    }
    assert!(!round.iter().any(|n| n == "invite"), "only round's own subcommands after `round`: {round:?}");
}

#[test]
fn an_unknown_shell_is_refused_with_the_ones_supported() {
    let out = binary().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a wrong command line");
    let error = String::from_utf8_lossy(&out.stderr);
    assert!(
        error.contains("tcsh") && error.contains("bash") && error.contains("zsh") && error.contains("fish"),
        "{error}"
    );
}

#[test]
fn the_man_page_renders_and_names_the_subcommands() {
    let page = printed(&["man"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("delphi.1");
    std::fs::write(&file, &page).unwrap();
    let out = Command::new("man")
        .arg("-l")
        .arg(&file)
        .env("MANWIDTH", "100")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .output();
    let text = match out {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        _ => {
            let out =
                Command::new("groff").args(["-man", "-Tutf8"]).arg(&file).output().expect("groff or man installed");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8_lossy(&out.stdout).into_owned()
        }
    };
    // groff marks bold with backspaces when the output is not a terminal: read it plain.
    let plain: String = strip_overstrike(&text);
    assert!(plain.contains("NAME") && plain.contains("delphi"), "{plain}");
    for subcommand in ["delphi-init", "delphi-invite", "delphi-ingest", "delphi-round", "delphi-completions"] {
        assert!(plain.contains(subcommand), "the page names {subcommand}: {plain}");
    }
}

#[test]
fn man_out_writes_a_page_per_subcommand_that_man_finds_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let man1 = dir.path().join("share/man/man1");
    let said = printed(&["man", "--out", man1.to_str().unwrap()]);
    assert!(said.contains("manual pages written to"), "{said}");
    for name in ["delphi", "delphi-invite", "delphi-round", "delphi-round-open", "delphi-panel-import"] {
        assert!(man1.join(format!("{name}.1")).is_file(), "{name}.1 written");
    }
    assert!(!man1.join("delphi-help.1").exists(), "no page for clap's `help`");
    // `man -M DIR delphi-round-open` finds the page as an installed one is found.
    let out = Command::new("man")
        .args(["-M", dir.path().join("share/man").to_str().unwrap(), "delphi-round-open"])
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .output()
        .expect("man installed");
    let text = strip_overstrike(&String::from_utf8_lossy(&out.stdout));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("--deadline") && text.contains("--days"), "the page of `round open` shows its flags: {text}");
}

/// Text as printed, without `x\bx` bold and `_\bx` underline.
fn strip_overstrike(text: &str) -> String {
    let mut out: Vec<char> = Vec::new();
    for c in text.chars() {
        if c == '\u{8}' {
            out.pop();
        } else {
            out.push(c);
        }
    }
    out.into_iter().collect()
}
