//! Dates: create and (de)activate them, their attendee lists, and the whole-date jobs that act
//! on every order booked on one.

use lambda_http::http::{StatusCode, header};
use storno_core::{DateAction, DateId, EventDate, TimeZone};

use super::super::answers::AttendeeList;
use super::super::bodies;
use super::super::problem::Problem;
use super::super::refusal::Refusal;
use super::super::request::{idempotency, idempotency_key, json, respond};
use super::super::views;
use super::{Api, Call, Routed, stored_response, to_json};
use crate::app::{Clock, FollowUpPublisher, Queue};

impl<P, C, Q> Api<P, C, Q>
where
    P: FollowUpPublisher,
    C: Clock,
    Q: Queue,
{
    pub(super) async fn create_date(&self, call: &Call<'_>) -> Routed {
        let body: bodies::NewDate = json(call.request)?;
        let partner = EventDate::organiser(&call.actor, body.partner)?;
        let time_zone = match &body.time_zone {
            Some(name) => TimeZone::parse(name)?,
            None => TimeZone::BERLIN,
        };
        let date = EventDate::new(
            body.id,
            partner,
            body.title,
            (body.starts_at, body.ends_at, time_zone),
            body.terms,
            &call.actor,
        )?;
        self.once(call, StatusCode::CREATED, || async {
            Ok(self.runner.create_date(date).await?)
        })
        .await
    }

    pub(super) async fn update_date(&self, call: &Call<'_>) -> Routed {
        let body: bodies::DateUpdate = json(call.request)?;
        let id: DateId = call.id("id", "date")?;
        self.once(call, StatusCode::OK, || async {
            let runner = &self.runner;
            Ok(runner
                .set_date_active(&id, body.active, &call.actor)
                .await?)
        })
        .await
    }

    pub(super) async fn attendees(&self, call: &Call<'_>) -> Routed {
        let id: DateId = call.id("id", "date")?;
        let date = self.runner.date(&id).await?;
        date.require_attendee_list_access(&call.actor)?;
        let orders = self.runner.orders_on_date(&id).await?;
        let answer = AttendeeList {
            date: &id,
            attendees: storno_core::attendees_on(&id, orders.iter()),
        };
        Ok(respond(StatusCode::OK, &answer, None))
    }

    /// Rebook or cancel everyone on a date: a dry run previews, otherwise a job starts (202
    /// with its `Location`).
    pub(super) async fn date_action(&self, call: &Call<'_>) -> Routed {
        let id: DateId = call.id("id", "date")?;
        let (action, dry_run) = match call.matched.spec.id {
            super::super::routes::RouteId::RebookAll => {
                let body: bodies::RebookAll = json(call.request)?;
                let target = body.target;
                (DateAction::RebookAll { target }, body.dry_run)
            }
            _ => {
                let body: bodies::DryRunOnly = json(call.request)?;
                (DateAction::CancelAll, body.dry_run)
            }
        };
        if dry_run {
            let runner = &self.runner;
            let preview = runner
                .preview_date_action(&id, &action, &call.actor)
                .await?;
            return Ok(respond(StatusCode::OK, &preview, None));
        }
        let key = idempotency_key(call.request)?;
        let scoped = idempotency(call.request, &call.actor)?;
        let stored = self
            .runner
            .once(scoped.as_ref(), || async {
                let progress = self
                    .runner
                    .start_date_job(&id, &action, &call.actor, key, &self.queue)
                    .await?;
                let view = views::job(&progress);
                Ok::<_, Problem>((StatusCode::ACCEPTED.as_u16(), to_json(&view)))
            })
            .await?;
        let job = serde_json::from_str::<serde_json::Value>(&stored.1)
            .ok()
            .and_then(|v| v["job"]["id"].as_str().map(str::to_owned));
        let location = job.map(|job| format!("/dates/{id}/jobs/{job}"));
        Ok(stored_response(stored, location))
    }

    pub(super) async fn date_job(&self, call: &Call<'_>) -> Routed {
        let id: DateId = call.id("id", "date")?;
        let job = call.param("jobId");
        let progress = self.runner.date_job(job, &call.actor).await?;
        if progress.job.date != id {
            return Err(Refusal::NotFound("job").into());
        }
        let mut response = respond(StatusCode::OK, &views::job(&progress), None);
        if !progress.is_finished() {
            // Polling sooner shows nothing new: the follow-ups take about that long.
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("2"));
        }
        Ok(response)
    }
}
