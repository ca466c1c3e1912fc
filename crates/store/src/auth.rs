//! Users (argon2 PHC strings, hashed by the caller), sessions and API tokens. Only the SHA-256 of
//! a session or API token is stored: a stolen database yields no usable credential.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::rows::{int, opt_text, text};
use crate::{Store, StoreError, WriteTx, db_err};

/// A user to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    pub id: String,
    pub username: String,
    /// An argon2 PHC string.
    pub password_hash: String,
    /// `provider`, `evaluator`, `committee`, `admin`.
    pub role: String,
    /// For a provider: the provider it speaks for.
    pub provider: Option<String>,
    pub display_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    #[serde(skip_serializing)]
    pub password_hash: String,
    pub role: String,
    pub provider: Option<String>,
    pub display_name: String,
}

/// Who a credential stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user: UserRow,
    /// `None` for a session (everything the role allows); the token's scopes otherwise.
    pub scopes: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// An API token as its owner and the authority see it: never the secret or its digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiTokenState {
    pub token: ApiTokenRow,
    /// When it was revoked (RFC 3339), if it was.
    pub revoked_at: Option<String>,
}

const TOKEN_COLUMNS: &str = "id, user_id, name, scopes, created_at, expires_at, revoked_at";

fn token_from_row(row: &sqlx::any::AnyRow) -> Result<ApiTokenState, StoreError> {
    Ok(ApiTokenState {
        token: ApiTokenRow {
            id: text(row, "id")?,
            user_id: text(row, "user_id")?,
            name: text(row, "name")?,
            scopes: text(row, "scopes")?
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            created_at: text(row, "created_at")?,
            expires_at: int(row, "expires_at")?,
        },
        revoked_at: opt_text(row, "revoked_at")?,
    })
}

const USER_COLUMNS: &str = "id, username, password_hash, role, provider_id, display_name";

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<UserRow, StoreError> {
    Ok(UserRow {
        id: text(row, "id")?,
        username: text(row, "username")?,
        password_hash: text(row, "password_hash")?,
        role: text(row, "role")?,
        provider: opt_text(row, "provider_id")?,
        display_name: text(row, "display_name")?,
    })
}

impl Store {
    pub async fn user_by_username(&self, username: &str) -> Result<Option<UserRow>, StoreError> {
        let sql = "SELECT id, username, password_hash, role, provider_id, display_name FROM users WHERE username = $1";
        debug_assert!(sql.contains(USER_COLUMNS));
        sqlx::query(sql)
            .bind(username)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| user_from_row(&r))
            .transpose()
    }

    pub async fn user(&self, id: &str) -> Result<Option<UserRow>, StoreError> {
        sqlx::query("SELECT id, username, password_hash, role, provider_id, display_name FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| user_from_row(&r))
            .transpose()
    }

    pub async fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        sqlx::query("SELECT id, username, password_hash, role, provider_id, display_name FROM users ORDER BY username")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(user_from_row)
            .collect()
    }

    /// The user of a live session (`now` in Unix seconds).
    pub async fn session_principal(
        &self,
        token_sha256: &str,
        now: i64,
    ) -> Result<Option<Principal>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.password_hash, u.role, u.provider_id, u.display_name, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_sha256 = $1",
        )
        .bind(token_sha256)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        if int(&row, "expires_at")? <= now {
            return Ok(None);
        }
        Ok(Some(Principal {
            user: user_from_row(&row)?,
            scopes: None,
        }))
    }

    /// The user of a live, unrevoked API token (`now` in Unix seconds).
    pub async fn token_principal(
        &self,
        token_sha256: &str,
        now: i64,
    ) -> Result<Option<Principal>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.password_hash, u.role, u.provider_id, u.display_name, t.expires_at, t.scopes, t.revoked_at \
             FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_sha256 = $1",
        )
        .bind(token_sha256)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        if int(&row, "expires_at")? <= now || opt_text(&row, "revoked_at")?.is_some() {
            return Ok(None);
        }
        let scopes = text(&row, "scopes")?
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        Ok(Some(Principal {
            user: user_from_row(&row)?,
            scopes: Some(scopes),
        }))
    }
}

impl Store {
    /// One API token by its id (not its secret).
    pub async fn api_token(&self, id: &str) -> Result<Option<ApiTokenState>, StoreError> {
        let sql = "SELECT id, user_id, name, scopes, created_at, expires_at, revoked_at FROM api_tokens WHERE id = $1";
        debug_assert!(sql.contains(TOKEN_COLUMNS));
        sqlx::query(sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| token_from_row(&r))
            .transpose()
    }

    /// A user's API tokens, newest first.
    pub async fn api_tokens_of(&self, user_id: &str) -> Result<Vec<ApiTokenState>, StoreError> {
        sqlx::query(
            "SELECT id, user_id, name, scopes, created_at, expires_at, revoked_at FROM api_tokens \
             WHERE user_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(token_from_row)
        .collect()
    }
}

impl WriteTx {
    pub async fn create_user(&mut self, user: &NewUser) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO users (id, username, password_hash, role, provider_id, display_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&user.id)
        .bind(&user.username)
        .bind(&user.password_hash)
        .bind(&user.role)
        .bind(user.provider.clone())
        .bind(&user.display_name)
        .bind(self.now.to_string())
        .execute(&mut *self.tx)
        .await
        .map_err(|e| db_err(e, "user"))?;
        self.audit(
            "user.create",
            &user.id,
            json!({ "username": user.username, "role": user.role, "provider": user.provider }),
        )
        .await?;
        Ok(())
    }

    pub async fn create_session(
        &mut self,
        token_sha256: &str,
        user_id: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_sha256, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_sha256)
        .bind(user_id)
        .bind(self.now.to_string())
        .bind(expires_at)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| db_err(e, "session"))?;
        self.audit("auth.login", user_id, json!({ "expires_at": expires_at }))
            .await?;
        Ok(())
    }

    pub async fn delete_session(&mut self, token_sha256: &str) -> Result<(), StoreError> {
        let row = sqlx::query("SELECT user_id FROM sessions WHERE token_sha256 = $1")
            .bind(token_sha256)
            .fetch_optional(&mut *self.tx)
            .await?;
        if let Some(row) = row {
            let user = text(&row, "user_id")?;
            sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1")
                .bind(token_sha256)
                .execute(&mut *self.tx)
                .await?;
            self.audit("auth.logout", &user, json!({})).await?;
        }
        Ok(())
    }

    pub async fn create_api_token(
        &mut self,
        token: &ApiTokenRow,
        token_sha256: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO api_tokens (id, token_sha256, user_id, name, scopes, created_at, expires_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
        )
        .bind(&token.id)
        .bind(token_sha256)
        .bind(&token.user_id)
        .bind(&token.name)
        .bind(token.scopes.join(" "))
        .bind(&token.created_at)
        .bind(token.expires_at)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| db_err(e, "api token"))?;
        self.audit(
            "auth.token-create",
            &token.user_id,
            json!({ "token": token.id, "name": token.name, "scopes": token.scopes, "expires_at": token.expires_at }),
        )
        .await?;
        Ok(())
    }

    /// Revoke an API token; `false` if it was revoked already (nothing is written then).
    pub async fn revoke_api_token(&mut self, id: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT user_id, revoked_at FROM api_tokens WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or_else(|| StoreError::not_found("api token", id))?;
        if opt_text(&row, "revoked_at")?.is_some() {
            return Ok(false);
        }
        let owner = text(&row, "user_id")?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
            .bind(self.now.to_string())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        self.audit("auth.token-revoke", &owner, json!({ "token": id }))
            .await?;
        Ok(true)
    }

    /// Delete every session that expired at or before `now` (Unix seconds); how many went.
    /// Housekeeping, not a change of anyone's rights (an expired session already admits no
    /// one), so it leaves no audit record.
    pub async fn purge_expired_sessions(&mut self, now: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected())
    }
}

/// Who a failed sign-in counts against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginSubject<'a> {
    /// The username as typed, whether or not such a user exists.
    Account(&'a str),
    /// A client address, as the caller keys it (e.g. an IPv6 address by its /64).
    Address(&'a str),
}

impl LoginSubject<'_> {
    fn kind(self) -> &'static str {
        match self {
            LoginSubject::Account(_) => "account",
            LoginSubject::Address(_) => "address",
        }
    }

    fn subject(&self) -> &str {
        match self {
            LoginSubject::Account(s) | LoginSubject::Address(s) => s,
        }
    }
}

impl WriteTx {
    /// Start sign-in attempt `attempt` at `now` (Unix seconds). Each subject comes with its
    /// limit, failures within the last `window` seconds; a limit of 0 leaves that subject
    /// uncounted. If a subject is at its limit the answer is `Ok(Err(wait))`, the seconds until
    /// its oldest failure leaves the window, and nothing is written. Otherwise the attempt counts
    /// as a failure of each limited subject from now (so guesses sent in parallel cannot pass
    /// while the password is checked) until [`WriteTx::login_succeeded`] takes it back. Commit
    /// before checking the password, so other processes see it.
    pub async fn start_login_attempt(
        &mut self,
        attempt: &str,
        subjects: &[(LoginSubject<'_>, u32)],
        window: i64,
        now: i64,
    ) -> Result<Result<(), u64>, StoreError> {
        let limited: Vec<(LoginSubject<'_>, u32)> = subjects
            .iter()
            .copied()
            .filter(|&(_, max)| max > 0)
            .collect();
        let keys: Vec<(&str, &str)> = limited
            .iter()
            .map(|(s, _)| (s.kind(), s.subject()))
            .collect();
        self.lock_login_subjects(&keys).await?;
        let mut wait: Option<u64> = None;
        for (s, max) in &limited {
            let row = sqlx::query(
                "SELECT COUNT(*) AS n, COALESCE(MIN(at), 0) AS oldest FROM login_failures \
                 WHERE kind = $1 AND subject = $2 AND at > $3",
            )
            .bind(s.kind())
            .bind(s.subject())
            .bind(now - window)
            .fetch_one(&mut *self.tx)
            .await?;
            if int(&row, "n")? >= i64::from(*max) {
                let left = u64::try_from(int(&row, "oldest")? + window - now)
                    .unwrap_or(1)
                    .max(1);
                wait = Some(wait.map_or(left, |w| w.max(left)));
            }
        }
        if let Some(w) = wait {
            return Ok(Err(w));
        }
        for (s, _) in &limited {
            sqlx::query(
                "INSERT INTO login_failures (attempt, kind, subject, at) VALUES ($1, $2, $3, $4)",
            )
            .bind(attempt)
            .bind(s.kind())
            .bind(s.subject())
            .bind(now)
            .execute(&mut *self.tx)
            .await
            .map_err(|e| db_err(e, "login attempt"))?;
        }
        Ok(Ok(()))
    }

    /// Attempt `attempt` signed in to `account`: the account starts afresh, and the other
    /// subjects (the address) lose this attempt's failure but keep their others.
    pub async fn login_succeeded(
        &mut self,
        attempt: &str,
        account: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE kind = 'account' AND subject = $1")
            .bind(account)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM login_failures WHERE attempt = $1")
            .bind(attempt)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Forget failed sign-ins at or before `until` (Unix seconds: now less the window); returns
    /// how many rows went.
    pub async fn purge_login_failures(&mut self, until: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM login_failures WHERE at <= $1")
            .bind(until)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected())
    }
}
