//! Certification and evaluation agencies, stored as their dated events and replayed through
//! [`kcvs_registry::agency::AgencyState::apply`].

use kcvs_registry::agency::{AgencyEvent, AgencyEventKind, AgencyState};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::AnyConnection;

use crate::rows::{int, json, spelling, text};
use crate::write::RowLock;
use crate::{Store, StoreError, WriteTx, db_err};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyRecord {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// The cached state name.
    pub state: String,
    pub events: Vec<AgencyEvent>,
}

impl AgencyRecord {
    pub fn replay(&self) -> Result<AgencyState, StoreError> {
        self.events
            .iter()
            .enumerate()
            .try_fold(AgencyState::default(), |s, (i, e)| {
                s.apply(e).map_err(|x| {
                    StoreError::Corrupt(format!(
                        "agency `{}`: event {i} no longer applies: {x}",
                        self.id
                    ))
                })
            })
    }
}

fn state_name(s: &AgencyState) -> &'static str {
    match s {
        AgencyState::Undesignated(_) => "undesignated",
        AgencyState::Designated(_) => "designated",
        AgencyState::Revoked(_) => "revoked",
    }
}

async fn load(conn: &mut AnyConnection, id: Option<&str>) -> Result<Vec<AgencyRecord>, StoreError> {
    let rows = match id {
        Some(id) => {
            sqlx::query("SELECT id, name, kind, state FROM agencies WHERE id = $1")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
        }
        None => {
            sqlx::query("SELECT id, name, kind, state FROM agencies ORDER BY id")
                .fetch_all(&mut *conn)
                .await?
        }
    };
    let mut out = Vec::new();
    for r in &rows {
        let id = text(r, "id")?;
        let events =
            sqlx::query("SELECT seq, body FROM agency_events WHERE agency_id = $1 ORDER BY seq")
                .bind(&id)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|e| {
                    let _ = int(e, "seq")?;
                    json(e, "body")
                })
                .collect::<Result<Vec<AgencyEvent>, StoreError>>()?;
        out.push(AgencyRecord {
            id,
            name: text(r, "name")?,
            kind: text(r, "kind")?,
            state: text(r, "state")?,
            events,
        });
    }
    Ok(out)
}

impl Store {
    pub async fn agencies(&self) -> Result<Vec<AgencyRecord>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, None).await
    }

    pub async fn agency(&self, id: &str) -> Result<Option<AgencyRecord>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(load(&mut conn, Some(id)).await?.into_iter().next())
    }
}

impl WriteTx {
    /// Apply one dated event to an agency; a `designate` of an unknown id creates it.
    pub async fn agency_event(
        &mut self,
        id: &str,
        event: AgencyEvent,
    ) -> Result<AgencyState, StoreError> {
        self.lock_row(RowLock::Agency, id).await?;
        let existing = load(&mut self.tx, Some(id)).await?.into_iter().next();
        let record = match existing {
            Some(r) => r,
            None => {
                let AgencyEventKind::Designate { name, kind, .. } = &event.kind else {
                    return Err(StoreError::not_found("agency", id));
                };
                sqlx::query(
                    "INSERT INTO agencies (id, name, kind, state, event_count, updated_at) VALUES ($1, $2, $3, 'undesignated', 0, $4)",
                )
                .bind(id)
                .bind(name)
                .bind(spelling(kind))
                .bind(self.now.to_string())
                .execute(&mut *self.tx)
                .await
                .map_err(|e| db_err(e, "agency"))?;
                AgencyRecord {
                    id: id.to_owned(),
                    name: name.clone(),
                    kind: spelling(kind),
                    state: "undesignated".to_owned(),
                    events: Vec::new(),
                }
            }
        };
        if let AgencyEventKind::Designate { agency, .. } = &event.kind
            && agency.as_str() != id
        {
            return Err(StoreError::Invalid(format!(
                "the designation names agency `{agency}`, not `{id}`"
            )));
        }
        let before = record.replay()?;
        let after = before.apply(&event)?;
        let seq = i64::try_from(record.events.len()).map_err(StoreError::corrupt)?;
        sqlx::query(
            "INSERT INTO agency_events (id, agency_id, seq, event_date, kind, body, actor, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(crate::new_id("aev")?)
        .bind(id)
        .bind(seq)
        .bind(event.date.to_string())
        .bind(event.kind.name())
        .bind(serde_json::to_string(&event).map_err(StoreError::corrupt)?)
        .bind(&self.actor)
        .bind(self.now.to_string())
        .execute(&mut *self.tx)
        .await
        .map_err(|e| db_err(e, "agency event"))?;
        sqlx::query(
            "UPDATE agencies SET state = $1, event_count = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(state_name(&after))
        .bind(seq + 1)
        .bind(self.now.to_string())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            &format!("agency.{}", event.kind.name()),
            id,
            json!({ "event": event, "state": state_name(&after) }),
        )
        .await?;
        Ok(after)
    }
}
