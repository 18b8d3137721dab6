//! `garbled check` run as a user would, with the embedded English model.

mod util;

use serde::Deserialize;
use util::Dir;

/// The JSON contract, defined here (not with the library's types) so that a change to
/// the wire format breaks this test.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    path: String,
    tokens: u64,
    score: f64,
    perplexity: f64,
    flags: Vec<Flag>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Flag {
    start: usize,
    end: usize,
    token: String,
    score: f64,
    kind: String,
    suggestions: Vec<Suggestion>,
    /// Only on real-word flags next to other real-word flags.
    #[serde(default)]
    phrase: Option<Phrase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Phrase {
    start: usize,
    end: usize,
    text: String,
    suggestion: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Suggestion {
    #[allow(dead_code)]
    text: String,
    score: f64,
}

fn reports(stdout: &str) -> Vec<Report> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

/// The report of `garbled check --format json ARGS...` on one file.
fn check_one(dir: &Dir, args: &[&str]) -> Report {
    let args: Vec<&str> = ["check", "--format", "json"]
        .iter()
        .chain(args)
        .copied()
        .collect();
    reports(&dir.run(&args).success().stdout()).swap_remove(0)
}

/// Each flag's token, kind and best suggestion, in order.
fn flagged(r: &Report) -> Vec<[String; 3]> {
    r.flags
        .iter()
        .map(|f| {
            [
                f.token.clone(),
                f.kind.clone(),
                f.suggestions[0].text.clone(),
            ]
        })
        .collect()
}

/// What `check --fix` writes for the file at `path`.
fn fixed(dir: &Dir, path: &str) -> String {
    dir.run(&["check", "--fix", path]).success().stdout()
}

/// Checks `text`, written to a file: its flags (as [`flagged`] gives them) must be
/// `want`, and `--fix` must make `mended` of it. Returns the directory and the file's
/// path for further checks.
fn assert_flagged_and_fixed(text: &str, want: &[[&str; 3]], mended: &str) -> (Dir, String) {
    let dir = Dir::new();
    let path = dir.write("text.txt", text).to_str().unwrap().to_string();
    assert_eq!(flagged(&check_one(&dir, &[&path])), want);
    assert_eq!(fixed(&dir, &path), mended);
    (dir, path)
}

fn example(name: &str) -> String {
    format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn readme_command_flags_the_spun_article() {
    // README: `cargo run --release -- check examples/spun-article.txt`
    let dir = Dir::new();
    let out = dir
        .run(&["check", &example("spun-article.txt")])
        .success()
        .stdout();
    // Not a terminal: JSON by default.
    let r = &reports(&out)[0];
    let text = std::fs::read_to_string(example("spun-article.txt")).unwrap();
    let flagged: Vec<&str> = r.flags.iter().map(|f| f.token.as_str()).collect();
    for damaged in [
        "shelp",
        "consentd",
        "aobtainst",
        "hugegest",
        "rneeting",
        "off1cial",
    ] {
        assert!(
            flagged.contains(&damaged),
            "{damaged} not flagged: {flagged:?}"
        );
    }
    for f in &r.flags {
        assert_eq!(
            &text[f.start..f.end],
            f.token,
            "offsets are UTF-8 byte offsets"
        );
        assert!((0.0..=1.0).contains(&f.score));
        assert!(f.kind == "nonword" || f.kind == "realword", "{f:?}");
        assert!(f.suggestions.iter().all(|s| (0.0..=1.0).contains(&s.score)));
    }
    assert!(r.score > 0.0 && r.score <= 1.0);
    assert!(r.perplexity > 1.0);
    assert_eq!(r.tokens, 350);
}

#[test]
fn clean_news_with_foreign_names_stays_almost_unflagged() {
    let dir = Dir::new();
    let text = "Officials in Zaporizhzhia said on Monday that the plant had lost power again. \
        President Felix Tshisekedi met leaders in Ouagadougou, and UNRWA warned of shortages. \
        Nguyen Van Thanh, a lawyer in Shenzhen, told reporters the ruling was expected soon.";
    let file = dir.write("names.txt", text);
    let out = dir
        .run(&["check", file.to_str().unwrap()])
        .success()
        .stdout();
    let r = &reports(&out)[0];
    let flagged: Vec<&str> = r.flags.iter().map(|f| f.token.as_str()).collect();
    for name in [
        "Zaporizhzhia",
        "Tshisekedi",
        "Ouagadougou",
        "UNRWA",
        "Nguyen",
        "Thanh",
        "Shenzhen",
    ] {
        assert!(!flagged.contains(&name), "{name} flagged: {flagged:?}");
    }
    assert!(r.flags.is_empty(), "clean text flagged: {flagged:?}");
}

#[test]
fn real_word_errors_are_flagged_in_context() {
    let dir = Dir::new();
    let file = dir.write("rw.txt", "He came form the city yesterday.\n");
    let path = file.to_str().unwrap();
    // The flags of `garbled check ARGS... FILE`.
    let flags = |args: &[&str], file: &str| {
        let args: Vec<&str> = ["check"]
            .iter()
            .chain(args)
            .chain([&file])
            .copied()
            .collect();
        let out = dir.run(&args).success().stdout();
        reports(&out).swap_remove(0).flags
    };
    let found = flags(&["--realword-threshold", "0.5"], path);
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0];
    assert_eq!((f.token.as_str(), f.kind.as_str()), ("form", "realword"));
    assert_eq!((f.start, f.end), (8, 12));
    assert_eq!(f.suggestions[0].text, "from");
    assert!(f.suggestions[0].score <= f.score);
    assert!(f.phrase.is_none());
    // Off with --no-context, whatever the threshold.
    let off = flags(&["--realword-threshold", "0.01", "--no-context"], path);
    assert!(off.is_empty(), "{off:?}");
    // Nor on a word the user allows.
    let allow = dir.write("allow.txt", "form\n");
    let allowed = flags(
        &[
            "--realword-threshold",
            "0.5",
            "--allow",
            allow.to_str().unwrap(),
        ],
        path,
    );
    assert!(allowed.is_empty(), "{allowed:?}");
    // The same sentence written right raises nothing at the same threshold.
    let right = dir.write("right.txt", "He came from the city yesterday.\n");
    let clean = flags(&["--realword-threshold", "0.5"], right.to_str().unwrap());
    assert!(clean.is_empty(), "{clean:?}");
}

/// OCR breaks words with a space ("governme nts") and reads letters as look-alikes
/// ("rnernory"): the flag covers the whole broken word and the fix restores it.
#[test]
fn broken_words_and_ocr_look_alikes_are_restored() {
    let dir = Dir::new();
    let text =
        "The governme nts met on Monday, bef ore the vote. Th ey said the rnernory was clear.\n";
    let file = dir.write("ocr.txt", text);
    let path = file.to_str().unwrap();
    let r = &check_one(&dir, &[path]);
    let got: Vec<(&str, &str)> = r
        .flags
        .iter()
        .map(|f| (f.token.as_str(), f.suggestions[0].text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("governme nts", "governments"),
            ("bef ore", "before"),
            ("Th ey", "They"),
            ("rnernory", "memory"),
        ]
    );
    for f in &r.flags {
        assert_eq!(&text[f.start..f.end], f.token);
    }
    assert_eq!(
        fixed(&dir, path),
        "The governments met on Monday, before the vote. They said the memory was clear.\n"
    );
}

/// A word broken into pieces that are words themselves ("o f", "t he") is no non-word:
/// the context check reads it whole, and leaves a pair that is two words ("in to") alone.
#[test]
fn words_broken_into_words_are_read_whole() {
    let (dir, path) = assert_flagged_and_fixed(
        "Most o f the town was taken, a nd that t he army had gone back in to the hills.\n",
        &[
            ["o f", "realword", "of"],
            ["a nd", "realword", "and"],
            ["t he", "realword", "the"],
        ],
        "Most of the town was taken, and that the army had gone back in to the hills.\n",
    );
    // Part of the context check: off with it.
    assert!(check_one(&dir, &["--no-context", &path]).flags.is_empty());
}

/// Words run together ("ofthe") are no words of the default lexicon: flagged and split.
#[test]
fn words_run_together_are_split() {
    assert_flagged_and_fixed(
        "Most ofthe town was taken, and inthe end the army went back.\n",
        &[
            ["ofthe", "nonword", "of the"],
            ["inthe", "nonword", "in the"],
        ],
        "Most of the town was taken, and in the end the army went back.\n",
    );
}

/// A misspelling's corrections are weighed with its neighbours: "peices" after "Food"
/// and before "rose" is "prices", though "pieces" is the commoner word.
#[test]
fn corrections_are_weighed_in_context() {
    let dir = Dir::new();
    let file = dir.write("typos.txt", "Food peices rose again. He has veen there.\n");
    let path = file.to_str().unwrap();
    let best = |r: &Report| -> Vec<String> {
        r.flags
            .iter()
            .map(|f| f.suggestions[0].text.clone())
            .collect()
    };
    assert_eq!(best(&check_one(&dir, &[path])), ["prices", "been"]);
    assert_eq!(
        best(&check_one(&dir, &["--no-context", path])),
        ["pieces", "even"]
    );
}

/// A name the lexicon lacks is the correction of a damaged spelling of it in the same
/// document; alone, nothing proposes it.
#[test]
fn a_name_the_document_spells_right_elsewhere_is_the_correction() {
    let text = "Mayor Dilcia Maradiaga opened the market on Monday. Maradiaga said the \
                stalls would stay open. Critics of Maradiaga say the plan is late, but \
                Marandiaga disagreed.\n";
    assert_flagged_and_fixed(
        text,
        &[["Marandiaga", "nonword", "Maradiaga"]],
        &text.replace("Marandiaga", "Maradiaga"),
    );
    let alone = "Critics say the plan is late, but Marandiaga disagreed.\n";
    let dir = Dir::new();
    let path = dir.write("alone.txt", alone);
    let r = check_one(&dir, &[path.to_str().unwrap()]);
    assert!(flagged(&r).iter().all(|[_, _, best]| best != "Maradiaga"));
}

#[test]
fn single_letters_left_of_short_words_are_restored() {
    // Typing drops a letter of "of", "in" or "it"; "a" stays as it is.
    assert_flagged_and_fixed(
        "The price f oil rose n the city, and a man said t was high.\n",
        &[
            ["f", "realword", "of"],
            ["n", "realword", "in"],
            ["t", "realword", "it"],
        ],
        "The price of oil rose in the city, and a man said it was high.\n",
    );
}

#[test]
fn text_format_marks_flags_and_ends_with_a_summary() {
    let dir = Dir::new();
    let file = dir.write("a.txt", "The minister shelp the plan was ready.\n");
    let out = dir
        .run(&["check", "--format", "text", file.to_str().unwrap()])
        .success()
        .stdout();
    assert!(out.contains("[[shelp"), "{out}");
    assert!(out.contains("a.txt:1:14: shelp"), "{out}");
    let last = out.trim_end().lines().last().unwrap();
    assert!(last.contains("7 words, 1 flagged"), "{last}");
}

#[test]
fn several_files_keep_their_order_and_stdin_works() {
    let dir = Dir::new();
    let names: Vec<String> = (0..6)
        .map(|i| {
            let p = dir.write(
                &format!("f{i}.txt"),
                format!("Document number {i} is clean.\n"),
            );
            p.to_str().unwrap().to_string()
        })
        .collect();
    let mut args = vec!["check", "-j", "2"];
    args.extend(names.iter().map(String::as_str));
    let out = dir.run(&args).success().stdout();
    let paths: Vec<String> = reports(&out).into_iter().map(|r| r.path).collect();
    assert_eq!(paths, names);

    let out = dir
        .run_with_stdin(&["check", "-"], Some(b"Teh cat sat."))
        .success()
        .stdout();
    let r = &reports(&out)[0];
    assert_eq!(r.path, "-");
}

/// A directory argument stands for every file under it, in name order; an empty one is
/// reported, not passed over in silence.
#[test]
fn a_directory_is_checked_file_by_file() {
    let dir = Dir::new();
    std::fs::create_dir_all(dir.path("docs/a")).unwrap();
    dir.write("docs/b.txt", "The minister shelp the plan.\n");
    dir.write("docs/a/c.txt", "Teh plan was ready.\n");
    let docs = dir.path("docs");
    let out = dir
        .run(&["check", docs.to_str().unwrap()])
        .success()
        .stdout();
    let paths: Vec<String> = reports(&out).into_iter().map(|r| r.path).collect();
    let under = |rel: &str| docs.join(rel).display().to_string();
    assert_eq!(paths, [under("a/c.txt"), under("b.txt")]);
    std::fs::create_dir(dir.path("none")).unwrap();
    let run = dir
        .run(&["check", dir.path("none").to_str().unwrap()])
        .success();
    assert!(run.stderr().contains("holds no files"), "{}", run.stderr());
    assert!(run.stdout().is_empty());
}

#[test]
fn empty_input_gives_a_valid_empty_report() {
    let dir = Dir::new();
    let file = dir.write("empty.txt", "");
    let out = dir
        .run(&["check", file.to_str().unwrap()])
        .success()
        .stdout();
    let r = &reports(&out)[0];
    assert_eq!((r.tokens, r.flags.len()), (0, 0));
    assert_eq!(r.score, 0.0);
    assert_eq!(r.perplexity, 1.0);
}

#[test]
fn allow_lists_and_config_files_unflag_words() {
    let dir = Dir::new();
    let file = dir.write("a.txt", "The qwxzorp delegation arrived.\n");
    let f = file.to_str().unwrap();
    let flagged = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["check"];
        all.extend_from_slice(args);
        all.push(f);
        reports(&dir.run(&all).success().stdout())[0]
            .flags
            .iter()
            .map(|f| f.token.clone())
            .collect()
    };
    assert_eq!(flagged(&[]), ["qwxzorp"]);
    dir.write("names.txt", "# our names\nqwxzorp\n");
    assert!(flagged(&["--allow", "names.txt"]).is_empty());
    dir.write("cfg.toml", "words = [\"Qwxzorp\"]\n");
    assert!(flagged(&["--config", "cfg.toml"]).is_empty());
    dir.write(".garbled.toml", "allow = [\"names.txt\"]\n");
    assert!(
        flagged(&[]).is_empty(),
        "./.garbled.toml is read by default"
    );
    dir.write(".garbled.toml", "alow = 1\n");
    dir.run(&["check", f])
        .fails_with(&[".garbled.toml", "alow"]);
}

#[test]
fn fail_on_flags_sets_exit_status_one() {
    let dir = Dir::new();
    let bad = dir.write("bad.txt", "He shelp it.\n");
    let good = dir.write("good.txt", "He said it.\n");
    let run = dir.run(&["check", "--fail-on-flags", bad.to_str().unwrap()]);
    assert_eq!(run.code(), Some(1));
    dir.run(&["check", "--fail-on-flags", good.to_str().unwrap()])
        .success();
}

#[test]
fn threshold_changes_what_is_flagged() {
    let dir = Dir::new();
    let file = dir.write("a.txt", "The minister shelp the plan was ready.\n");
    let f = file.to_str().unwrap();
    let n = |t: &str| {
        reports(&dir.run(&["check", "-t", t, f]).success().stdout())[0]
            .flags
            .len()
    };
    assert_eq!(n("1.0"), 0);
    assert_eq!(n("0.0"), 7, "threshold 0 flags every word");
    dir.run(&["check", "-t", "2", f])
        .fails_with(&["--threshold"]);
}

#[test]
fn bad_inputs_give_one_line_errors() {
    let dir = Dir::new();
    let bin = dir.write("bin.dat", b"abc \xff\xfe\x00\x01 def");
    dir.run(&["check", bin.to_str().unwrap()]).fails_with(&[
        "bin.dat",
        "invalid UTF-8 at byte 4",
        "--lossy",
    ]);
    dir.run(&["check", "--lossy", bin.to_str().unwrap()])
        .success();
    dir.run(&["check", "missing.txt"])
        .fails_with(&["missing.txt"]);
    dir.write("m.bin", "not a model");
    dir.run(&["check", "--model", "m.bin", "missing.txt"])
        .fails_with(&["m.bin", "not a garbled model"]);
}

/// The indented lines under the first line of `out` that contains `header`.
fn section<'a>(out: &'a str, header: &str) -> Vec<&'a str> {
    out.lines()
        .skip_while(|l| !l.contains(header))
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .collect()
}

#[test]
fn explain_shows_per_character_surprisal_and_the_log_odds() {
    let dir = Dir::new();
    let out = dir
        .run(&["check", "--explain", "Pdwellnt"])
        .success()
        .stdout();
    assert!(out.starts_with("Pdwellnt: P(corrupted) = "), "{out}");
    assert!(out.contains("surprisal per symbol"), "{out}");
    assert!(out.contains("</w>"), "{out}");
    // One line per character and one for the word end, after the header.
    assert_eq!(section(&out, "surprisal per symbol").len(), 9, "{out}");
    // The features' terms add up to the log-odds of the probability reported (for a
    // word whose probability is far from 0 and 1, so the sum is tested).
    let out = dir
        .run(&["check", "--explain", "furing"])
        .success()
        .stdout();
    let p: f64 = out["furing: P(corrupted) = ".len()..]
        .split(' ')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a probability");
    let terms = section(&out, "log-odds by feature");
    assert!(terms.iter().any(|t| t.contains("bias")), "{out}");
    let sum: f64 = terms
        .iter()
        .map(|t| t.rsplit('=').next().unwrap().trim().parse::<f64>().unwrap())
        .sum();
    assert!(p > 0.05 && p < 0.95, "{out}");
    let from_terms = 1.0 / (1.0 + (-sum).exp());
    assert!((from_terms - p).abs() < 1e-3, "{from_terms} vs {p}\n{out}");
}

#[test]
fn long_lines_and_large_inputs_are_scored_in_chunks() {
    let dir = Dir::new();
    // 3 MB on one line: more than one chunk, offsets must still be global.
    let mut text = "the council said the plan was ready ".repeat(80_000);
    text.push_str("and then shelp it");
    let file = dir.write("long.txt", &text);
    let r = &reports(
        &dir.run(&["check", file.to_str().unwrap()])
            .success()
            .stdout(),
    )[0];
    assert_eq!(r.tokens, 7 * 80_000 + 4);
    let last = r.flags.last().expect("shelp is flagged");
    assert_eq!(&text[last.start..last.end], "shelp");
}
