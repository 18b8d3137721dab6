//! Warm passes of `Checker::check` over the committed news text in `eval/clean/` (or the
//! `.txt` files of another directory), for profilers: one untimed pass fills the caches,
//! then `N` passes run inside `check_passes::passes`, so a profiler can count just those
//! (or, with `N` = 0 and `--toggle-collect='garbled::check::Checker::check'`, the cold
//! pass alone). Throughput and the cost of the context check are measured by
//! `cargo bench --bench throughput -- check`.
//!
//! ```text
//! cargo build --release --example check_passes
//! valgrind --tool=callgrind --toggle-collect='check_passes::passes' \
//!     target/release/examples/check_passes 4 context      # or: 4 plain [DIR]
//! ```

use garbled::check::{CheckOptions, Checker};
use garbled::score::AllowList;
use garbled::Model;

/// `n` passes over `docs`.
#[inline(never)]
fn passes(checker: &Checker, docs: &[String], n: usize) {
    for _ in 0..n {
        for d in docs {
            std::hint::black_box(checker.check("bench", d));
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: check_passes N context|plain [DIR]";
    let n: usize = args.next().ok_or(usage)?.parse()?;
    let context = match args.next().as_deref() {
        Some("context") => true,
        Some("plain") => false,
        _ => return Err(usage.into()),
    };
    let model = Model::embedded()?;
    let dir = args
        .next()
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/eval/clean").to_string());
    let mut docs = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "txt") {
            docs.push(std::fs::read_to_string(path)?);
        }
    }
    // Detection only, as in the bench.
    let options = CheckOptions {
        max_suggestions: 0,
        context,
        ..CheckOptions::default()
    };
    let checker = Checker::new(&model, AllowList::new(), options)?;
    for d in &docs {
        checker.check("warm-up", d);
    }
    passes(&checker, &docs, n);
    Ok(())
}
