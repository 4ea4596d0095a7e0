//! Queue adapters: SQS, and the in-process twin with the same semantics.

mod memory;
mod sqs;

pub use memory::MemoryQueue;
pub use sqs::SqsQueue;
