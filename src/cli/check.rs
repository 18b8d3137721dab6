//! `garbled check`: flag the corrupted words of documents.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use garbled::check::Checker;
use garbled::corpus::for_each_text_chunk;
use garbled::report::{line_col, Flag, Report};
use garbled::score::TextScore;
use garbled::Model;
use rayon::prelude::*;

use super::common::CheckerArgs;
use super::Outcome;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The text with flagged words marked, a list of flags and a summary line.
    Text,
    /// One JSON object per input (see README for the fields).
    Json,
}

/// When to colour text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    /// When standard output is a terminal.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Arguments of `garbled check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files to check (a directory: every file under it, in name order); `-` or nothing
    /// for standard input.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    checker: CheckerArgs,
    /// Output format [default: text on a terminal, json otherwise].
    #[arg(short, long, value_enum)]
    format: Option<Format>,
    /// Explain the score of WORD (per-character surprisal and evidence) and exit.
    #[arg(long, value_name = "WORD")]
    explain: Vec<String>,
    /// Write the text with each flagged word replaced by its best suggestion (when that
    /// suggestion's score is at least --fix-confidence); everything else unchanged.
    #[arg(long)]
    fix: bool,
    /// Least suggestion score --fix applies.
    #[arg(long, default_value_t = 0.5)]
    fix_confidence: f64,
    /// Exit with status 1 when any word is flagged.
    #[arg(long)]
    fail_on_flags: bool,
    /// Replace invalid UTF-8 with U+FFFD instead of stopping (offsets then refer to the
    /// decoded text).
    #[arg(long)]
    lossy: bool,
    /// Colour in text output.
    #[arg(long, value_enum, default_value = "auto")]
    color: Color,
    /// Worker threads [default: all cores].
    #[arg(short, long)]
    jobs: Option<usize>,
}

/// Streams inputs through a [`Checker`].
struct Streamer<'m> {
    checker: Checker<'m>,
}

impl Streamer<'_> {
    /// Scores one input in chunks. `emit` gets each chunk's text, its byte offset and
    /// its flags (offsets relative to the chunk) as soon as they are ready, so a huge
    /// file never sits in memory; the report for the whole input is returned.
    fn check_input(
        &self,
        name: &str,
        path: &Path,
        reader: Box<dyn Read + Send + '_>,
        lossy: bool,
        mut emit: impl FnMut(&str, usize, &[Flag]) -> Result<()>,
    ) -> Result<(Report, Vec<String>)> {
        let mut total = TextScore::default();
        let mut flags = Vec::new();
        let warnings =
            for_each_text_chunk(path, reader, 1 << 20, lossy, |text, offset| -> Result<()> {
                let offset = offset as usize;
                let (report, mut scores) = self.checker.check(name, text);
                emit(text, offset, &report.flags)?;
                flags.extend(report.flags.into_iter().map(|mut f| {
                    f.start += offset;
                    f.end += offset;
                    f
                }));
                // Keep the sums, drop the per-word scores: memory stays bounded.
                scores.words.clear();
                total.append(scores, 0);
                Ok(())
            })?;
        let threshold = self.checker.options().threshold;
        let mut report = Report::from_scores(name, "", &total, threshold, |_| Vec::new());
        report.flags = flags;
        Ok((report, warnings))
    }
}

/// One input's output bytes, whether it had flags, and its warnings.
type Rendered = (Vec<u8>, bool, Vec<String>);

/// Runs `garbled check`.
pub fn run(args: Args) -> Result<Outcome> {
    let model = args.checker.load_model()?;
    let (allow, options) = args.checker.checker_options()?;
    let checker = Streamer {
        checker: Checker::new(&model, allow, options)?,
    };
    if !args.explain.is_empty() {
        return explain(&checker.checker, &model, &args.explain);
    }
    let stdout_tty = std::io::stdout().is_terminal();
    let format = args.format.unwrap_or(if stdout_tty {
        Format::Text
    } else {
        Format::Json
    });
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => stdout_tty && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut inputs: Vec<PathBuf> = Vec::new();
    for file in &args.files {
        if file.as_os_str() == "-" || !file.is_dir() {
            inputs.push(file.clone());
        } else {
            let files = garbled::corpus::files_of(file)?;
            if files.is_empty() {
                eprintln!("garbled: warning: {} holds no files", file.display());
            }
            inputs.extend(files);
        }
    }
    if args.files.is_empty() {
        inputs.push(PathBuf::from("-"));
    }
    let render = |path: &Path, sink: &mut dyn Write| -> Result<(bool, Vec<String>)> {
        let name = path.display().to_string();
        let reader: Box<dyn Read + Send> = if name == "-" {
            Box::new(std::io::stdin())
        } else {
            Box::new(std::fs::File::open(path).with_context(|| format!("reading {name}"))?)
        };
        // Line numbers of flags, tracked across chunks for the text format.
        let mut lines_before = 0usize;
        let mut flag_lines = Vec::new();
        let (report, warnings) =
            checker.check_input(&name, path, reader, args.lossy, |text, _, flags| {
                if args.fix {
                    sink.write_all(apply_fixes(text, flags, args.fix_confidence).as_bytes())?;
                } else if format == Format::Text {
                    sink.write_all(Report::annotate(text, flags, color).as_bytes())?;
                    for f in flags {
                        let (line, col) = line_col(text, f.start);
                        flag_lines.push(Report::flag_line(&name, lines_before + line, col, f));
                    }
                    lines_before += text.matches('\n').count();
                }
                Ok(())
            })?;
        match (args.fix, format) {
            (true, _) => {}
            (false, Format::Json) => writeln!(sink, "{}", report.to_json_line())?,
            (false, Format::Text) => {
                writeln!(sink)?;
                for l in &flag_lines {
                    writeln!(sink, "{l}")?;
                }
                writeln!(sink, "{}", report.summary())?;
            }
        }
        Ok((!report.flags.is_empty(), warnings))
    };
    let results: Vec<Result<Rendered>> = if inputs.len() == 1 {
        // One input: stream straight to stdout.
        let mut out = std::io::stdout().lock();
        let r = render(&inputs[0], &mut out).map(|(f, w)| (Vec::new(), f, w));
        out.flush()?;
        vec![r]
    } else {
        super::with_jobs(args.jobs, || {
            inputs
                .par_iter()
                .map(|p| {
                    let mut buf = Vec::new();
                    render(p, &mut buf).map(|(f, w)| (buf, f, w))
                })
                .collect()
        })?
    };
    let mut any_flags = false;
    let mut out = std::io::stdout().lock();
    for r in results {
        let (buf, flagged, warnings) = r?;
        for w in warnings {
            eprintln!("garbled: warning: {w}");
        }
        out.write_all(&buf)?;
        any_flags |= flagged;
    }
    out.flush()?;
    Ok(if any_flags && args.fail_on_flags {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}

/// The text with each flag replaced by its best suggestion when that is confident enough.
pub fn apply_fixes(text: &str, flags: &[Flag], min_score: f64) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for f in flags {
        let Some(best) = f.suggestions.first().filter(|s| s.score >= min_score) else {
            continue;
        };
        if f.start < pos || f.end > text.len() {
            continue;
        }
        out.push_str(&text[pos..f.start]);
        out.push_str(&best.text);
        pos = f.end;
    }
    out.push_str(&text[pos..]);
    out
}

fn explain(checker: &Checker<'_>, model: &Model, words: &[String]) -> Result<Outcome> {
    let mut out = std::io::stdout().lock();
    for word in words {
        let e = checker.scorer().explain(word);
        writeln!(
            out,
            "{word}: P(corrupted) = {:.4} (threshold {:.2})",
            e.probability,
            checker.options().threshold
        )?;
        writeln!(
            out,
            "  lexicon count {}, {} chars, mean {:.2} bits/symbol, max {:.2} bits, shape {:?}",
            e.evidence.count,
            e.evidence.chars,
            e.evidence.mean_bits,
            e.evidence.max_bits,
            e.evidence.shape
        )?;
        let norm = model.length_norms().get(e.evidence.chars);
        writeln!(
            out,
            "  lexicon words of this length: mean {:.2} ± {:.2} bits/symbol",
            norm[0], norm[1]
        )?;
        writeln!(out, "  surprisal per symbol (bits):")?;
        for (sym, bits) in &e.surprisals {
            let bar = "#".repeat((bits.max(0.0) * 2.0).round() as usize);
            writeln!(out, "    {sym:>8} {bits:6.2} {bar}")?;
        }
        if let Some(calibration) = model.calibration() {
            writeln!(
                out,
                "  log-odds by feature (value x weight), largest first:"
            )?;
            let mut terms: Vec<(&str, f32, f32)> = garbled::features::FEATURE_NAMES
                .iter()
                .zip(e.features)
                .zip(&calibration.weights)
                .filter(|((_, x), _)| *x != 0.0)
                .map(|((&name, x), &w)| (name, x, w))
                .collect();
            terms.sort_by(|a, b| (b.1 * b.2).abs().total_cmp(&(a.1 * a.2).abs()));
            for (name, x, w) in terms {
                writeln!(out, "    {name:<40} {x:7.3} x {w:7.3} = {:+7.3}", x * w)?;
            }
        }
    }
    Ok(Outcome::Ok)
}
