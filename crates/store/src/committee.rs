//! The deliberation committee: members and their declarations, sittings, votes, and the
//! decision, which [`kcvs_registry::committee::tally`] reaches and the lifecycle records.

use kcvs_registry::committee::{
    Declaration, Member, QuorumRule, Resolution, Sitting, SittingError, Vote, may_open_sitting,
    may_vote, recusal, tally,
};
use kcvs_registry::ctx::Ctx;
use kcvs_registry::lifecycle::{Event, EventKind, State, StateName};
use kcvs_registry::{ApplicationId, Date, DeliberationId, MemberId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::AnyConnection;

use crate::lifecycle::{Signer, load_application};
use crate::rows::{date, json, opt_text, parse_spelling, spelling, text};
use crate::write::RowLock;
use crate::{Store, StoreError, WriteTx, db_err};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub member: Member,
    /// The user who signs in as this member.
    pub user: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteRow {
    pub vote: Vote,
    pub cast_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliberationRow {
    pub id: DeliberationId,
    pub application: ApplicationId,
    pub date: Date,
    pub present: Vec<MemberId>,
    pub votes: Vec<VoteRow>,
    pub resolution: Option<Resolution>,
}

impl DeliberationRow {
    pub fn sitting(&self) -> Sitting {
        Sitting {
            id: self.id.clone(),
            application: self.application.clone(),
            date: self.date,
            present: self.present.clone(),
            votes: self.votes.iter().map(|v| v.vote.clone()).collect(),
        }
    }
}

async fn load_members(conn: &mut AnyConnection) -> Result<Vec<MemberRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, user_id, name, affiliation, term_from, term_until FROM members ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let decls = sqlx::query(
        "SELECT member_id, provider_id, kind, declared FROM declarations ORDER BY member_id, declared, provider_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let id = text(r, "id")?;
        let mut declarations = Vec::new();
        for d in &decls {
            if text(d, "member_id")? == id {
                declarations.push(Declaration {
                    provider: text(d, "provider_id")?.as_str().into(),
                    kind: parse_spelling(&text(d, "kind")?)?,
                    declared: date(d, "declared")?,
                });
            }
        }
        out.push(MemberRow {
            member: Member {
                id: MemberId::new(id),
                name: text(r, "name")?,
                affiliation: parse_spelling(&text(r, "affiliation")?)?,
                term_from: date(r, "term_from")?,
                term_until: date(r, "term_until")?,
                declarations,
            },
            user: opt_text(r, "user_id")?,
        });
    }
    Ok(out)
}

async fn load_deliberations(
    conn: &mut AnyConnection,
    application: Option<&str>,
    id: Option<&str>,
) -> Result<Vec<DeliberationRow>, StoreError> {
    let rows = match (application, id) {
        (_, Some(id)) => {
            sqlx::query("SELECT id, application_id, sitting_date, present, resolution FROM deliberations WHERE id = $1")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
        }
        (Some(app), None) => {
            sqlx::query("SELECT id, application_id, sitting_date, present, resolution FROM deliberations WHERE application_id = $1 ORDER BY created_at, id")
                .bind(app)
                .fetch_all(&mut *conn)
                .await?
        }
        (None, None) => {
            sqlx::query("SELECT id, application_id, sitting_date, present, resolution FROM deliberations ORDER BY created_at, id")
                .fetch_all(&mut *conn)
                .await?
        }
    };
    let mut out = Vec::new();
    for r in &rows {
        let id = text(r, "id")?;
        let votes = sqlx::query(
            "SELECT member_id, choice, rationale, cast_at FROM votes WHERE deliberation_id = $1 ORDER BY cast_at, member_id",
        )
        .bind(&id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|v| {
            Ok(VoteRow {
                vote: Vote {
                    member: MemberId::new(text(v, "member_id")?),
                    choice: parse_spelling(&text(v, "choice")?)?,
                    rationale: text(v, "rationale")?,
                },
                cast_at: text(v, "cast_at")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        out.push(DeliberationRow {
            id: DeliberationId::new(id),
            application: ApplicationId::new(text(r, "application_id")?),
            date: date(r, "sitting_date")?,
            present: json(r, "present")?,
            votes,
            resolution: opt_text(r, "resolution")?
                .map(|s| serde_json::from_str(&s).map_err(StoreError::corrupt))
                .transpose()?,
        });
    }
    Ok(out)
}

impl Store {
    pub async fn members(&self) -> Result<Vec<MemberRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_members(&mut conn).await
    }

    /// The committee member a user signs in as.
    pub async fn member_of_user(&self, user_id: &str) -> Result<Option<MemberRow>, StoreError> {
        Ok(self
            .members()
            .await?
            .into_iter()
            .find(|m| m.user.as_deref() == Some(user_id)))
    }

    pub async fn deliberation(&self, id: &str) -> Result<Option<DeliberationRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(load_deliberations(&mut conn, None, Some(id))
            .await?
            .into_iter()
            .next())
    }

    /// Every sitting, or those of one application.
    pub async fn deliberations(
        &self,
        application: Option<&str>,
    ) -> Result<Vec<DeliberationRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_deliberations(&mut conn, application, None).await
    }
}

impl WriteTx {
    pub async fn add_member(
        &mut self,
        member: &Member,
        user: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO members (id, user_id, name, affiliation, term_from, term_until, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(member.id.as_str())
        .bind(user.map(str::to_owned))
        .bind(&member.name)
        .bind(spelling(&member.affiliation))
        .bind(member.term_from.to_string())
        .bind(member.term_until.to_string())
        .bind(self.now.to_string())
        .execute(&mut *self.tx)
        .await
        .map_err(|e| db_err(e, "member"))?;
        for d in &member.declarations {
            self.declare(&member.id, d).await?;
        }
        self.audit(
            "committee.add-member",
            member.id.as_str(),
            json!({ "name": member.name, "affiliation": member.affiliation, "term_from": member.term_from, "term_until": member.term_until, "user": user }),
        )
        .await?;
        Ok(())
    }

    /// Record a member's declared conflict of interest with a provider.
    pub async fn declare(&mut self, member: &MemberId, d: &Declaration) -> Result<(), StoreError> {
        let known = sqlx::query("SELECT id FROM members WHERE id = $1")
            .bind(member.as_str())
            .fetch_optional(&mut *self.tx)
            .await?;
        if known.is_none() {
            return Err(StoreError::not_found("member", member.as_str()));
        }
        sqlx::query(
            "INSERT INTO declarations (id, member_id, provider_id, kind, declared) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(crate::new_id("decl")?)
        .bind(member.as_str())
        .bind(d.provider.as_str())
        .bind(spelling(&d.kind))
        .bind(d.declared.to_string())
        .execute(&mut *self.tx)
        .await
        .map_err(|e| db_err(e, "declaration for this provider"))?;
        self.audit(
            "committee.declare",
            member.as_str(),
            json!({ "declaration": d }),
        )
        .await?;
        Ok(())
    }

    /// Open a sitting on an application under deliberation. Members with a declared conflict
    /// may be listed as present; the registry recuses them (`tally`), and they see nothing.
    pub async fn open_deliberation(
        &mut self,
        id: &DeliberationId,
        application: &str,
        on: Date,
        present: &[MemberId],
    ) -> Result<DeliberationRow, StoreError> {
        self.lock_row(RowLock::Application, application).await?;
        let app = load_application(&mut self.tx, application)
            .await?
            .ok_or_else(|| StoreError::not_found("application", application))?;
        let state: StateName = parse_spelling(&app.state)?;
        let open = load_deliberations(&mut self.tx, Some(application), None)
            .await?
            .into_iter()
            .find(|d| d.resolution.is_none());
        may_open_sitting(&app.id, state, open.as_ref().map(|d| (&d.id, d.date)))?;
        let members = load_members(&mut self.tx).await?;
        if let Some(unknown) = present
            .iter()
            .find(|p| !members.iter().any(|m| &m.member.id == *p))
        {
            return Err(StoreError::not_found("member", unknown.as_str()));
        }
        let present_json = serde_json::to_string(present).map_err(StoreError::corrupt)?;
        sqlx::query(
            "INSERT INTO deliberations (id, application_id, sitting_date, present, resolution, created_at) \
             VALUES ($1, $2, $3, $4, NULL, $5)",
        )
        .bind(id.as_str())
        .bind(application)
        .bind(on.to_string())
        .bind(present_json)
        .bind(self.now.to_string())
        .execute(&mut *self.tx)
        .await
        .map_err(|e| db_err(e, "deliberation"))?;
        self.audit(
            "committee.open-sitting",
            id.as_str(),
            json!({ "application": application, "date": on, "present": present }),
        )
        .await?;
        Ok(DeliberationRow {
            id: id.clone(),
            application: ApplicationId::new(application),
            date: on,
            present: present.to_vec(),
            votes: Vec::new(),
            resolution: None,
        })
    }

    pub async fn deliberation(&mut self, id: &str) -> Result<DeliberationRow, StoreError> {
        load_deliberations(&mut self.tx, None, Some(id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::not_found("deliberation", id))
    }

    /// Record one member's vote on an open sitting. The member must be present and not
    /// recused; a second vote is a conflict.
    pub async fn cast_vote(&mut self, deliberation: &str, vote: &Vote) -> Result<(), StoreError> {
        let d = self.deliberation(deliberation).await?;
        // The application's row orders this against a concurrent vote or decision on the
        // sitting; the sitting is read again under it.
        self.lock_row(RowLock::Application, d.application.as_str())
            .await?;
        let d = self.deliberation(deliberation).await?;
        may_vote(&d.sitting(), d.resolution.is_some(), vote)?;
        let app = load_application(&mut self.tx, d.application.as_str())
            .await?
            .ok_or_else(|| StoreError::not_found("application", d.application.as_str()))?;
        let members = load_members(&mut self.tx).await?;
        if let (Some(m), Some(a)) = (
            members.iter().find(|m| m.member.id == vote.member),
            app.application(),
        ) && recusal(&m.member, a).is_some()
        {
            return Err(StoreError::not_found("deliberation", deliberation));
        }
        sqlx::query(
            "INSERT INTO votes (deliberation_id, member_id, choice, rationale, cast_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(deliberation)
        .bind(vote.member.as_str())
        .bind(spelling(&vote.choice))
        .bind(&vote.rationale)
        .bind(self.now.to_string())
        .execute(&mut *self.tx)
        .await
        .map_err(|e| db_err(e, "vote of this member"))?;
        self.audit("committee.vote", deliberation, json!({ "vote": vote }))
            .await?;
        Ok(())
    }

    /// Close a sitting: the registry tallies it under `rule` (quorum, recusal, majority) and the
    /// application records the resolution as its `decide` event.
    pub async fn decide(
        &mut self,
        deliberation: &str,
        on: Date,
        rule: &QuorumRule,
        ctx: &Ctx,
        signer: &Signer,
    ) -> Result<(Resolution, State), StoreError> {
        let d = self.deliberation(deliberation).await?;
        // The application's row orders this against a concurrent vote or decision on the
        // sitting; the sitting is read again under it.
        self.lock_row(RowLock::Application, d.application.as_str())
            .await?;
        let d = self.deliberation(deliberation).await?;
        if d.resolution.is_some() {
            return Err(SittingError::Decided {
                sitting: d.id.clone(),
                date: d.date,
            }
            .into());
        }
        let app = load_application(&mut self.tx, d.application.as_str())
            .await?
            .ok_or_else(|| StoreError::not_found("application", d.application.as_str()))?;
        let application = app
            .application()
            .cloned()
            .ok_or_else(|| StoreError::Corrupt("application without submit event".to_owned()))?;
        let members: Vec<Member> = load_members(&mut self.tx)
            .await?
            .into_iter()
            .map(|m| m.member)
            .collect();
        let resolution = tally(&members, &application, &d.sitting(), rule)?;
        let state = self
            .apply_event(
                d.application.as_str(),
                Event::new(on, EventKind::Decide(resolution.clone())),
                ctx,
                signer,
            )
            .await?;
        sqlx::query("UPDATE deliberations SET resolution = $1 WHERE id = $2")
            .bind(serde_json::to_string(&resolution).map_err(StoreError::corrupt)?)
            .bind(deliberation)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            "committee.decide",
            deliberation,
            json!({ "outcome": resolution.outcome, "votes_for": resolution.votes_for, "votes_against": resolution.votes_against, "eligible": resolution.eligible }),
        )
        .await?;
        Ok((resolution, state))
    }
}
