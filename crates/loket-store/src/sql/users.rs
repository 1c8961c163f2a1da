// Included by `sqlite.rs` and `postgres.rs` after `common.rs`, whose imports it uses.

#[async_trait]
impl UserStore for StoreImpl {
    async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?)
    }

    async fn add_user(&self, user: NewUser, now: DateTime<Utc>) -> Result<()> {
        self.write_add_user(user, now).await
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
        self.write_set_password(username, password_hash).await
    }

    async fn set_disabled(&self, username: &str, disabled: bool) -> Result<bool> {
        self.write_set_disabled(username, disabled).await
    }

    async fn add_session(&self, token_hash: &str, username: &str, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> Result<()> {
        self.write_add_session(token_hash, username, now, expires_at).await
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
        self.write_end_session(token_hash).await
    }
}
