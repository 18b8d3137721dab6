//! `flag` over N records: throughput of `Feed::run` on a feed built in memory from the
//! committed evaluation articles (`eval/clean/`, clean news-like text), with 1 and 2
//! threads. Needs no files outside the repository and no network.
//!
//! `cargo bench --bench flag` prints the time per feed and MiB/s of JSON Lines input.

use std::io::{self, Cursor};
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use garbled::check::{CheckOptions, Checker};
use garbled::corpus::NoProgress;
use garbled::feed::{Feed, FeedInput, FeedOptions};
use garbled::score::AllowList;
use garbled::Model;

const ARTICLES: [&str; 24] = [
    include_str!("../eval/clean/news-01.txt"),
    include_str!("../eval/clean/news-02.txt"),
    include_str!("../eval/clean/news-03.txt"),
    include_str!("../eval/clean/news-04.txt"),
    include_str!("../eval/clean/news-05.txt"),
    include_str!("../eval/clean/news-06.txt"),
    include_str!("../eval/clean/news-07.txt"),
    include_str!("../eval/clean/news-08.txt"),
    include_str!("../eval/clean/news-09.txt"),
    include_str!("../eval/clean/news-10.txt"),
    include_str!("../eval/clean/news-11.txt"),
    include_str!("../eval/clean/news-12.txt"),
    include_str!("../eval/clean/news-13.txt"),
    include_str!("../eval/clean/news-14.txt"),
    include_str!("../eval/clean/news-15.txt"),
    include_str!("../eval/clean/news-16.txt"),
    include_str!("../eval/clean/news-17.txt"),
    include_str!("../eval/clean/news-18.txt"),
    include_str!("../eval/clean/news-19.txt"),
    include_str!("../eval/clean/news-20.txt"),
    include_str!("../eval/clean/news-21.txt"),
    include_str!("../eval/clean/news-22.txt"),
    include_str!("../eval/clean/news-23.txt"),
    include_str!("../eval/clean/news-24.txt"),
];

/// `records` JSON Lines records `{"id": "rN", "text": <article>}`, the articles in turn.
fn feed(records: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..records {
        let record =
            serde_json::json!({"id": format!("r{i}"), "text": ARTICLES[i % ARTICLES.len()]});
        serde_json::to_writer(&mut out, &record).expect("a JSON value serializes");
        out.push(b'\n');
    }
    out
}

fn flag(c: &mut Criterion) {
    let model = Model::embedded().expect("the embedded model loads");
    let checker =
        Checker::new(&model, AllowList::new(), CheckOptions::default()).expect("it is calibrated");
    let feed_runner = Feed::new(&checker, FeedOptions::default()).expect("default options");
    // 4 times the evaluation set: ~370 KB, 96 records.
    let data = feed(4 * ARTICLES.len());

    let mut group = c.benchmark_group("flag");
    group
        .throughput(Throughput::Bytes(data.len() as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    for jobs in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .expect("a thread pool");
        group.bench_function(format!("{}_records_jobs_{jobs}", 4 * ARTICLES.len()), |b| {
            b.iter(|| {
                let input = FeedInput::Lines {
                    name: "bench".into(),
                    reader: Box::new(Cursor::new(data.clone())),
                    total_bytes: None,
                };
                pool.install(|| {
                    feed_runner
                        .run(input, &mut io::sink(), Path::new("-"), &NoProgress)
                        .expect("an in-memory feed reads")
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, flag);
criterion_main!(benches);
