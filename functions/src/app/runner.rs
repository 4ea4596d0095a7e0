//! The use-case runner: read the order once, let the core decide, record the decision in one
//! transaction, hand its follow-ups on. On a version conflict it reloads and decides again
//! (bounded); a lost response is re-sent with the same `ClientRequestToken`; an idempotency
//! key that already committed answers with the stored receipt.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::Duration;
use storno_core::{
    Actor, Context, DateId, Decision, DomainError, EventDate, FollowUp, Issuer, IssuerId, Money,
    NewOrder, Order, OrderId, SeriesKey,
};

use super::idempotency::{IDEMPOTENCY_TTL_HOURS, token};
use super::retry::{Attempts, Retry};
use super::turns::Numbering;
use super::{
    AppError, Clock, Commit, Conflict, DateStore, FollowUpPublisher, Idempotency, IdempotencyWrite,
    LoadedOrder, OrderStore, Receipt, StoreError, StoredResponse,
};

/// How often a write whose response was lost is re-sent.
const MAX_RESENDS: usize = 3;
/// The platform's settings the use cases follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Calendar years granted credit stays valid after the year of its grant.
    pub credit_valid_years: u32,
    /// The issuer of the registry that invoices partners the platform's commission.
    pub platform_issuer: IssuerId,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            credit_valid_years: storno_core::credit::DEFAULT_VALID_YEARS,
            platform_issuer: IssuerId::parse("platform").expect("a valid id"),
        }
    }
}

pub struct Runner<S, P, C> {
    store: S,
    policy: Policy,
    publisher: P,
    clock: C,
    /// The next free number per series as last seen: saves a read per document-issuing command.
    /// A stale value only costs a retry (the counter's condition fails and reports the value).
    numbers: Mutex<HashMap<SeriesKey, u32>>,
    /// Makes tokens of commands without idempotency key unique per execution.
    executions: AtomicU64,
    /// One lock per number series: commands of this process that issue documents of one
    /// series commit one after the other instead of racing for the same number.
    series_locks: Mutex<HashMap<SeriesKey, Arc<tokio::sync::Mutex<()>>>>,
}

impl<S: OrderStore + DateStore, P: FollowUpPublisher, C: Clock> Runner<S, P, C> {
    pub fn new(store: S, publisher: P, clock: C) -> Self {
        Runner {
            store,
            policy: Policy::default(),
            publisher,
            clock,
            numbers: Mutex::new(HashMap::new()),
            executions: AtomicU64::new(0),
            series_locks: Mutex::new(HashMap::new()),
        }
    }

    /// The same runner under another policy.
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// Runs a command on an existing order. `decide` is a core command with its arguments bound.
    pub async fn execute<F>(
        &self,
        order: &OrderId,
        actor: &Actor,
        idempotency: Option<&Idempotency>,
        decide: F,
    ) -> Result<Receipt, AppError>
    where
        F: Fn(&Order, &Context) -> Result<Decision, DomainError>,
    {
        self.execute_with(order, actor, idempotency, None, |o, _, c| decide(o, c))
            .await
    }

    /// Runs a command that books onto another date (a rebooking): the date is read with the
    /// order on every attempt, and the transaction checks it is still active.
    pub async fn execute_onto<F>(
        &self,
        order: &OrderId,
        actor: &Actor,
        idempotency: Option<&Idempotency>,
        date: &DateId,
        decide: F,
    ) -> Result<Receipt, AppError>
    where
        F: Fn(&Order, &EventDate, &Context) -> Result<Decision, DomainError>,
    {
        self.execute_with(order, actor, idempotency, Some(date), |o, d, c| {
            decide(o, d.expect("the date is loaded"), c)
        })
        .await
    }

    async fn execute_with<F>(
        &self,
        order: &OrderId,
        actor: &Actor,
        idempotency: Option<&Idempotency>,
        onto: Option<&DateId>,
        decide: F,
    ) -> Result<Receipt, AppError>
    where
        F: Fn(&Order, Option<&EventDate>, &Context) -> Result<Decision, DomainError>,
    {
        let mut numbering = Numbering::default();
        let result = self
            .execute_numbered(order, actor, idempotency, onto, decide, &mut numbering)
            .await;
        self.end_turn(numbering).await;
        result
    }

    async fn execute_numbered<F>(
        &self,
        order: &OrderId,
        actor: &Actor,
        idempotency: Option<&Idempotency>,
        onto: Option<&DateId>,
        decide: F,
        numbering: &mut Numbering,
    ) -> Result<Receipt, AppError>
    where
        F: Fn(&Order, Option<&EventDate>, &Context) -> Result<Decision, DomainError>,
    {
        let execution = self.executions.fetch_add(1, Ordering::Relaxed);
        let mut consistent = false;
        let mut attempts = Attempts::default();
        let mut issuer: Option<Arc<Issuer>> = None;
        while attempts.remain() {
            // The first read is eventually consistent (half the cost; the write is conditioned
            // on the version anyway). Whatever it cannot settle is read again consistently.
            let loaded = match self.store.load_order(order, consistent).await {
                Ok(Some(loaded)) => loaded,
                Ok(None) | Err(StoreError::Ambiguous(_)) if !consistent => {
                    consistent = true;
                    continue;
                }
                Ok(None) => return Err(DomainError::NotFound("order").into()),
                Err(error) => return Err(error.into()),
            };
            // Another tenant's order answers exactly like a missing one.
            if !loaded.order.visible_to(actor) {
                return Err(DomainError::NotFound("order").into());
            }
            let date = match onto {
                Some(id) => Some(
                    self.store
                        .load_date(id)
                        .await?
                        .ok_or(DomainError::NotFound("date"))?,
                ),
                None => None,
            };
            let of_order = match issuer.take() {
                Some(known) if known.id == loaded.order.issuer => known,
                _ => self.issuer(&loaded.order.issuer).await?,
            };
            issuer = Some(Arc::clone(&of_order));
            let ctx = self.context_with(of_order, actor).await?;
            let decision = match decide(&loaded.order, date.as_ref(), &ctx) {
                Ok(decision) => decision,
                // A refusal on a possibly stale read is checked on the latest state.
                Err(_) if !consistent => {
                    consistent = true;
                    continue;
                }
                Err(refusal) => return self.refused(idempotency, refusal).await,
            };
            if !self.numbered_in_turn(&decision, numbering).await {
                continue;
            }
            let commit = Commit {
                decision: &decision,
                expected_version: Some(loaded.order.revision),
                previous_parts: loaded.parts,
                idempotency: Vec::new(),
                partner_debit_read: None,
                active_dates: onto.into_iter().cloned().collect(),
                token: String::new(),
                at: self.clock.now(),
            };
            match self.record(commit, idempotency, execution).await {
                Ok(receipt) => return Ok(receipt),
                Err(Retry::Again) => {
                    consistent = true;
                    attempts.lost_race().await;
                }
                Err(Retry::Renumber) => {
                    self.lost_number_of(&decision, numbering, &mut attempts)
                        .await
                }
                Err(Retry::Replay) => return self.replay(idempotency).await,
                Err(Retry::Fail(error)) => return Err(error),
            }
        }
        Err(AppError::Conflict)
    }

    /// Whether a decision may commit now as far as its document numbers go. A decision that
    /// takes numbers waits for its series' lock in this process (held until the command ends);
    /// if another command of this process used the numbers meanwhile, it must decide again
    /// (`false`), now in turn.
    async fn numbered_in_turn(&self, decision: &Decision, numbering: &mut Numbering) -> bool {
        let Some(numbers) = &decision.numbers else {
            return true;
        };
        if numbering.local.is_some() {
            return true;
        }
        let lock = Arc::clone(
            self.series_locks
                .lock()
                .expect("series locks")
                .entry(numbers.series.clone())
                .or_default(),
        );
        numbering.local = Some(lock.lock_owned().await);
        let next = self
            .numbers
            .lock()
            .expect("numbers lock")
            .get(&numbers.series)
            .copied();
        next.is_none_or(|next| next == numbers.first)
    }

    /// The decision lost its document numbers to another process: see [`Runner::lost_number`].
    async fn lost_number_of(
        &self,
        decision: &Decision,
        numbering: &mut Numbering,
        attempts: &mut Attempts,
    ) {
        match &decision.numbers {
            Some(numbers) => self.lost_number(&numbers.series, numbering, attempts).await,
            None => attempts.renumber().await,
        }
    }

    /// Decides without recording: a dry run (one read, no write).
    pub async fn dry_run<F>(
        &self,
        order: &OrderId,
        actor: &Actor,
        decide: F,
    ) -> Result<Decision, AppError>
    where
        F: Fn(&Order, &Context) -> Result<Decision, DomainError>,
    {
        let loaded = self
            .store
            .load_order(order, true)
            .await?
            .filter(|loaded| loaded.order.visible_to(actor))
            .ok_or(DomainError::NotFound("order"))?;
        let ctx = self.context(&loaded.order, actor).await?;
        Ok(decide(&loaded.order, &ctx)?)
    }

    /// Reads an order for `actor`: another tenant's order answers like a missing one. The read
    /// is eventually consistent unless it finds nothing.
    pub async fn read_order(&self, order: &OrderId, actor: &Actor) -> Result<Order, AppError> {
        let loaded = match self.store.load_order(order, false).await? {
            Some(loaded) => Some(loaded),
            None => self.store.load_order(order, true).await?,
        };
        loaded
            .map(|loaded| loaded.order)
            .filter(|order| order.visible_to(actor))
            .ok_or_else(|| DomainError::NotFound("order").into())
    }

    /// Every order currently booked on a date (eventually consistent reads).
    pub async fn orders_on_date(&self, date: &DateId) -> Result<Vec<Order>, AppError> {
        let mut orders = Vec::new();
        let mut start = None;
        loop {
            let page = self.store.orders_on(date, 100, start).await?;
            for id in page.items {
                if let Some(loaded) = self.store.load_order(&id, false).await? {
                    orders.push(loaded.order);
                }
            }
            match page.next {
                Some(next) => start = Some(next),
                None => return Ok(orders),
            }
        }
    }

    /// Order intake (checkout): idempotent by order id — the same order again answers the
    /// first receipt; another order under a known id is a conflict — and, when the request
    /// carries one, by its `Idempotency-Key` like every other command.
    pub async fn register(
        &self,
        new: NewOrder,
        actor: &Actor,
        payload: &[u8],
        key: Option<&Idempotency>,
    ) -> Result<Receipt, AppError> {
        // Before any replay: an intake's receipt is the registrar's alone.
        storno_core::require_order_registrar(actor)?;
        let mut numbering = Numbering::default();
        let result = self
            .register_numbered(new, actor, payload, key, &mut numbering)
            .await;
        self.end_turn(numbering).await;
        result
    }

    async fn register_numbered(
        &self,
        new: NewOrder,
        actor: &Actor,
        payload: &[u8],
        key: Option<&Idempotency>,
        numbering: &mut Numbering,
    ) -> Result<Receipt, AppError> {
        let order_id = new.id.clone();
        let by_id = Idempotency::new("intake", order_id.as_str(), payload);
        let mut attempts = Attempts::default();
        while attempts.remain() {
            let dates = self.booked_dates(&new).await?;
            let issuer = match self.issuer(&new.issuer).await {
                Ok(issuer) => issuer,
                Err(AppError::Domain(refusal)) => {
                    return match self.registered_before(key, &by_id, &order_id).await? {
                        Some(receipt) => Ok(receipt),
                        None => Err(refusal.into()),
                    };
                }
                Err(error) => return Err(error),
            };
            let now = self.clock.now();
            let ctx = Context {
                now,
                actor: actor.clone(),
                next_document_seq: self
                    .next_number(&SeriesKey::for_issue(&issuer, now))
                    .await?,
                issuer,
            };
            let decision = match storno_core::register_order(new.clone(), &dates, &ctx) {
                Ok(decision) => decision,
                Err(refusal) => {
                    return match self.registered_before(key, &by_id, &order_id).await? {
                        Some(receipt) => Ok(receipt),
                        None => Err(refusal.into()),
                    };
                }
            };
            if !self.numbered_in_turn(&decision, numbering).await {
                continue;
            }
            let commit = Commit {
                decision: &decision,
                expected_version: None,
                previous_parts: 0,
                idempotency: Vec::new(),
                partner_debit_read: None,
                active_dates: dates.iter().map(|d| d.id.clone()).collect(),
                token: String::new(),
                at: self.clock.now(),
            };
            let keys: Vec<&Idempotency> = std::iter::once(&by_id).chain(key).collect();
            match self.record_keyed(commit, &keys, 201, 0).await {
                Ok(receipt) => return Ok(receipt),
                Err(Retry::Again) => attempts.lost_race().await,
                Err(Retry::Renumber) => {
                    self.lost_number_of(&decision, numbering, &mut attempts)
                        .await
                }
                Err(Retry::Replay) => {
                    return self
                        .registered_before(key, &by_id, &order_id)
                        .await?
                        .ok_or(AppError::Conflict);
                }
                Err(Retry::Fail(error)) => return Err(error),
            }
        }
        Err(AppError::Conflict)
    }

    /// Releases one order's payout (the scheduler): reads the order and the partner's open
    /// debit, and commits only if neither changed.
    pub async fn release_payout(&self, order: &OrderId) -> Result<Receipt, AppError> {
        let mut numbering = Numbering::default();
        let result = self.release_numbered(order, &mut numbering).await;
        self.end_turn(numbering).await;
        result
    }

    async fn release_numbered(
        &self,
        order: &OrderId,
        numbering: &mut Numbering,
    ) -> Result<Receipt, AppError> {
        let execution = self.executions.fetch_add(1, Ordering::Relaxed);
        let mut attempts = Attempts::default();
        while attempts.remain() {
            let (loaded, debit, decision) = self.decide_release(order).await?;
            if !self.numbered_in_turn(&decision, numbering).await {
                continue;
            }
            let commit = Commit {
                decision: &decision,
                expected_version: Some(loaded.order.revision),
                previous_parts: loaded.parts,
                idempotency: Vec::new(),
                partner_debit_read: Some(debit),
                active_dates: Vec::new(),
                token: String::new(),
                at: self.clock.now(),
            };
            match self.record(commit, None, execution).await {
                Ok(receipt) => return Ok(receipt),
                Err(Retry::Again) => attempts.lost_race().await,
                Err(Retry::Renumber) => {
                    self.lost_number_of(&decision, numbering, &mut attempts)
                        .await
                }
                Err(Retry::Replay) => unreachable!("no idempotency key"),
                Err(Retry::Fail(error)) => return Err(error),
            }
        }
        Err(AppError::Conflict)
    }

    /// What releasing `order`'s payout decides now, read consistently: the order, the partner's
    /// open debit it was decided with, and the decision. Writes nothing (a dry run stops here).
    pub async fn decide_release(
        &self,
        order: &OrderId,
    ) -> Result<(LoadedOrder, Money, Decision), AppError> {
        let loaded = self
            .store
            .load_order(order, true)
            .await?
            .ok_or(DomainError::NotFound("order"))?;
        let debit = self
            .store
            .partner_debit(&loaded.order.partner, loaded.order.currency)
            .await?;
        let partner = self
            .store
            .load_partner(&loaded.order.partner)
            .await?
            .ok_or_else(|| DomainError::PartnerBillingMissing(loaded.order.partner.to_string()))?;
        // The platform invoices the commission: its issuer and number series.
        let platform = &self.policy.platform_issuer;
        let issuer = self.issuer(platform).await.map_err(|error| match error {
            AppError::Domain(DomainError::UnknownIssuer(_)) => {
                DomainError::PlatformIssuerMissing(platform.to_string()).into()
            }
            other => other,
        })?;
        let ctx = self.context_with(issuer, &Actor::System).await?;
        let decision = storno_core::release_payout(&loaded.order, debit, &partner, &ctx)?;
        Ok((loaded, debit, decision))
    }

    /// The dates an intake books, as stored now.
    async fn booked_dates(&self, new: &NewOrder) -> Result<Vec<storno_core::EventDate>, AppError> {
        let mut dates: Vec<storno_core::EventDate> = Vec::new();
        for id in new.bookings.iter().map(|b| &b.date) {
            if dates.iter().any(|d| &d.id == id) {
                continue;
            }
            if let Some(date) = self.store.load_date(id).await? {
                dates.push(date);
            }
        }
        Ok(dates)
    }

    pub(super) async fn context(&self, order: &Order, actor: &Actor) -> Result<Context, AppError> {
        let issuer = self.issuer(&order.issuer).await?;
        self.context_with(issuer, actor).await
    }

    /// The context of a command by `actor` on documents of `issuer` (read once per command).
    async fn context_with(&self, issuer: Arc<Issuer>, actor: &Actor) -> Result<Context, AppError> {
        let now = self.clock.now();
        Ok(Context {
            now,
            actor: actor.clone(),
            next_document_seq: self
                .next_number(&SeriesKey::for_issue(&issuer, now))
                .await?,
            issuer,
        })
    }

    /// An issuer as the registry holds it now (documents issued now freeze it).
    pub(super) async fn issuer(&self, id: &IssuerId) -> Result<Arc<Issuer>, AppError> {
        self.store
            .load_issuer(id)
            .await?
            .map(Arc::new)
            .ok_or_else(|| DomainError::UnknownIssuer(id.to_string()).into())
    }

    /// Forgets the next number seen for `series`: the next command reads the counter.
    pub(super) fn forget_number(&self, series: &SeriesKey) {
        self.numbers.lock().expect("numbers lock").remove(series);
    }

    async fn next_number(&self, series: &SeriesKey) -> Result<u32, AppError> {
        if let Some(next) = self.numbers.lock().expect("numbers lock").get(series) {
            return Ok(*next);
        }
        let next = self.store.next_number(series).await?;
        self.numbers
            .lock()
            .expect("numbers lock")
            .insert(series.clone(), next);
        Ok(next)
    }

    /// Hands committed follow-ups on; what fails here the outbox sweeper sends later.
    pub(super) async fn publish(&self, stream: &OrderId, revision: u64, followups: &[FollowUp]) {
        if let Err(error) = self.publisher.publish(stream, revision, followups).await {
            tracing::warn!(order = %stream, %error, "follow-ups not handed on yet");
        }
    }

    /// Commits, re-sending on a lost response, and hands the follow-ups on.
    async fn record(
        &self,
        commit: Commit<'_>,
        idempotency: Option<&Idempotency>,
        execution: u64,
    ) -> Result<Receipt, Retry> {
        let keys: Vec<&Idempotency> = idempotency.into_iter().collect();
        self.record_keyed(commit, &keys, 200, execution).await
    }

    /// [`Self::record`] with the idempotency records to write and the status they answer.
    async fn record_keyed(
        &self,
        mut commit: Commit<'_>,
        keys: &[&Idempotency],
        status: u16,
        execution: u64,
    ) -> Result<Receipt, Retry> {
        let decision = commit.decision;
        let receipt = Receipt::of(decision);
        let now = self.clock.now();
        let response = serde_json::to_string(&receipt).expect("receipts serialise");
        commit.idempotency = keys
            .iter()
            .map(|key| IdempotencyWrite {
                key_hash: key.key_hash(),
                payload_hash: key.payload_hash.clone(),
                status,
                response: response.clone(),
                expires_at: (now + Duration::hours(IDEMPOTENCY_TTL_HOURS)).timestamp(),
            })
            .collect();
        commit.token = token(decision, keys.last().copied(), execution);
        // Re-sends of this very write share the token; any later attempt (new numbers, new
        // time) gets its own, so DynamoDB never sees one token with two sets of items.
        let mut result = self.store.commit(&commit).await;
        for _ in 0..MAX_RESENDS {
            match result {
                Err(StoreError::Ambiguous(_)) => result = self.store.commit(&commit).await,
                _ => break,
            }
        }
        match result {
            Ok(_) => {
                if let Some(numbers) = &decision.numbers {
                    self.numbers
                        .lock()
                        .expect("numbers lock")
                        .insert(numbers.series.clone(), numbers.first + numbers.count);
                }
                let published = self
                    .publisher
                    .publish(
                        &decision.order.id,
                        decision.order.revision,
                        &decision.followups,
                    )
                    .await;
                if let Err(error) = published {
                    // The command record keeps them; the outbox sweeper sends them later.
                    tracing::warn!(order = %decision.order.id, %error, "follow-ups not handed on yet");
                }
                Ok(receipt)
            }
            Err(StoreError::Conflict(
                Conflict::Version | Conflict::Balance | Conflict::DateInactive,
            )) => Err(Retry::Again),
            Err(StoreError::Conflict(Conflict::Counter { next })) => {
                if let Some(numbers) = &decision.numbers {
                    self.numbers
                        .lock()
                        .expect("numbers lock")
                        .insert(numbers.series.clone(), next);
                }
                Err(Retry::Renumber)
            }
            Err(StoreError::Conflict(Conflict::Idempotency | Conflict::AlreadyExists)) => {
                Err(Retry::Replay)
            }
            // Nothing was written: the balance did not cover the credit spent.
            Err(StoreError::Conflict(Conflict::InsufficientCredit { balance })) => {
                let order = &decision.order;
                let balance = balance
                    .and_then(|b| storno_core::Money::new(b, order.currency).ok())
                    .unwrap_or(storno_core::Money::zero(order.currency));
                Err(Retry::Fail(
                    DomainError::InsufficientCredit {
                        wanted: (-decision.customer_credit_change).to_string(),
                        balance: balance.to_string(),
                    }
                    .into(),
                ))
            }
            Err(error) => Err(Retry::Fail(error.into())),
        }
    }

    /// A refusal may be the replay of a request that already succeeded: answer that instead.
    async fn refused(
        &self,
        idempotency: Option<&Idempotency>,
        refusal: DomainError,
    ) -> Result<Receipt, AppError> {
        match idempotency {
            Some(key) => match self.stored_receipt(key).await? {
                Some(receipt) => Ok(receipt),
                None => Err(refusal.into()),
            },
            None => Err(refusal.into()),
        }
    }

    /// What an intake registered before answers: the header key's receipt first (the key
    /// reused for another request → 422), else the same order's by its id; another order
    /// under the id is a conflict of ids (409), not a reused key — the caller may have sent none.
    async fn registered_before(
        &self,
        key: Option<&Idempotency>,
        by_id: &Idempotency,
        order: &OrderId,
    ) -> Result<Option<Receipt>, AppError> {
        if let Some(key) = key
            && let Some(receipt) = self.stored_receipt(key).await?
        {
            return Ok(Some(receipt));
        }
        match self.stored_receipt(by_id).await {
            Err(AppError::IdempotencyKeyReused) => Err(AppError::OrderExists(order.to_string())),
            other => other,
        }
    }

    async fn replay(&self, idempotency: Option<&Idempotency>) -> Result<Receipt, AppError> {
        let Some(key) = idempotency else {
            return Err(AppError::Conflict);
        };
        self.stored_receipt(key).await?.ok_or(AppError::Conflict)
    }

    /// The receipt stored under `key`: `None` if the key is new; the key reused for another
    /// request is refused, as is one whose first request is still at work.
    async fn stored_receipt(&self, key: &Idempotency) -> Result<Option<Receipt>, AppError> {
        match self.store.idempotency_record(&key.key_hash()).await? {
            Some(stored) if stored.payload_hash != key.payload_hash => {
                Err(AppError::IdempotencyKeyReused)
            }
            Some(StoredResponse {
                response: Some((_, body)),
                ..
            }) => Ok(Some(
                serde_json::from_str(&body)
                    .map_err(|e| AppError::Store(StoreError::decoding(e)))?,
            )),
            Some(_) => Err(AppError::in_flight(None)),
            None => Ok(None),
        }
    }
}
