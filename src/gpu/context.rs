//! [`GpuContext`]: the one wgpu instance/adapter/device/queue sinew and Burn share.
//!
//! Adapter choice: `WGPU_BACKEND` (vulkan, metal, dx12, gl) limits the backends searched;
//! `SINEW_ADAPTER` picks one adapter by index (as listed by [`GpuContext::adapters`]) or by a
//! case-insensitive substring of its name. Without it, the first discrete, then integrated, then
//! any other adapter (CPU ones like lavapipe last) is taken.
//!
//! Precision: the stages written in `real` (the mass-matrix solve, Newton) use f64 where the
//! device has shader f64; `SINEW_F64=off` makes every stage run exactly as on an adapter without
//! it (Metal, DX12, most consumer GPUs), to test that path anywhere. (`SINEW_SOLVE_F32`, the
//! older switch, does the same.)

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// The shared GPU: device and queue used by every simulator kernel and by Burn.
pub struct GpuContext {
    /// The wgpu instance the adapter came from.
    pub instance: wgpu::Instance,
    /// The chosen physical adapter.
    pub adapter: wgpu::Adapter,
    /// The logical device.
    pub device: wgpu::Device,
    /// The device's queue (Burn submits to the same one).
    pub queue: wgpu::Queue,
    /// Host readbacks and queue submits made through this context (see [`GpuCounters`]).
    pub counters: GpuCounters,
    /// While `Some`, every storage and uniform buffer made through this context is logged here
    /// as (label, bytes); see [`GpuContext::log_allocations`].
    pub(crate) allocation_log: std::sync::Mutex<Option<Vec<(String, u64)>>>,
    /// Compute pipelines built so far, by stage, entry point and constants: a second simulation
    /// on the same device (another world count, a reset environment) reuses them.
    pub(crate) pipelines: std::sync::Mutex<std::collections::HashMap<String, super::shaders::Pipeline>>,
    burn: OnceLock<burn::backend::wgpu::WgpuDevice>,
}

/// Counts of the host–device synchronisation points sinew itself causes: blocking readbacks
/// ([`GpuContext::download`], and Burn reads the trainer makes) and queue submits (the
/// simulator's, and each flush of Burn's queued work the trainer asks for). The trainer prints
/// them per iteration to show the rollout and update stay on the device.
#[derive(Debug, Default)]
pub struct GpuCounters {
    submits: AtomicU64,
    readbacks: AtomicU64,
}

impl GpuCounters {
    /// Count one queue submit.
    pub fn submit(&self) {
        self.submits.fetch_add(1, Ordering::Relaxed);
    }

    /// Count one blocking readback to the host.
    pub fn readback(&self) {
        self.readbacks.fetch_add(1, Ordering::Relaxed);
    }

    /// (submits, readbacks) so far.
    pub fn get(&self) -> (u64, u64) {
        (self.submits.load(Ordering::Relaxed), self.readbacks.load(Ordering::Relaxed))
    }
}

/// What an adapter is, for listings and bench records.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AdapterSummary {
    /// Adapter name, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)".
    pub name: String,
    /// Graphics API: Vulkan, Metal, Dx12, Gl.
    pub backend: String,
    /// Discrete / integrated / virtual / CPU.
    pub device_type: String,
    /// Driver name.
    pub driver: String,
    /// Driver version/details.
    pub driver_info: String,
}

impl AdapterSummary {
    fn of(adapter: &wgpu::Adapter) -> Self {
        let i = adapter.get_info();
        AdapterSummary {
            name: i.name,
            backend: format!("{:?}", i.backend),
            device_type: format!("{:?}", i.device_type),
            driver: i.driver,
            driver_info: i.driver_info,
        }
    }
}

/// The backends searched: `WGPU_BACKEND` if set, else the primary APIs (Vulkan, Metal, DX12).
fn backends() -> wgpu::Backends {
    wgpu::Backends::from_env().unwrap_or(wgpu::Backends::PRIMARY)
}

fn instance() -> wgpu::Instance {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    desc.backends = backends();
    wgpu::Instance::new(desc)
}

/// Every adapter `inst` sees under `WGPU_BACKEND`, in selection order (discrete GPUs first, CPU
/// adapters last).
fn sorted_adapters(inst: &wgpu::Instance) -> Vec<wgpu::Adapter> {
    let mut list = pollster::block_on(inst.enumerate_adapters(backends()));
    list.sort_by_key(|a| rank(a.get_info().device_type));
    list
}

fn rank(t: wgpu::DeviceType) -> u8 {
    match t {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Other => 3,
        wgpu::DeviceType::Cpu => 4,
    }
}

impl GpuContext {
    /// Every adapter visible under the current `WGPU_BACKEND`, in selection order.
    pub fn adapters() -> Vec<AdapterSummary> {
        sorted_adapters(&instance()).iter().map(AdapterSummary::of).collect()
    }

    /// Open the adapter of one of several processes on a node (data-parallel training): the
    /// `local_rank`-th GPU (wrapping round where ranks outnumber GPUs), never a CPU adapter while
    /// the node has a GPU; `SINEW_ADAPTER` still picks one for every rank (the override, a CPU
    /// adapter included). A node with no GPU uses its CPU adapter (lavapipe).
    pub fn for_local_rank(local_rank: usize) -> Result<Self> {
        if std::env::var_os("SINEW_ADAPTER").is_some() {
            return Self::new();
        }
        f64_allowed()?;
        let inst = instance();
        let mut list = sorted_adapters(&inst);
        // discrete GPUs where the node has any (an integrated one beside them is not a rank's),
        // else any GPU; the list is sorted discrete first
        let kind = |a: &wgpu::Adapter| a.get_info().device_type;
        let discrete = list.iter().filter(|a| kind(a) == wgpu::DeviceType::DiscreteGpu).count();
        let gpus = match discrete {
            0 => list.iter().filter(|a| kind(a) != wgpu::DeviceType::Cpu).count(),
            n => n,
        };
        let adapter = match (gpus, list.is_empty()) {
            (0, true) => return Self::new(),
            (0, false) => list.remove(0),
            (n, _) => list.swap_remove(local_rank % n),
        };
        Self::from_adapter(inst, adapter)
    }

    /// Open the adapter chosen by the environment (see the module docs).
    pub fn new() -> Result<Self> {
        f64_allowed()?;
        let inst = instance();
        let mut list = sorted_adapters(&inst);
        if list.is_empty() {
            return Err(Error::Gpu(
                "no GPU adapter found (on Linux without a GPU, install Mesa's lavapipe: \
                 `apt-get install mesa-vulkan-drivers`; WGPU_BACKEND limits the APIs searched)"
                    .into(),
            ));
        }
        let adapter = match std::env::var("SINEW_ADAPTER") {
            Ok(sel) => {
                let names: Vec<String> = list.iter().map(|a| a.get_info().name).collect();
                let idx = match sel.parse::<usize>() {
                    Ok(i) if i < list.len() => Some(i),
                    Ok(_) => None,
                    Err(_) => names.iter().position(|n| n.to_lowercase().contains(&sel.to_lowercase())),
                };
                let Some(i) = idx else {
                    return Err(Error::Gpu(format!(
                        "SINEW_ADAPTER={sel} matches no adapter; available: {}",
                        names
                            .iter()
                            .enumerate()
                            .map(|(i, n)| format!("{i}: {n}"))
                            .collect::<Vec<_>>()
                            .join("; ")
                    )));
                };
                list.swap_remove(i)
            }
            Err(_) => list.remove(0),
        };
        Self::from_adapter(inst, adapter)
    }

    /// Open a device on `adapter` the way CubeCL does (all adapter features but mappable primary
    /// buffers, the adapter's limits), so Burn can run on it unchanged.
    pub fn from_adapter(instance: wgpu::Instance, adapter: wgpu::Adapter) -> Result<Self> {
        // settings read per process, refused by name before anything is built on them
        crate::sim::tiles::check_env()?;
        crate::sim::efc::WorkgroupPlan::allowed()?;
        crate::sim::efc::rank_one_updates()?;
        let features = adapter.features().difference(wgpu::Features::MAPPABLE_PRIMARY_BUFFERS);
        let desc = wgpu::DeviceDescriptor {
            label: Some("sinew"),
            required_features: features,
            required_limits: adapter.limits(),
            experimental_features: wgpu::ExperimentalFeatures::disabled(),
            memory_hints: wgpu::MemoryHints::Performance,
            trace: wgpu::Trace::Off,
        };
        let (device, queue) = pollster::block_on(adapter.request_device(&desc)).map_err(|e| {
            Error::Gpu(format!("could not open a device on '{}': {e}", adapter.get_info().name))
        })?;
        Ok(GpuContext {
            instance,
            adapter,
            device,
            queue,
            counters: GpuCounters::default(),
            allocation_log: std::sync::Mutex::new(None),
            pipelines: Default::default(),
            burn: OnceLock::new(),
        })
    }

    /// Whether the precision-critical stages (the mass-matrix solve, Newton) run in f64: when the
    /// device has shader f64 and neither `SINEW_F64=off` nor `SINEW_SOLVE_F32` is set.
    pub fn has_f64(&self) -> bool {
        f64_allowed().unwrap_or(false) && self.device.features().contains(wgpu::Features::SHADER_F64)
    }

    /// What adapter this is.
    pub fn summary(&self) -> AdapterSummary {
        AdapterSummary::of(&self.adapter)
    }

    /// Burn's device handle (dispatch `Device`) for this very wgpu device and queue.
    pub fn burn_device(&self) -> Result<burn::tensor::Device> {
        Ok(self.burn_wgpu_device()?.into())
    }

    /// The Burn wgpu device registered on this context's device and queue (on first use).
    pub fn burn_wgpu_device(&self) -> Result<burn::backend::wgpu::WgpuDevice> {
        if let Some(d) = self.burn.get() {
            return Ok(d.clone());
        }
        let setup = burn::backend::wgpu::WgpuSetup {
            instance: self.instance.clone(),
            adapter: self.adapter.clone(),
            device: self.device.clone(),
            queue: self.queue.clone(),
            backend: self.adapter.get_info().backend,
        };
        let dev = burn::backend::wgpu::try_init_device(setup, Default::default())
            .map_err(|e| Error::Gpu(format!("Burn could not use the shared device: {e:?}")))?;
        Ok(self.burn.get_or_init(|| dev).clone())
    }

    /// Submit `commands` to the queue, counted in [`GpuContext::counters`].
    pub fn submit(&self, commands: wgpu::CommandBuffer) {
        self.counters.submit();
        self.queue.submit([commands]);
    }

    /// Let every piece of work on the device finish — Burn's queued work (when Burn was set up
    /// on this context) and everything submitted — ignoring errors: called before a command
    /// returns, on success or failure, so the process never tears the device down while the
    /// driver's threads still work on it.
    pub fn quiesce(&self) {
        if let Some(d) = self.burn.get() {
            let dev: burn::tensor::Device = d.clone().into();
            let _ = dev.sync();
        }
        let _ = self.wait();
    }

    /// Block until all submitted work is done.
    pub fn wait(&self) -> Result<()> {
        self.device
            .poll(wgpu::PollType::Wait { submission_index: None, timeout: None })
            .map(|_| ())
            .map_err(|e| Error::Gpu(format!("device poll failed: {e}")))
    }
}

/// Whether the environment lets sinew use shader f64: `SINEW_F64` is `on` (the default when
/// unset) or `off`; `SINEW_SOLVE_F32` set also means off. Any other value is an error.
fn f64_allowed() -> Result<bool> {
    let switch = match std::env::var("SINEW_F64") {
        Err(std::env::VarError::NotPresent) => true,
        Ok(v) if v == "on" => true,
        Ok(v) if v == "off" => false,
        Ok(v) => return Err(Error::Gpu(format!("SINEW_F64 is '{v}': set it to on or off"))),
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(Error::Gpu("SINEW_F64 is not valid text: set it to on or off".into()));
        }
    };
    Ok(switch && std::env::var_os("SINEW_SOLVE_F32").is_none())
}
