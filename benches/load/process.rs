//! The server under test as a child process, and what `/proc` says about it: CPU time, memory,
//! and how busy the rest of the machine was meanwhile.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server: the real one (`third-neighbor serve`) or the reference server.
pub(crate) struct ServerProcess {
    child: Child,
    /// The server's own pid (not `taskset`'s or `strace`'s, when it runs under them).
    pub pid: u32,
    pub addr: SocketAddr,
    /// The instructor key printed on the first start (the real server only).
    pub key: Option<String>,
}

/// How to start a server.
pub(crate) struct Launch {
    pub program: PathBuf,
    pub args: Vec<String>,
    /// Pin the server to this core (with `taskset`), when `taskset` is there.
    pub cpu: Option<usize>,
    /// Where the server's standard error goes (`None`: discarded).
    pub log: Option<PathBuf>,
    /// Run the server under `strace -f --seccomp-bpf -ttt -e trace=fsync,fdatasync -o <file>`:
    /// only those system calls stop the server, each costs a little; used to count commits.
    pub strace_fsync: Option<PathBuf>,
}

impl Launch {
    /// The same launch, not under strace.
    pub(crate) fn clone_without_trace(&self) -> Launch {
        Launch {
            program: self.program.clone(),
            args: self.args.clone(),
            cpu: self.cpu,
            log: self.log.clone(),
            strace_fsync: None,
        }
    }
}

impl ServerProcess {
    /// Starts the server and waits for its `listening on http://ADDR` line (and the instructor key
    /// printed before it on a first start).
    pub(crate) fn start(launch: &Launch) -> Result<ServerProcess, String> {
        let mut argv: Vec<String> = Vec::new();
        if let Some(cpu) = launch.cpu.filter(|_| have("taskset")) {
            argv.extend(["taskset".to_string(), "-c".to_string(), cpu.to_string()]);
        }
        if let Some(out) = &launch.strace_fsync {
            argv.extend(
                ["strace", "-f", "--seccomp-bpf", "-ttt", "-e", "trace=fsync,fdatasync", "-o"].map(String::from),
            );
            argv.push(out.display().to_string());
        }
        argv.push(launch.program.display().to_string());
        argv.extend(launch.args.iter().cloned());
        let stderr = match &launch.log {
            Some(path) => Stdio::from(std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?),
            None => Stdio::null(),
        };
        let mut child = Command::new(&argv[0])
            .args(&argv[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", argv[0]))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let mut key = None;
        let mut addr = None;
        for line in lines.by_ref() {
            let line = line.map_err(|e| format!("reading the server's output: {e}"))?;
            if let Some(k) = line.split_whitespace().find(|w| w.starts_with("ik_")) {
                key = Some(k.to_string());
            }
            if let Some(a) = line.strip_prefix("listening on http://") {
                addr = Some(a.trim().parse::<SocketAddr>().map_err(|e| format!("address {a}: {e}"))?);
                break;
            }
        }
        // Keep reading standard output so that the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let Some(addr) = addr else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the server exited before listening (see its log)".to_string());
        };
        let pid = if launch.strace_fsync.is_some() { traced_pid(child.id())? } else { child.id() };
        Ok(ServerProcess { child, pid, addr, key })
    }

    /// Stops the server (SIGTERM, then SIGKILL after `grace`).
    pub(crate) fn stop(mut self, grace: Duration) {
        let _ = Command::new("kill").args(["-TERM", &self.pid.to_string()]).status();
        let until = Instant::now() + grace;
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The pid of the program `strace` started (its first child), waiting for it to exist.
fn traced_pid(strace: u32) -> Result<u32, String> {
    for _ in 0..100 {
        let children = std::fs::read_to_string(format!("/proc/{strace}/task/{strace}/children")).unwrap_or_default();
        if let Some(pid) = children.split_whitespace().next().and_then(|p| p.parse().ok()) {
            return Ok(pid);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err("cannot find the server under strace".to_string())
}

/// Whether a program is on the PATH.
pub(crate) fn have(program: &str) -> bool {
    Command::new(program).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

/// Pins this process (all its threads) to one core with `taskset`; false if that failed.
pub(crate) fn pin_self(cpu: usize) -> bool {
    Command::new("taskset")
        .args(["-a", "-p", "-c", &cpu.to_string(), &std::process::id().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Clock ticks per second of `/proc/*/stat` (`getconf CLK_TCK`, 100 on Linux).
fn ticks_per_sec() -> u64 {
    static TICKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(100)
    })
}

/// User plus system CPU time of a process (all its threads, living and ended).
pub(crate) fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start with field 3, `state`.
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let ticks = field(14) + field(15);
    Duration::from_micros(ticks * 1_000_000 / ticks_per_sec())
}

/// CPU time of this process.
pub(crate) fn own_cpu_time() -> Duration {
    cpu_time(std::process::id())
}

/// Busy time of the whole machine, all cores (from `/proc/stat`).
pub(crate) fn machine_busy() -> Duration {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = stat.lines().find(|l| l.starts_with("cpu ")) else { return Duration::ZERO };
    let v: Vec<u64> = line.split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
    let busy: u64 = v.iter().enumerate().filter(|(i, _)| *i != 3 && *i != 4).map(|(_, x)| *x).sum();
    Duration::from_micros(busy * 1_000_000 / ticks_per_sec())
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Memory {
    pub rss_kib: u64,
    pub peak_kib: u64,
}

pub(crate) fn memory(pid: u32) -> Memory {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Memory { rss_kib: field("VmRSS:"), peak_kib: field("VmHWM:") }
}

/// CPU time of several processes (the nodes of a cluster), summed.
pub(crate) fn cpu_time_all(pids: &[u32]) -> Duration {
    pids.iter().map(|pid| cpu_time(*pid)).sum()
}

/// Memory of several processes, summed.
pub(crate) fn memory_all(pids: &[u32]) -> Memory {
    pids.iter()
        .map(|pid| memory(*pid))
        .fold(Memory::default(), |a, m| Memory { rss_kib: a.rss_kib + m.rss_kib, peak_kib: a.peak_kib + m.peak_kib })
}

/// Counts the `fsync`/`fdatasync` calls an `strace -ttt` log shows between two instants of
/// the wall clock (unix seconds).
pub(crate) fn count_syncs(log: &Path, from_unix: f64, to_unix: f64) -> Option<u64> {
    let text = std::fs::read_to_string(log).ok()?;
    let mut n = 0;
    for line in text.lines() {
        // "<pid> <secs.micros> fdatasync(5) = 0", or "<secs.micros> …" for one process.
        let mut words = line.split_whitespace();
        let first = words.next()?;
        let at = if first.contains('.') { first } else { words.next().unwrap_or("") };
        let Ok(at) = at.parse::<f64>() else { continue };
        let call = line.contains("fsync(") || line.contains("fdatasync(");
        let resumed = line.contains("resumed>");
        if call && !resumed && at >= from_unix && at < to_unix {
            n += 1;
        }
    }
    Some(n)
}

/// What the machine is: kernel, cores, CPU model, load average.
pub(crate) fn machine() -> String {
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_string())
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    format!("kernel {}, {cores} cores ({model}), load average {}", kernel.trim(), load_average())
}

pub(crate) fn load_average() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}
