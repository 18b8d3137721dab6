//! Helpers shared by the CLI integration tests: run the built binary in a temporary
//! directory and look at what it printed.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A temporary working directory with the fixtures at hand.
pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().expect("temporary directory"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    pub fn write(&self, name: &str, data: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, data).expect("write fixture");
        p
    }

    /// `garbled ARGS…` run in this directory.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, None)
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: Option<&[u8]>) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_garbled"));
        cmd.args(args)
            .current_dir(self.tmp.path())
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn garbled");
        if let Some(data) = stdin {
            use std::io::Write;
            let mut pipe = child.stdin.take().expect("stdin piped");
            pipe.write_all(data).expect("write stdin");
        }
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            output: child.wait_with_output().expect("wait for garbled"),
        }
    }
}

/// Path of a committed fixture.
pub fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// One finished run.
pub struct Run {
    pub args: Vec<String>,
    pub output: Output,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    /// Asserts exit status 0 and returns self.
    #[track_caller]
    pub fn success(self) -> Run {
        assert_eq!(
            self.code(),
            Some(0),
            "garbled {:?} failed\n--- stderr ---\n{}\n--- stdout ---\n{}",
            self.args,
            self.stderr(),
            self.stdout()
        );
        self
    }

    /// Asserts exit status 2 with a one-line error containing every `needle`.
    #[track_caller]
    pub fn fails_with(self, needles: &[&str]) -> Run {
        assert_eq!(
            self.code(),
            Some(2),
            "expected exit 2 from {:?}\n{}",
            self.args,
            self.stderr()
        );
        let err = self.stderr();
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "error is not one line:\n{err}"
        );
        assert!(err.starts_with("garbled: error: "), "{err}");
        for n in needles {
            assert!(err.contains(n), "error lacks {n:?}:\n{err}");
        }
        assert!(!err.contains("panicked"), "{err}");
        self
    }
}
