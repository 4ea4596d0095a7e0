//! Queue adapters: SQS, and the in-process twin with the same semantics; and the outgoing
//! instructions queue (payments and messages) of the production follow-up worker.

mod instructions;
mod memory;
mod sqs;

pub use instructions::SqsInstructions;
pub use memory::MemoryQueue;
pub use sqs::SqsQueue;
