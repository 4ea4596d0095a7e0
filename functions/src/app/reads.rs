//! The read use cases: an order's documents, one document by number, a partner's orders (My
//! Sales) and the orders whose invoice waits for its new version. Who may see what is the
//! core's rule; the routes only shape the answer.

use storno_core::{Actor, Document, DomainError, Order, OrderId, PartnerId};

use super::{AppError, Clock, FollowUpPublisher, Page, Runner};

impl<P: FollowUpPublisher, C: Clock> Runner<P, C> {
    /// The order and its documents the caller may see, newest first (while the invoice is
    /// being changed, the cancellation document leads).
    pub async fn order_documents(
        &self,
        id: &OrderId,
        actor: &Actor,
    ) -> Result<(Order, Vec<Document>), AppError> {
        let order = self.read_order(id, actor).await?;
        let mut documents = self.store().documents(&order.id).await?;
        documents.retain(|d| order.document_visible_to(&d.kind, actor));
        documents.reverse();
        Ok((order, documents))
    }

    /// A document by its printed number. One the caller may not see does not exist for them,
    /// exactly like a missing one; a storage failure stays one.
    pub async fn document(&self, printed: &str, actor: &Actor) -> Result<Document, AppError> {
        let missing = || AppError::Domain(DomainError::NotFound("document"));
        let Some(order) = self.store().document_order(printed).await? else {
            return Err(missing());
        };
        let order = match self.read_order(&order, actor).await {
            Err(AppError::Domain(DomainError::NotFound(_))) => return Err(missing()),
            other => other?,
        };
        self.store()
            .document(&order.id, printed)
            .await?
            .filter(|d| order.document_visible_to(&d.kind, actor))
            .ok_or_else(missing)
    }

    /// One page of a partner's orders (the partner, staff).
    pub async fn partner_orders(
        &self,
        partner: &PartnerId,
        actor: &Actor,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<Page<Order>, AppError> {
        actor.require_partner_or_staff(partner)?;
        let page = self.store().partner_orders(partner, limit, cursor).await?;
        self.orders_of(page).await
    }

    /// One page of the orders whose invoice waits for its new version (staff).
    pub async fn editing_invoices(
        &self,
        actor: &Actor,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<Page<Order>, AppError> {
        actor.require_staff("list invoices being changed")?;
        let page = self.store().editing_invoices(limit, cursor).await?;
        self.orders_of(page).await
    }

    /// The orders of a page of ids (an id whose order vanished is skipped).
    async fn orders_of(&self, page: Page<OrderId>) -> Result<Page<Order>, AppError> {
        let mut items = Vec::with_capacity(page.items.len());
        for id in &page.items {
            if let Some(loaded) = self.store().load_order(id, false).await? {
                items.push(loaded.order);
            }
        }
        Ok(Page {
            items,
            next: page.next,
        })
    }
}
