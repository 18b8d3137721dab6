//! `garbled flag` run as a user would: feeds with bad records in them, every way in and
//! out, any number of jobs.

mod util;

use std::io::Write;

use serde::Deserialize;
use serde_json::Value;
use util::Dir;

/// The wire format, defined here (not with the library's types) so that a change to
/// it breaks this test.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Out {
    Finding(Finding),
    Failure(Failure),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Finding {
    id: Value,
    line: Option<u64>,
    tokens: u64,
    score: f64,
    perplexity: f64,
    flags: Vec<Flag>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Failure {
    id: Value,
    line: Option<u64>,
    error: String,
    error_kind: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Flag {
    start: usize,
    end: usize,
    token: String,
    score: f64,
    kind: String,
    suggestions: Vec<Value>,
    #[serde(default)]
    phrase: Option<Value>,
}

impl Out {
    fn id(&self) -> &Value {
        match self {
            Out::Finding(f) => &f.id,
            Out::Failure(f) => &f.id,
        }
    }

    fn line(&self) -> Option<u64> {
        match self {
            Out::Finding(f) => f.line,
            Out::Failure(f) => f.line,
        }
    }

    fn error_kind(&self) -> Option<&str> {
        match self {
            Out::Finding(_) => None,
            Out::Failure(f) => Some(&f.error_kind),
        }
    }

    fn error(&self) -> &str {
        match self {
            Out::Finding(f) => panic!("expected an error record, got {f:?}"),
            Out::Failure(f) => &f.error,
        }
    }

    fn finding(&self) -> &Finding {
        match self {
            Out::Finding(f) => f,
            Out::Failure(f) => panic!("expected a finding, got {f:?}"),
        }
    }
}

fn parse(stdout: &str) -> Vec<Out> {
    assert!(
        stdout.is_empty() || stdout.ends_with('\n'),
        "output ends in half a line"
    );
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

/// What kind of record line `i` of a generated feed is, and the error it must give.
fn kind_of(i: usize) -> (&'static str, Option<&'static str>) {
    match i % 50 {
        7 => ("malformed", Some("malformed_json")),
        13 => ("missing", Some("missing_text")),
        19 => ("number", Some("text_not_string")),
        23 => ("null", Some("text_not_string")),
        29 => ("latin1", Some("invalid_utf8")),
        31 => ("empty", None),
        37 => ("blank", Some("blank_line")),
        41 => ("array", Some("not_an_object")),
        43 => ("crlf", None),
        _ => ("good", None),
    }
}

/// Line `i` of a generated feed, with its newline. Texts are short: tests run the
/// debug build.
fn feed_line(i: usize) -> Vec<u8> {
    let line = match kind_of(i).0 {
        "malformed" => format!(r#"{{"id": "r{i}", "text": "unterminated"#),
        "missing" => format!(r#"{{"id": "r{i}", "body": "no text field"}}"#),
        "number" => format!(r#"{{"id": "r{i}", "text": 42}}"#),
        "null" => format!(r#"{{"id": "r{i}", "text": null}}"#),
        "latin1" => {
            let mut l = format!(r#"{{"id": "r{i}", "text": "caf"#).into_bytes();
            l.extend_from_slice(b"\xe9 au lait\"}\n");
            return l;
        }
        "empty" => format!(r#"{{"id": "r{i}", "text": ""}}"#),
        "blank" => String::new(),
        "array" => format!(r#"["r{i}"]"#),
        "crlf" => format!("{{\"id\": \"r{i}\", \"text\": \"Line {i} ends in CRLF.\"}}\r"),
        _ if i % 10 == 0 => {
            format!(r#"{{"id": "r{i}", "text": "Record {i}: he shelp the plan."}}"#)
        }
        _ => format!(r#"{{"id": "r{i}", "text": "Record {i}: the plan was ready."}}"#),
    };
    let mut l = line.into_bytes();
    l.push(b'\n');
    l
}

fn feed(records: usize) -> Vec<u8> {
    (0..records).flat_map(feed_line).collect()
}

/// Checks that `out` has one record per input line, in order, with the right ids and
/// errors. `huge` is the index of a line replaced by a too-large record.
#[track_caller]
fn assert_matches_feed(out: &[Out], records: usize, huge: Option<usize>) {
    assert_eq!(out.len(), records, "one output line per input line");
    for (i, o) in out.iter().enumerate() {
        assert_eq!(o.line(), Some(i as u64 + 1), "{o:?}");
        if Some(i) == huge {
            assert_eq!(o.error_kind(), Some("too_large"), "{o:?}");
            assert!(o.error().ends_with("raise --max-record-bytes"), "{o:?}");
            assert_eq!(
                o.id(),
                &Value::from(format!("r{i}")),
                "the id is read from the head"
            );
            continue;
        }
        let (kind, error) = kind_of(i);
        assert_eq!(o.error_kind(), error, "line {}: {o:?}", i + 1);
        if kind != "blank" && kind != "array" {
            assert_eq!(o.id(), &Value::from(format!("r{i}")), "{o:?}");
        }
        match kind {
            "good" | "crlf" => assert!(o.finding().tokens > 0, "{o:?}"),
            "latin1" => {
                let at = format!(r#"{{"id": "r{i}", "text": "caf"#).len();
                let error = format!("invalid UTF-8 at byte {at} of the record");
                assert!(o.error().starts_with(&error), "{o:?}");
            }
            "empty" => {
                let f = o.finding();
                assert_eq!((f.tokens, f.score, f.perplexity), (0, 0.0, 1.0));
                assert!(f.flags.is_empty());
            }
            _ => {}
        }
        if kind == "good" && i % 10 == 0 {
            let tokens: Vec<&str> = o.finding().flags.iter().map(|f| f.token.as_str()).collect();
            assert_eq!(tokens, ["shelp"], "{o:?}");
        }
    }
}

#[test]
fn a_feed_with_every_kind_of_bad_record_goes_through_whole_and_in_order() {
    let dir = Dir::new();
    let records = 10_200;
    let huge = 5_000;
    let mut data = Vec::new();
    for i in 0..records {
        if i == huge {
            // A 50 MB record: an error record, read past without holding it.
            data.extend_from_slice(format!(r#"{{"id": "r{i}", "text": ""#).as_bytes());
            data.extend("lorem ipsum ".repeat((50 << 20) / 12).into_bytes());
            data.extend_from_slice(b"\"}\n");
        } else {
            data.extend(feed_line(i));
        }
    }
    // The last line has no newline.
    assert_eq!(data.pop(), Some(b'\n'));
    let path = dir.write("feed.jsonl", &data);
    let run = dir
        .run(&["flag", "--input", path.to_str().unwrap(), "-j", "2"])
        .success();
    let out = parse(&run.stdout());
    assert_matches_feed(&out, records, Some(huge));
    let errors = out.iter().filter(|o| o.error_kind().is_some()).count();
    let flagged = out
        .iter()
        .filter(|o| matches!(o, Out::Finding(f) if !f.flags.is_empty()))
        .count();
    let summary = run.stderr();
    assert!(
        summary.starts_with(&format!(
            "garbled flag: {records} records, {flagged} flagged, {errors} errors; "
        )),
        "{summary}"
    );
    assert!(summary.contains(" MB/s, "), "{summary}");
}

#[test]
fn ids_and_order_are_the_same_for_any_number_of_jobs() {
    let dir = Dir::new();
    let records = 400;
    let path = dir.write("feed.jsonl", feed(records));
    let mut outputs = Vec::new();
    // Batches of one record, of a few records, and all in one batch.
    for (jobs, batch) in [("1", "4194304"), ("2", "1"), ("2", "700"), ("3", "700")] {
        let stdout = dir
            .run(&[
                "flag",
                "-i",
                path.to_str().unwrap(),
                "-j",
                jobs,
                "--batch-bytes",
                batch,
            ])
            .success()
            .stdout();
        assert_matches_feed(&parse(&stdout), records, None);
        outputs.push((jobs, batch, stdout));
    }
    for (jobs, batch, out) in &outputs[1..] {
        assert!(
            *out == outputs[0].2,
            "-j {jobs} --batch-bytes {batch} differs from -j 1"
        );
    }
}

#[test]
fn stdin_to_stdout_is_a_filter() {
    let dir = Dir::new();
    let input = feed(120);
    let run = dir
        .run_with_stdin(&["flag", "--quiet"], Some(&input))
        .success();
    assert_matches_feed(&parse(&run.stdout()), 120, None);
    assert_eq!(run.stderr(), "", "--quiet prints nothing on stderr");
}

#[test]
fn gzip_input_is_detected_by_its_magic_bytes() {
    let dir = Dir::new();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&feed(150)).unwrap();
    // Named without .gz: the content decides.
    let path = dir.write("feed.data", gz.finish().unwrap());
    let out = dir
        .run(&["flag", "-i", path.to_str().unwrap(), "-q"])
        .success()
        .stdout();
    assert_matches_feed(&parse(&out), 150, None);
}

#[test]
fn output_file_gets_the_records_and_may_not_be_the_input() {
    let dir = Dir::new();
    let path = dir.write("feed.jsonl", feed(60));
    dir.run(&["flag", "-i", "feed.jsonl", "-o", "out.jsonl", "-q"])
        .success();
    let out = std::fs::read_to_string(dir.path("out.jsonl")).unwrap();
    assert_matches_feed(&parse(&out), 60, None);
    dir.run(&["flag", "-i", "feed.jsonl", "-o", "./feed.jsonl"])
        .fails_with(&["--output", "is the input"]);
    assert_eq!(std::fs::read(&path).unwrap(), feed(60), "input untouched");
    dir.run(&["flag", "-i", "missing.jsonl"])
        .fails_with(&["missing.jsonl"]);
}

#[test]
fn keep_fields_are_carried_through_verbatim() {
    let dir = Dir::new();
    let input = concat!(
        r#"{"id": 1, "text": "He said it.", "url": "http://a", "meta": {"n": [1, 2]}}"#,
        "\n",
        r#"{"id": 2, "text": "He said it."}"#,
        "\n",
        r#"{"id": 3, "text": 5, "url": "http://c"}"#,
        "\n",
    );
    let out = dir
        .run_with_stdin(
            &["flag", "--keep-fields", "url,meta,text", "-q"],
            Some(input.as_bytes()),
        )
        .success()
        .stdout();
    let v: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(v[0]["url"], "http://a");
    assert_eq!(v[0]["meta"], serde_json::json!({"n": [1, 2]}));
    assert_eq!(v[0]["text"], "He said it.");
    assert_eq!(v[0]["tokens"], 3);
    assert!(v[1].get("url").is_none(), "absent fields stay absent");
    assert_eq!(v[2]["url"], "http://c", "error records keep fields too");
    assert_eq!(v[2]["error_kind"], "text_not_string");
    dir.run_with_stdin(&["flag", "--keep-fields", "score"], Some(input.as_bytes()))
        .fails_with(&["--keep-fields", "score"]);
}

#[test]
fn other_field_names() {
    let dir = Dir::new();
    let input = b"{\"doc\": \"a\", \"body\": \"He shelp it.\"}\n";
    let out = dir
        .run_with_stdin(
            &["flag", "--text-field", "body", "--id-field", "doc", "-q"],
            Some(input),
        )
        .success()
        .stdout();
    let f = parse(&out).remove(0);
    assert_eq!(f.id(), "a");
    assert_eq!(f.finding().flags[0].token, "shelp");
}

#[test]
fn min_score_unflags_low_records_and_drop_below_leaves_them_out() {
    let dir = Dir::new();
    let input = concat!(
        r#"{"id": "clean", "text": "The council said the plan was ready."}"#,
        "\n",
        r#"{"id": "spun", "text": "Hx shelp teh qlan wsa rfady."}"#,
        "\n",
        "oops\n",
    );
    let run = |extra: &[&str]| {
        let mut args = vec!["flag", "--min-score", "0.3"];
        args.extend_from_slice(extra);
        let r = dir.run_with_stdin(&args, Some(input.as_bytes())).success();
        (parse(&r.stdout()), r.stderr())
    };
    let (out, _) = run(&["-t", "0"]);
    assert_eq!(out.len(), 3);
    let clean = out[0].finding();
    assert!(clean.score < 0.3 && clean.flags.is_empty(), "{clean:?}");
    assert!(!out[1].finding().flags.is_empty());
    let (out, summary) = run(&["--drop-below"]);
    let ids: Vec<&Value> = out.iter().map(Out::id).collect();
    assert_eq!(
        ids,
        [&Value::from("spun"), &Value::Null],
        "error records are never dropped"
    );
    assert!(
        summary.contains("1 below --min-score (1 left out)"),
        "{summary}"
    );
    let r = dir.run(&["flag", "--drop-below"]);
    assert_eq!(r.code(), Some(2));
    assert!(r.stderr().contains("--min-score"), "{}", r.stderr());
}

#[test]
fn a_directory_of_txt_files_is_a_feed() {
    let dir = Dir::new();
    std::fs::create_dir_all(dir.path("docs/sub")).unwrap();
    dir.write("docs/b.txt", "He shelp it.\n");
    dir.write("docs/a.txt", "He said it.\n");
    dir.write("docs/sub/c.txt", b"caf\xe9\n");
    dir.write("docs/notes.md", "not a .txt file");
    let out = dir.run(&["flag", "-i", "docs", "-q"]).success().stdout();
    let out = parse(&out);
    let ids: Vec<&Value> = out.iter().map(Out::id).collect();
    assert_eq!(ids, ["a.txt", "b.txt", "sub/c.txt"]);
    assert_eq!(out[0].line(), None, "no line numbers for files");
    assert_eq!(out[1].finding().flags[0].token, "shelp");
    assert_eq!(out[2].error_kind(), Some("invalid_utf8"));
    let out = dir
        .run(&["flag", "-i", "docs", "-q", "--lossy"])
        .success()
        .stdout();
    assert_eq!(parse(&out)[2].finding().tokens, 1);
}

#[test]
fn exit_status_follows_fail_on_flags_and_fail_on_errors() {
    let dir = Dir::new();
    let good = b"{\"text\": \"He said it.\"}\n";
    let flagged = b"{\"text\": \"He shelp it.\"}\n";
    let broken = b"{\"text\": \"He shelp it.\"}\n{\n";
    let code = |args: &[&str], input: &[u8]| {
        let mut all = vec!["flag", "-q"];
        all.extend_from_slice(args);
        dir.run_with_stdin(&all, Some(input)).code()
    };
    assert_eq!(
        code(&[], broken),
        Some(0),
        "error records alone do not fail"
    );
    assert_eq!(code(&["--fail-on-flags"], good), Some(0));
    assert_eq!(code(&["--fail-on-flags"], flagged), Some(1));
    assert_eq!(code(&["--fail-on-errors"], flagged), Some(0));
    assert_eq!(
        code(&["--fail-on-errors", "--fail-on-flags"], broken),
        Some(3)
    );
}

#[test]
fn sigterm_stops_after_whole_lines() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = Dir::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_garbled"))
        .args(["flag", "-q", "--batch-bytes", "1"])
        .current_dir(dir.tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&feed(20)).unwrap();
    stdin.flush().unwrap();
    // Wait for the 20 records; garbled then waits for more input, which never comes.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut out = String::new();
    for _ in 0..20 {
        stdout.read_line(&mut out).unwrap();
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    drop(stdin);
    assert_eq!(status.code(), Some(128 + 15), "exit 128 + SIGTERM");
    stdout.read_to_string_lossy(&mut out);
    assert_matches_feed(&parse(&out), 20, None);
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        err.contains("interrupted; the output holds 20 whole records"),
        "{err}"
    );
}

trait ReadRest {
    fn read_to_string_lossy(&mut self, out: &mut String);
}

impl<R: std::io::Read> ReadRest for R {
    fn read_to_string_lossy(&mut self, out: &mut String) {
        let mut rest = Vec::new();
        self.read_to_end(&mut rest).unwrap();
        out.push_str(&String::from_utf8_lossy(&rest));
    }
}
