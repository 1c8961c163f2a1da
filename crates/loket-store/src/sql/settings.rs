// Included by `sqlite.rs` and `postgres.rs` after `common.rs`, whose imports it uses.

#[async_trait]
impl SettingsStore for StoreImpl {
    async fn settings(&self) -> Result<Arc<OfficeSettings>> {
        if let Some(s) = self.cache.read().ok().and_then(|c| c.clone()) {
            return Ok(s);
        }
        let s = Arc::new(self.load_settings().await?);
        if let Ok(mut cache) = self.cache.write() {
            *cache = Some(s.clone());
        }
        Ok(s)
    }

    async fn save_setting(&self, key: &str, value: serde_json::Value, by: &str, now: DateTime<Utc>) -> Result<()> {
        let mut w = self.begin_write().await?;
        let result = async {
            sqlx::query(
                "INSERT INTO settings (office_id, key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (office_id, key) DO UPDATE SET value = $3, updated_at = $4, updated_by = $5",
            )
            .bind(OFFICE)
            .bind(key)
            .bind(value.to_string())
            .bind(ms(now))
            .bind(by)
            .execute(w.conn())
            .await?;
            self.settings_changed(w.conn()).await?;
            Ok(())
        }
        .await;
        let closed = self.close(w, result).await;
        self.invalidate_settings();
        closed
    }
}
