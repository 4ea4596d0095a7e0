//! Whole-date jobs: staff act on every order of a date at once. A dry run shows
//! the totals first; the real run records a job, fans out one message per order, and the
//! follow-up worker runs each order through the same rules and transaction as the single-order
//! command. Progress is counted per order exactly once, however often a message arrives.
//!
//! A job's id derives from the staff member and their idempotency key: starting it again with
//! the same key answers the same job (and finishes sending its messages if a crash interrupted
//! that); each order's command carries the job as its idempotency key, so it runs once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use storno_core::{
    Actor, Currency, DateAction, DateId, DateTotals, DomainError, EventDate, Order, OrderId,
    StaffId, act_on_date_order, date_action_staff, date_totals, orders_to_act_on,
};

use super::{
    AppError, Clock, DateOrder, Envelope, FollowUpPublisher, Idempotency, Queue, Runner, hash_hex,
};

/// A whole-date job as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DateJob {
    pub id: String,
    pub date: DateId,
    pub action: DateAction,
    pub staff: StaffId,
    pub started_at: DateTime<Utc>,
}

/// One order the job could not act on, and why (a refusal's stable code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JobFailure {
    pub order: OrderId,
    pub code: String,
}

/// A job and how far it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JobProgress {
    pub job: DateJob,
    /// Orders the job acts on.
    pub total: usize,
    pub succeeded: usize,
    pub failed: usize,
    /// Every order's message was sent.
    pub fanned_out: bool,
    pub failures: Vec<JobFailure>,
}

impl JobProgress {
    pub fn is_finished(&self) -> bool {
        self.fanned_out && self.succeeded + self.failed >= self.total
    }
}

/// What a whole-date action would do: nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DatePreview {
    pub date: DateId,
    pub action: DateAction,
    /// Counts and money per currency of the orders acted on.
    pub totals: Vec<DateTotals>,
    /// Orders the action would change.
    pub would_change: usize,
    /// Orders on the date the action would refuse, with the rule.
    pub would_refuse: Vec<JobFailure>,
}

impl<P, C> Runner<P, C>
where
    P: FollowUpPublisher,
    C: Clock,
{
    /// The dry run of a whole-date action: every order decided, nothing written.
    pub async fn preview_date_action(
        &self,
        date: &DateId,
        action: &DateAction,
        actor: &Actor,
    ) -> Result<DatePreview, AppError> {
        let (orders, target) = self.date_action_scope(date, action, actor).await?;
        let mut preview = DatePreview {
            date: date.clone(),
            action: action.clone(),
            totals: Vec::new(),
            would_change: 0,
            would_refuse: Vec::new(),
        };
        let mut changing: Vec<&Order> = Vec::with_capacity(orders.len());
        for order in &orders {
            let ctx = self.context(order, actor).await?;
            match act_on_date_order(order, date, action, target.as_ref(), &ctx) {
                Ok(_) => changing.push(order),
                Err(refusal) => preview.would_refuse.push(JobFailure {
                    order: order.id.clone(),
                    code: refusal.code().to_owned(),
                }),
            }
        }
        preview.would_change = changing.len();
        // The totals count what the action would act on: the refused orders stay as they are.
        let mut currencies: Vec<Currency> = changing.iter().map(|o| o.currency).collect();
        currencies.sort_by_key(|c| c.to_string());
        currencies.dedup();
        for currency in currencies {
            preview.totals.push(date_totals(
                date,
                currency,
                self.clock().now(),
                changing.iter().copied(),
            ));
        }
        Ok(preview)
    }

    /// Starts (or resumes) a whole-date job and sends one message per order to `queue`. The
    /// caller's `Idempotency-Key` names the job: the same key never starts it twice, so a
    /// start without one is refused.
    pub async fn start_date_job(
        &self,
        date: &DateId,
        action: &DateAction,
        actor: &Actor,
        key: Option<&str>,
        queue: &impl Queue,
    ) -> Result<JobProgress, AppError> {
        let key = key.ok_or(AppError::IdempotencyKeyRequired(
            "starting a whole-date job needs an Idempotency-Key: the same key never starts it twice",
        ))?;
        let staff = date_action_staff(actor)?;
        let id = hash_hex(&[
            b"date-job\0",
            staff.as_str().as_bytes(),
            b"\0",
            key.as_bytes(),
        ])[..32]
            .to_owned();
        if let Some(progress) = self.store().load_job(&id).await? {
            return self.resume(progress, date, action, None, queue).await;
        }
        let (orders, _) = self.date_action_scope(date, action, actor).await?;
        let job = DateJob {
            id: id.clone(),
            date: date.clone(),
            action: action.clone(),
            staff: staff.clone(),
            started_at: self.clock().now(),
        };
        let progress = if self.store().create_job(&job, orders.len()).await? {
            JobProgress {
                job,
                total: orders.len(),
                succeeded: 0,
                failed: 0,
                fanned_out: false,
                failures: Vec::new(),
            }
        } else {
            // A racing start with the same key created it first: continue as a resume.
            self.store()
                .load_job(&id)
                .await?
                .ok_or(DomainError::NotFound("job"))?
        };
        self.resume(progress, date, action, Some(orders), queue)
            .await
    }

    /// Sends the job's messages unless that was done; the same key with another date or
    /// action is a reused key. `orders` are the job's orders if they were just read.
    async fn resume(
        &self,
        mut progress: JobProgress,
        date: &DateId,
        action: &DateAction,
        orders: Option<Vec<Order>>,
        queue: &impl Queue,
    ) -> Result<JobProgress, AppError> {
        if &progress.job.date != date || &progress.job.action != action {
            return Err(AppError::IdempotencyKeyReused);
        }
        if progress.fanned_out {
            return Ok(progress);
        }
        let job = &progress.job;
        let orders = match orders {
            Some(orders) => orders,
            None => {
                self.date_action_scope(date, action, &Actor::Staff(job.staff.clone()))
                    .await?
                    .0
            }
        };
        let envelopes: Vec<Envelope> = orders
            .iter()
            .map(|order| {
                Envelope::date_order(DateOrder {
                    job: job.id.clone(),
                    date: date.clone(),
                    order: order.id.clone(),
                    action: action.clone(),
                    staff: job.staff.clone(),
                })
            })
            .collect();
        let refused = queue
            .send(&envelopes)
            .await
            .map_err(|e| AppError::Unavailable(e.to_string()))?;
        if !refused.is_empty() {
            return Err(AppError::Unavailable(format!(
                "the queue took {} of {} messages; start the job again with the same key to send the rest",
                envelopes.len() - refused.len(),
                envelopes.len()
            )));
        }
        self.store().mark_fanned_out(&job.id).await?;
        progress.fanned_out = true;
        Ok(progress)
    }

    /// One order of a job (the follow-up worker): runs the command once and counts it once.
    /// A refusal is the order's outcome; anything else is an error to deliver again.
    pub async fn run_date_order(&self, item: &DateOrder) -> Result<(), AppError> {
        let actor = Actor::Staff(item.staff.clone());
        let idempotency =
            Idempotency::new(format!("date-job:{}", item.job), item.order.as_str(), b"");
        let (date, action) = (&item.date, &item.action);
        let result = match action.target() {
            Some(target) => {
                self.execute_onto(
                    &item.order,
                    &actor,
                    Some(&idempotency),
                    target,
                    |o, t, c| act_on_date_order(o, date, action, Some(t), c),
                )
                .await
            }
            None => {
                self.execute(&item.order, &actor, Some(&idempotency), |o, c| {
                    act_on_date_order(o, date, action, None, c)
                })
                .await
            }
        };
        let outcome = match result {
            Ok(_) => Ok(()),
            Err(AppError::Domain(refusal)) => Err(refusal.code().to_owned()),
            Err(other) => return Err(other),
        };
        self.store()
            .record_outcome(&item.job, &item.order, outcome)
            .await?;
        Ok(())
    }

    /// A job's progress (staff only).
    pub async fn date_job(&self, id: &str, actor: &Actor) -> Result<JobProgress, AppError> {
        date_action_staff(actor)?;
        Ok(self
            .store()
            .load_job(id)
            .await?
            .ok_or(DomainError::NotFound("job"))?)
    }

    /// The orders a date-wide action touches (loaded), and its target date.
    async fn date_action_scope(
        &self,
        date: &DateId,
        action: &DateAction,
        actor: &Actor,
    ) -> Result<(Vec<Order>, Option<EventDate>), AppError> {
        date_action_staff(actor)?;
        self.store()
            .load_date(date)
            .await?
            .ok_or(DomainError::NotFound("date"))?;
        let target = match action.target() {
            Some(target) => Some(
                self.store()
                    .load_date(target)
                    .await?
                    .ok_or(DomainError::NotFound("date"))?,
            ),
            None => None,
        };
        let orders = self.orders_on_date(date).await?;
        let acted_on: Vec<Order> = orders_to_act_on(date, orders.iter()).cloned().collect();
        Ok((acted_on, target))
    }
}
