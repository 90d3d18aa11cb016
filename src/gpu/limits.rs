//! What one buffer and all buffers together may hold on the chosen adapter: the binding and
//! buffer-size limits wgpu reports, and the device-local memory Vulkan reports (wgpu itself does
//! not say how much memory a device has).

use super::GpuContext;

/// The limits a world count must fit.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct MemoryLimits {
    /// Largest storage-buffer binding, bytes (every per-world array is bound whole).
    pub max_storage_buffer_binding_size: u64,
    /// Largest buffer, bytes.
    pub max_buffer_size: u64,
    /// The largest device-local memory heap, bytes, where the backend says (Vulkan); `None`
    /// elsewhere.
    pub device_memory: Option<u64>,
}

impl MemoryLimits {
    /// The largest single buffer this adapter can bind: the smaller of the two size limits.
    pub fn max_bound_buffer(&self) -> u64 {
        self.max_storage_buffer_binding_size.min(self.max_buffer_size)
    }

    /// The bytes sinew lets its buffers take together: 90 % of device memory (the rest for the
    /// driver, Burn's pools and readback staging), or unbounded when the memory is unknown.
    pub fn memory_budget(&self) -> Option<u64> {
        self.device_memory.map(|m| m / 10 * 9)
    }
}

impl GpuContext {
    /// This device's buffer limits and memory.
    pub fn memory_limits(&self) -> MemoryLimits {
        let l = self.device.limits();
        MemoryLimits {
            max_storage_buffer_binding_size: l.max_storage_buffer_binding_size as u64,
            max_buffer_size: l.max_buffer_size,
            device_memory: self.device_memory(),
        }
    }

    /// Device-local memory as the backend reports it; for a CPU adapter (lavapipe), whose memory
    /// is the host's, the host's total memory where that is larger (lavapipe reports a 2 GiB
    /// heap whatever the machine has, and allocates past it from the host).
    fn device_memory(&self) -> Option<u64> {
        let reported = vulkan_device_memory(&self.adapter);
        if self.adapter.get_info().device_type != wgpu::DeviceType::Cpu {
            return reported;
        }
        match (reported, host_memory()) {
            (Some(r), Some(h)) => Some(r.max(h)),
            (r, h) => r.or(h),
        }
    }
}

/// The host's total memory from /proc/meminfo (Linux), bytes.
fn host_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The size of the largest DEVICE_LOCAL memory heap of a Vulkan adapter (for a CPU adapter such
/// as lavapipe, the host memory it reports).
#[cfg(not(target_arch = "wasm32"))]
fn vulkan_device_memory(adapter: &wgpu::Adapter) -> Option<u64> {
    use ash::vk;
    // Safety: the hal adapter is only read (one query of its physical device's properties), and
    // the guard is dropped before this function returns.
    let hal = unsafe { adapter.as_hal::<wgpu::hal::api::Vulkan>() }?;
    let instance = hal.shared_instance().raw_instance();
    // Safety: the physical device belongs to this instance, which outlives the call.
    let props = unsafe { instance.get_physical_device_memory_properties(hal.raw_physical_device()) };
    props.memory_heaps[..props.memory_heap_count as usize]
        .iter()
        .filter(|h| h.flags.contains(vk::MemoryHeapFlags::DEVICE_LOCAL))
        .map(|h| h.size)
        .max()
}

#[cfg(target_arch = "wasm32")]
fn vulkan_device_memory(_adapter: &wgpu::Adapter) -> Option<u64> {
    None
}
