//! Who may see and do what. One place, used by the JSON handlers and meant for the web UI too.
//!
//! | caller | sees an application when | may record |
//! |---|---|---|
//! | provider | it is the applicant | withdraw, surrender, apply-for-renewal |
//! | evaluator | it is assigned to them | review, on-site, findings, remediation, re-check, submit-to-committee, follow-up |
//! | committee member | a sitting on it exists and the member has no declared conflict with the applicant | votes (committee routes) |
//! | authority admin | always | assign, issue, hearing, revoke, renewal decisions, expire; committee sittings and decisions |
//!
//! Anything else is 404 when the caller may not see the file, 403 when they may see it but not
//! do this.

use kcvs_registry::committee::recusal;
use kcvs_store::{AppFilter, ApplicationRecord, DeliberationRow, MemberRow};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Role, User};

/// Why the caller may see an application.
#[derive(Clone, Debug)]
pub enum Standing {
    Applicant,
    AssignedEvaluator,
    Admin,
    Member(Box<MemberRow>),
}

/// Whether a committee member is recused from an application (declared conflict with its
/// applicant).
pub fn recused(member: &MemberRow, app: &ApplicationRecord) -> bool {
    app.application()
        .is_some_and(|a| recusal(&member.member, a).is_some())
}

/// The application if the caller may see it; 404 otherwise (also when it does not exist).
pub async fn see_application(
    state: &AppState,
    user: &User,
    id: &str,
) -> ApiResult<(ApplicationRecord, Standing)> {
    let hidden = || ApiError::not_found("application", id);
    let app = state.store().application(id).await?.ok_or_else(hidden)?;
    let standing = match user.role {
        Role::Admin => Standing::Admin,
        Role::Provider if user.provider() == Some(app.provider.as_str()) => Standing::Applicant,
        Role::Evaluator if app.evaluator.as_deref() == Some(user.id()) => {
            Standing::AssignedEvaluator
        }
        Role::Committee => {
            let member = state
                .store()
                .member_of_user(user.id())
                .await?
                .ok_or_else(hidden)?;
            let sat = !state.store().deliberations(Some(id)).await?.is_empty();
            if !sat || recused(&member, &app) {
                return Err(hidden());
            }
            Standing::Member(Box::new(member))
        }
        _ => return Err(hidden()),
    };
    Ok((app, standing))
}

/// Which applications a list shows the caller.
pub fn list_filter(user: &User) -> ApiResult<AppFilter> {
    match user.role {
        Role::Admin | Role::Committee => Ok(AppFilter::All),
        Role::Provider => user
            .provider()
            .map(|p| AppFilter::Provider(p.to_owned()))
            .ok_or_else(|| {
                ApiError::forbidden(
                    "this provider user names no provider",
                    "이 사업자 사용자에게 지정된 사업자가 없습니다",
                )
            }),
        Role::Evaluator => Ok(AppFilter::Evaluator(user.id().to_owned())),
    }
}

/// The role that records an event, by the event's `type`.
pub fn event_role(kind: &str) -> Role {
    match kind {
        "withdraw" | "surrender" | "apply-for-renewal" => Role::Provider,
        "start-document-review"
        | "start-on-site-evaluation"
        | "record-finding"
        | "request-remediation"
        | "recheck-remediation"
        | "submit-to-committee"
        | "follow-up" => Role::Evaluator,
        _ => Role::Admin,
    }
}

/// May the caller, who sees the application as `standing`, record an event of `kind`?
pub fn may_record(user: &User, standing: &Standing, kind: &str) -> ApiResult<()> {
    let ok = matches!(
        (event_role(kind), standing),
        (Role::Provider, Standing::Applicant)
            | (Role::Evaluator, Standing::AssignedEvaluator)
            | (Role::Admin, Standing::Admin)
    );
    if ok {
        Ok(())
    } else {
        let (en, ko) = match event_role(kind) {
            Role::Provider => ("applicant", "신청인"),
            Role::Evaluator => ("assigned evaluator", "담당 평가원"),
            _ => ("authority", "인증기관"),
        };
        let you = user.role.as_str();
        Err(ApiError::forbidden(
            format!("a `{kind}` event is recorded by the {en}; you are `{you}`"),
            format!("`{kind}` 사건은 {ko}이(가) 기록합니다. 현재 역할은 `{you}`입니다"),
        ))
    }
}

/// A sitting if the caller may see it: the authority, or a member not recused from its file.
pub async fn see_deliberation(
    state: &AppState,
    user: &User,
    id: &str,
) -> ApiResult<(DeliberationRow, Option<MemberRow>)> {
    let hidden = || ApiError::not_found("deliberation", id);
    let d = state.store().deliberation(id).await?.ok_or_else(hidden)?;
    match user.role {
        Role::Admin => Ok((d, None)),
        Role::Committee => {
            let member = state
                .store()
                .member_of_user(user.id())
                .await?
                .ok_or_else(hidden)?;
            let app = state
                .store()
                .application(d.application.as_str())
                .await?
                .ok_or_else(hidden)?;
            if recused(&member, &app) {
                return Err(hidden());
            }
            Ok((d, Some(member)))
        }
        _ => Err(ApiError::forbidden(
            "committee sittings are for the authority and the committee",
            "위원회 회의는 인증기관과 위원회만 볼 수 있습니다",
        )),
    }
}
