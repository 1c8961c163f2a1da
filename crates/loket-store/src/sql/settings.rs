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

    async fn save_settings(&self, entries: Vec<(String, serde_json::Value)>, by: &str, now: DateTime<Utc>) -> Result<()> {
        let saved = self.write_save_settings(entries, by, now).await;
        self.invalidate_settings();
        saved
    }
}
