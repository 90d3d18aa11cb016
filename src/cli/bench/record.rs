//! What a bench record says about where it was measured: the adapter, its features and limits,
//! the machine, the commit and the date.

use sinew::gpu::context::AdapterSummary;
use sinew::gpu::{GpuContext, MemoryLimits};

/// The adapter and what matters of it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AdapterRecord {
    /// Name, backend, device type, driver.
    #[serde(flatten)]
    pub summary: AdapterSummary,
    /// PCI vendor id.
    pub vendor_id: u32,
    /// PCI device id.
    pub device_id: u32,
    /// Features the step uses or would use.
    pub features: FeatureRecord,
    /// Limits that bound world counts and kernels.
    pub limits: LimitRecord,
}

/// Adapter features that matter to sinew.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FeatureRecord {
    /// Shader f64 (the precision-critical solves run in f64 when present).
    pub shader_f64: bool,
    /// Subgroup operations.
    pub subgroups: bool,
    /// Timestamp queries.
    pub timestamp_query: bool,
    /// Timestamps written inside a compute pass.
    pub timestamp_query_inside_passes: bool,
}

/// Adapter limits sinew is bound by.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LimitRecord {
    /// Buffer sizes and device memory.
    #[serde(flatten)]
    pub memory: MemoryLimits,
    /// Workgroups per dispatch dimension.
    pub max_compute_workgroups_per_dimension: u32,
    /// Invocations per workgroup.
    pub max_compute_invocations_per_workgroup: u32,
    /// Workgroup memory, bytes.
    pub max_compute_workgroup_storage_size: u32,
    /// Storage buffers per shader stage.
    pub max_storage_buffers_per_shader_stage: u32,
}

impl AdapterRecord {
    /// Read off `ctx`.
    pub fn of(ctx: &GpuContext) -> Self {
        let i = ctx.adapter.get_info();
        let f = ctx.device.features();
        let l = ctx.device.limits();
        AdapterRecord {
            summary: ctx.summary(),
            vendor_id: i.vendor,
            device_id: i.device,
            features: FeatureRecord {
                shader_f64: f.contains(wgpu::Features::SHADER_F64),
                subgroups: f.contains(wgpu::Features::SUBGROUP),
                timestamp_query: f.contains(wgpu::Features::TIMESTAMP_QUERY),
                timestamp_query_inside_passes: f.contains(wgpu::Features::TIMESTAMP_QUERY_INSIDE_PASSES),
            },
            limits: LimitRecord {
                memory: ctx.memory_limits(),
                max_compute_workgroups_per_dimension: l.max_compute_workgroups_per_dimension,
                max_compute_invocations_per_workgroup: l.max_compute_invocations_per_workgroup,
                max_compute_workgroup_storage_size: l.max_compute_workgroup_storage_size,
                max_storage_buffers_per_shader_stage: l.max_storage_buffers_per_shader_stage,
            },
        }
    }

    /// The adapter name as a file-name part: lower case letters, digits and '-'.
    pub fn file_stem(&self) -> String {
        let mut s = String::new();
        for c in self.summary.name.chars() {
            if c.is_ascii_alphanumeric() {
                s.push(c.to_ascii_lowercase());
            } else if !s.ends_with('-') {
                s.push('-');
            }
        }
        let s = s.trim_matches('-');
        if s.is_empty() {
            "adapter".into()
        } else {
            s.chars().take(48).collect::<String>().trim_end_matches('-').into()
        }
    }
}

/// The machine the run was on.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MachineRecord {
    /// Host name.
    pub hostname: String,
    /// CPU model.
    pub cpu: String,
    /// Cores this process may use.
    pub cores: usize,
    /// Operating system and architecture.
    pub os: String,
}

impl MachineRecord {
    /// Read off this machine.
    pub fn here() -> Self {
        let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
        let cpu = read("/proc/cpuinfo")
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|| "unknown".into());
        MachineRecord {
            hostname: read("/etc/hostname").trim().to_string(),
            cpu,
            cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        }
    }
}

/// Seconds since the Unix epoch.
pub fn now_unix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// `unix` seconds as a UTC date and time, `YYYY-MM-DDTHH:MM:SSZ`.
pub fn iso_utc(unix: u64) -> String {
    let (days, secs) = (unix / 86400, unix % 86400);
    // civil date from days since 1970-01-01 (Howard Hinnant's algorithm)
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::iso_utc(1_796_400_000), "2026-12-04T16:00:00Z");
        assert_eq!(super::iso_utc(951_782_400), "2000-02-29T00:00:00Z");
    }
}
