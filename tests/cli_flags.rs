//! compono accepts every flag wasm-tools has for the commands compono has:
//! for each command, wasm-tools' `--help` is read, its flags are listed
//! beside whether `compono <same command> --help` lists them too, and a
//! long flag compono lacks fails the test unless the README's "Differences
//! from wasm-tools" section names it (as `` `component new --flag` ``).
//! Commands compono does not have yet are reported as pending; they are
//! checked from the day they exist, so drift shows when either tool moves.

mod cli_common;

use cli_common::{compono, wasm_tools};
use std::collections::BTreeMap;
use std::path::Path;

/// wasm-tools' spelling of each command the issue covers.
const COMMANDS: &[&str] = &[
    "component new",
    "component embed",
    "component wit",
    "component link",
    "metadata show",
    "metadata add",
    "validate",
    "print",
    "parse",
];

/// A flag as `--help` lists it: its long name (without `--`) and its short
/// letter, if any. Short-only flags (`-g`) have an empty long name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Flag {
    long: String,
    short: Option<char>,
}

/// The flags of a clap `--help` text: in its `Options:` section, option
/// lines are indented by at most six spaces and start with `-x, --name`,
/// `--name` or `-x`; descriptions are indented further. The section ends at
/// the next unindented line (`Examples:`).
fn parse_help(help: &str) -> Vec<Flag> {
    let mut flags = Vec::new();
    let options = help
        .lines()
        .skip_while(|line| *line != "Options:")
        .skip(1)
        .take_while(|line| line.is_empty() || line.starts_with(' '));
    for line in options {
        let indent = line.len() - line.trim_start().len();
        let line = line.trim_start();
        if indent == 0 || indent > 6 || !line.starts_with('-') {
            continue;
        }
        let mut short = None;
        let mut rest = line;
        if let Some(after) = rest.strip_prefix('-')
            && !after.starts_with('-')
        {
            short = after.chars().next();
            rest = after[short.map_or(0, char::len_utf8)..].trim_start_matches(", ");
        }
        let long: String = rest
            .strip_prefix("--")
            .map(|name| {
                name.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect()
            })
            .unwrap_or_default();
        if long.is_empty() && short.is_none() {
            continue;
        }
        flags.push(Flag { long, short });
    }
    flags
}

/// compono's `--help` for `command`, under wasm-tools' spelling first
/// (`component new`), then compono's own (`new`); `None` when compono has
/// no such command.
fn compono_help(command: &str) -> Option<(String, String)> {
    let words: Vec<&str> = command.split(' ').collect();
    let mut spellings = vec![words.clone()];
    if words[0] == "component" {
        spellings.push(words[1..].to_vec());
    }
    for spelling in spellings {
        let out = compono().args(&spelling).arg("--help").output().unwrap();
        if out.status.success() {
            return Some((
                spelling.join(" "),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            ));
        }
    }
    None
}

/// The README's "Differences from wasm-tools" section.
fn differences_section() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let start = readme
        .match_indices("Differences from wasm-tools")
        .map(|(i, _)| i)
        .find(|&i| readme[..i].ends_with("# "))
        .expect("README has a \"Differences from wasm-tools\" heading");
    let section = &readme[start..];
    // Up to the next heading of the same or a higher level.
    let end = section[1..]
        .find("\n## ")
        .into_iter()
        .chain(section[1..].find("\n### "))
        .min()
        .map_or(section.len(), |i| i + 1);
    section[..end].to_string()
}

#[test]
fn every_wasm_tools_flag_is_accepted_or_a_documented_difference() {
    let Some(tool) = wasm_tools() else {
        eprintln!("skipped: no wasm-tools to read flags from");
        return;
    };
    let differences = differences_section();
    let mut failures = Vec::new();
    let mut pending = Vec::new();
    let mut counts = BTreeMap::new();
    for command in COMMANDS {
        let theirs = compono_testutil::command(tool)
            .args(command.split(' '))
            .arg("--help")
            .output()
            .unwrap();
        assert!(theirs.status.success(), "wasm-tools {command} --help");
        let theirs = parse_help(&String::from_utf8_lossy(&theirs.stdout));
        let Some((spelling, ours)) = compono_help(command) else {
            pending.push(*command);
            println!("\n`wasm-tools {command}`: pending, compono has no such command yet\n");
            continue;
        };
        let ours = parse_help(&ours);
        println!("\n`wasm-tools {command}` / `compono {spelling}`");
        println!("  {:<44} {:<10} README", "wasm-tools flag", "compono");
        let (mut accepted, mut documented) = (0, 0);
        for flag in &theirs {
            let shown = match (&flag.short, flag.long.is_empty()) {
                (Some(s), true) => format!("-{s}"),
                (Some(s), false) => format!("-{s}, --{}", flag.long),
                (None, _) => format!("--{}", flag.long),
            };
            let long_ok = flag.long.is_empty() || ours.iter().any(|o| o.long == flag.long);
            // A short letter must mean the same flag in compono.
            let short_ok = flag.short.is_none_or(|s| {
                ours.iter()
                    .any(|o| o.short == Some(s) && (flag.long.is_empty() || o.long == flag.long))
            });
            let name = if flag.long.is_empty() {
                format!("-{}", flag.short.unwrap())
            } else {
                format!("--{}", flag.long)
            };
            let listed = differences.contains(&format!("`{command} {name}`"));
            let status = match (long_ok && short_ok, listed) {
                (true, _) => {
                    accepted += 1;
                    "accepted"
                }
                (false, true) => {
                    documented += 1;
                    "missing"
                }
                (false, false) => {
                    failures.push(format!("`{command} {shown}`"));
                    "MISSING"
                }
            };
            let note = if listed { "difference" } else { "" };
            println!("  {shown:<44} {status:<10} {note}");
        }
        counts.insert(*command, (theirs.len(), accepted, documented));
    }
    println!("\nsummary (wasm-tools flags / accepted / documented differences):");
    for (command, (total, accepted, documented)) in &counts {
        println!("  {command:<18} {total:>3} / {accepted:>3} / {documented:>3}");
    }
    for command in &pending {
        println!("  {command:<18} pending (no such compono command yet)");
    }
    assert!(
        failures.is_empty(),
        "wasm-tools flags compono neither accepts nor lists in README's \"Differences from \
         wasm-tools\": {}",
        failures.join(", ")
    );
}

#[test]
fn help_parsing_reads_clap_layouts() {
    let help = "Usage: x\n\nOptions:\n  -o, --output <OUTPUT>\n          Where.\n      --validate[=<true|false>]\n  -g\n          Shorthand\n  -v, --verbose...\n          text --not-a-flag\n\nExamples:\n    --adapt x\n";
    assert_eq!(
        parse_help(help),
        vec![
            Flag {
                long: "output".into(),
                short: Some('o')
            },
            Flag {
                long: "validate".into(),
                short: None
            },
            Flag {
                long: String::new(),
                short: Some('g')
            },
            Flag {
                long: "verbose".into(),
                short: Some('v')
            },
        ]
    );
}

/// Each command's `--help` starts with the description `compono --help`
/// lists for it (clap builds a command's arguments only when it runs, and
/// an argument group's doc comment would then replace the description).
#[test]
fn every_command_help_starts_with_its_description() {
    let listed = |args: &[&str]| -> Vec<(String, String)> {
        let out = compono().args(args).arg("--help").output().unwrap();
        let help = String::from_utf8(out.stdout).unwrap();
        help.lines()
            .skip_while(|l| *l != "Commands:")
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .filter_map(|l| {
                let (name, about) = l.trim().split_once(' ')?;
                Some((name.to_string(), about.trim().to_string()))
            })
            .filter(|(name, _)| name != "help")
            .collect()
    };
    let mut checked = 0;
    for parent in [&[][..], &["component"][..], &["metadata"][..]] {
        let commands = listed(parent);
        assert!(commands.len() >= 2, "{parent:?}: {commands:?}");
        for (name, about) in commands {
            let mut args = parent.to_vec();
            args.push(&name);
            let out = compono().args(&args).arg("--help").output().unwrap();
            let help = String::from_utf8(out.stdout).unwrap();
            let first = help.lines().next().unwrap_or_default();
            assert_eq!(first, about, "`compono {} --help`", args.join(" "));
            checked += 1;
        }
    }
    assert!(checked >= 15, "{checked}");
}
