//! The `garbled` command: parses arguments and hands over to [`cli::run`].

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
