//! The issuer registry's use cases: configure an issuer (system, staff) and read it back.

use storno_core::{Actor, DomainError, Issuer, IssuerId, NewIssuer};

use super::{AppError, Clock, Conflict, FollowUpPublisher, Runner, StoreError};

impl<P: FollowUpPublisher, C: Clock> Runner<P, C> {
    /// Creates or replaces an issuer. Its prefix is reserved for it; another issuer's prefix is
    /// refused with nothing written.
    pub async fn put_issuer(
        &self,
        id: IssuerId,
        new: NewIssuer,
        actor: &Actor,
    ) -> Result<Issuer, AppError> {
        let previous = self.store().load_issuer(&id).await?;
        let issuer = Issuer::replacing(previous.as_ref(), id, new, actor)?;
        match self.store().put_issuer(&issuer).await {
            Ok(()) => Ok(issuer),
            Err(StoreError::Conflict(Conflict::PrefixTaken { owner })) => {
                Err(DomainError::PrefixTaken {
                    prefix: issuer.numbers.prefix().to_owned(),
                    issuer: owner,
                }
                .into())
            }
            Err(StoreError::Conflict(_)) => Err(AppError::Conflict),
            Err(error) => Err(error.into()),
        }
    }

    /// An issuer (system, staff).
    pub async fn read_issuer(&self, id: &IssuerId, actor: &Actor) -> Result<Issuer, AppError> {
        Issuer::require_reader(actor)?;
        self.store()
            .load_issuer(id)
            .await?
            .ok_or_else(|| DomainError::NotFound("issuer").into())
    }
}
