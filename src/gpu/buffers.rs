//! Buffer helpers: create storage buffers from host slices and read buffers back.

use wgpu::util::DeviceExt;

use super::GpuContext;
use crate::error::{Error, Result};

impl GpuContext {
    /// A storage buffer initialised from `data`. An empty array gets one zeroed element, so it
    /// stays bindable as `array<T>` (WGSL needs room for at least one element).
    pub fn storage_from<T: bytemuck::Pod>(&self, label: &str, data: &[T]) -> wgpu::Buffer {
        let bytes: &[u8] = bytemuck::cast_slice(data);
        let padded;
        let contents = if data.is_empty() {
            padded = vec![0u8; std::mem::size_of::<T>().max(4)];
            &padded[..]
        } else {
            bytes
        };
        self.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(label),
            contents,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
        })
    }

    /// A uniform buffer holding one value.
    pub fn uniform_from<T: bytemuck::Pod>(&self, label: &str, value: &T) -> wgpu::Buffer {
        self.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(label),
            contents: bytemuck::bytes_of(value),
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::COPY_SRC,
        })
    }

    /// A zeroed storage buffer of `len` elements of `T` (at least one, so it stays bindable).
    pub fn storage_zeroed<T: bytemuck::Pod>(&self, label: &str, len: usize) -> wgpu::Buffer {
        let size = (len.max(1) * std::mem::size_of::<T>()).max(4) as u64;
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: size.next_multiple_of(4),
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// Copy `len` elements of `T` from the start of `buffer` back to the host (blocks).
    pub fn download<T: bytemuck::Pod>(&self, buffer: &wgpu::Buffer, len: usize) -> Result<Vec<T>> {
        self.download_at(buffer, 0, len)
    }

    /// Copy `len` elements of `T` from byte `offset` of `buffer` back to the host (blocks).
    pub fn download_at<T: bytemuck::Pod>(
        &self,
        buffer: &wgpu::Buffer,
        offset: u64,
        len: usize,
    ) -> Result<Vec<T>> {
        let size = (len * std::mem::size_of::<T>()) as u64;
        if size == 0 {
            return Ok(Vec::new());
        }
        if offset + size > buffer.size() {
            return Err(Error::Gpu(format!(
                "download of {size} bytes at {offset} from a {}-byte buffer",
                buffer.size()
            )));
        }
        self.counters.readback();
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: size.next_multiple_of(4),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut enc =
            self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("readback") });
        enc.copy_buffer_to_buffer(buffer, offset, &staging, 0, size.next_multiple_of(4));
        self.queue.submit([enc.finish()]);
        let (tx, rx) = flume::bounded(1);
        staging.slice(..).map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        self.wait()?;
        rx.recv()
            .map_err(|_| Error::Gpu("readback callback never ran".into()))?
            .map_err(|e| Error::Gpu(format!("readback failed: {e}")))?;
        let view = staging
            .slice(..)
            .get_mapped_range()
            .map_err(|e| Error::Gpu(format!("readback map failed: {e}")))?;
        let out = bytemuck::cast_slice::<u8, T>(&view[..size as usize]).to_vec();
        drop(view);
        staging.unmap();
        Ok(out)
    }
}
