//! The date use cases: create a date (idempotent by id and content), activate or deactivate
//! it, read it.

use storno_core::{Actor, DateId, DomainError, EventDate};

use super::{AppError, Clock, FollowUpPublisher, Runner};

impl<P: FollowUpPublisher, C: Clock> Runner<P, C> {
    pub async fn date(&self, id: &DateId) -> Result<EventDate, AppError> {
        self.store()
            .load_date(id)
            .await?
            .ok_or_else(|| DomainError::NotFound("date").into())
    }

    /// Stores a new date. The same date again is a replay and answers it; another date under
    /// the same id is refused.
    pub async fn create_date(&self, date: EventDate) -> Result<EventDate, AppError> {
        if self.store().insert_date(&date).await? {
            return Ok(date);
        }
        match self.store().load_date(&date.id).await? {
            Some(stored) if stored == date => Ok(stored),
            _ => Err(AppError::DateExists(date.id.to_string())),
        }
    }

    /// Activates or deactivates a date; asking again for what is already so answers the date
    /// as it is.
    pub async fn set_date_active(
        &self,
        id: &DateId,
        active: bool,
        actor: &Actor,
    ) -> Result<EventDate, AppError> {
        let date = self.date(id).await?;
        let changed = match date.set_active(active, actor) {
            Ok(changed) => changed,
            Err(DomainError::DateActivationUnchanged(_)) => return Ok(date),
            Err(refusal) => return Err(refusal.into()),
        };
        self.store().put_date(&changed).await?;
        Ok(changed)
    }
}
