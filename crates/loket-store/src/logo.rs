//! The office's logo in the store: its use cases, and the copy each instance keeps in memory.

use std::sync::{Arc, PoisonError, RwLock};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use loket_domain::logo::Logo;

use crate::store::{Backend, SqlStore, transaction};
use crate::{LogoStore, Result, reads, writes};

/// The office's logo as last read (`Some(None)`: read, and there is none); emptied when it changes
/// (on any instance). A read that started before a change is not kept after it: each change
/// counts a generation, and a value read under an older one is used once and not kept.
#[derive(Clone, Default)]
pub struct LogoCache(Arc<RwLock<LogoSlot>>);

#[derive(Default)]
struct LogoSlot {
    generation: u64,
    logo: Option<Option<Arc<Logo>>>,
}

impl LogoCache {
    // As the settings cache: a poisoned lock is taken over (the slot is replaced whole).
    fn get(&self) -> (u64, Option<Option<Arc<Logo>>>) {
        let slot = self.0.read().unwrap_or_else(PoisonError::into_inner);
        (slot.generation, slot.logo.clone())
    }

    fn put(&self, generation: u64, logo: Option<Arc<Logo>>) {
        let mut slot = self.0.write().unwrap_or_else(PoisonError::into_inner);
        if slot.generation == generation {
            slot.logo = Some(logo);
        }
    }

    pub(crate) fn forget(&self) {
        let mut slot = self.0.write().unwrap_or_else(PoisonError::into_inner);
        slot.generation = slot.generation.wrapping_add(1);
        slot.logo = None;
    }
}

#[async_trait]
impl<B: Backend> LogoStore for SqlStore<B> {
    async fn office_logo(&self) -> Result<Option<Arc<Logo>>> {
        let (generation, kept) = self.logo.get();
        if let Some(logo) = kept {
            return Ok(logo);
        }
        let logo = reads::office_logo(&mut self.backend.reader()).await?.map(Arc::new);
        self.logo.put(generation, logo.clone());
        Ok(logo)
    }

    async fn put_office_logo(&self, logo: Logo, by: &str, now: DateTime<Utc>) -> Result<()> {
        let done = transaction!(self, (by), |t, told| writes::put_office_logo(t, told, &logo, &by, now));
        self.logo.forget();
        done
    }

    async fn delete_office_logo(&self, by: &str, now: DateTime<Utc>) -> Result<bool> {
        let done = transaction!(self, (by), |t, told| writes::delete_office_logo(t, told, &by, now));
        self.logo.forget();
        done
    }
}
