//! `sinew adapters`: list GPU adapters in selection order.

use sinew::gpu::GpuContext;

/// Print every adapter with its index.
pub fn run() -> sinew::Result<()> {
    let list = GpuContext::adapters();
    if list.is_empty() {
        return Err(sinew::Error::Gpu(
            "no GPU adapter found (install mesa-vulkan-drivers for lavapipe)".into(),
        ));
    }
    for (i, a) in list.iter().enumerate() {
        println!("{i}: {} ({}, {}, driver {} {})", a.name, a.backend, a.device_type, a.driver, a.driver_info);
    }
    Ok(())
}
