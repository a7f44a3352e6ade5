//! The `onsager` command-line tool; see `onsager --help` and README.md.
fn main() -> std::process::ExitCode {
    onsager::tune_allocator();
    onsager::cli::main()
}
