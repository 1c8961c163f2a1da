// Included by `sqlite.rs` and `postgres.rs` after `common.rs`, whose imports it uses.

#[async_trait]
impl UserStore for StoreImpl {
    async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?)
    }

    async fn add_user(&self, user: NewUser, now: DateTime<Utc>) -> Result<()> {
        let mut w = self.begin_write().await?;
        let result = async {
            let exists: Option<String> =
                sqlx::query_scalar("SELECT username FROM users WHERE username = $1").bind(&user.username).fetch_optional(w.conn()).await?;
            if exists.is_some() {
                return Err(StoreError::Duplicate);
            }
            sqlx::query("INSERT INTO users (username, full_name, password_hash, roles, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&user.username)
                .bind(&user.full_name)
                .bind(&user.password_hash)
                .bind(roles_to_text(&user.roles))
                .bind(false)
                .bind(ms(now))
                .execute(w.conn())
                .await?;
            Ok(())
        }
        .await;
        self.close(w, result).await
    }

    async fn user(&self, username: &str) -> Result<Option<UserRecord>> {
        let row = sqlx::query("SELECT username, full_name, password_hash, roles, disabled FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(UserRecord { user: user_from_row(&r)?, password_hash: r.try_get("password_hash")? })
        })
        .transpose()
    }

    async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query("SELECT username, full_name, roles, disabled FROM users ORDER BY username").fetch_all(&self.pool).await?;
        rows.iter().map(user_from_row).collect()
    }

    async fn set_password(&self, username: &str, password_hash: &str) -> Result<bool> {
        let mut w = self.begin_write().await?;
        let result = async {
            let n = sqlx::query("UPDATE users SET password_hash = $2 WHERE username = $1")
                .bind(username)
                .bind(password_hash)
                .execute(w.conn())
                .await?
                .rows_affected();
            sqlx::query("DELETE FROM sessions WHERE username = $1").bind(username).execute(w.conn()).await?;
            Ok(n > 0)
        }
        .await;
        self.close(w, result).await
    }

    async fn set_disabled(&self, username: &str, disabled: bool) -> Result<bool> {
        let mut w = self.begin_write().await?;
        let result = async {
            let n = sqlx::query("UPDATE users SET disabled = $2 WHERE username = $1")
                .bind(username)
                .bind(disabled)
                .execute(w.conn())
                .await?
                .rows_affected();
            if disabled {
                sqlx::query("DELETE FROM sessions WHERE username = $1").bind(username).execute(w.conn()).await?;
            }
            Ok(n > 0)
        }
        .await;
        self.close(w, result).await
    }

    async fn add_session(&self, token_hash: &str, username: &str, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> Result<()> {
        let mut w = self.begin_write().await?;
        let result = async {
            // Expired sessions are removed as new ones are made.
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(ms(now)).execute(w.conn()).await?;
            sqlx::query("INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(token_hash)
                .bind(username)
                .bind(ms(now))
                .bind(ms(expires_at))
                .execute(w.conn())
                .await?;
            Ok(())
        }
        .await;
        self.close(w, result).await
    }

    async fn session_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT u.username, u.full_name, u.roles, u.disabled FROM sessions s JOIN users u ON u.username = s.username \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = $3",
        )
        .bind(token_hash)
        .bind(ms(now))
        .bind(false)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn end_session(&self, token_hash: &str) -> Result<()> {
        let mut w = self.begin_write().await?;
        let result = async {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(w.conn()).await?;
            Ok(())
        }
        .await;
        self.close(w, result).await
    }
}
