//! The apply journal as an append blob fed by a background thread: the engine hands over one
//! record per finished resource without waiting for the network; the thread appends whatever
//! has queued up as one block (group commit), and `sync` waits until all of it is stored.

use super::BlobError;
use super::client::Client;
use crate::state::StateError;
use crate::state::envelope::{DataKey, Kind, journal_line};
use crate::state::journal::{JournalEntry, JournalHeader};
use crate::state::model::State;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// An append block holds at most 4 MiB; stay below it.
const MAX_BLOCK: usize = 4 * 1024 * 1024 - 64 * 1024;

enum Msg {
    Record(Vec<u8>),
    Flush(Sender<()>),
}

pub struct BlobJournal {
    tx: Option<Sender<Msg>>,
    worker: Option<JoinHandle<()>>,
    /// The first failure of the background writer, reported by the next call.
    failed: Arc<Mutex<Option<String>>>,
    name: String,
    /// Encryption at rest: each record sealed with the state's data key.
    sealer: Option<DataKey>,
}

fn line<T: serde::Serialize>(v: &T) -> Vec<u8> {
    let mut l = serde_json::to_vec(v).unwrap_or_default();
    l.push(b'\n');
    l
}

impl BlobJournal {
    /// Creates `name` (emptied if it exists: any earlier journal was folded in on load) with
    /// its header, then starts the writer.
    pub fn create(
        client: &Client,
        name: &str,
        state: &State,
        sealer: Option<DataKey>,
    ) -> Result<BlobJournal, BlobError> {
        client.create_append(name)?;
        let header = JournalHeader {
            journal_version: 1,
            lineage: state.lineage.clone(),
            base_serial: state.serial,
        };
        let first = match &sealer {
            None => line(&header),
            Some(k) => {
                let mut b = k.header(Kind::Journal, None);
                b.extend(k.seal_line(Kind::Journal, &line(&header)).map_err(|m| {
                    BlobError::Unreachable {
                        endpoint: client.location(),
                        message: m,
                    }
                })?);
                b
            }
        };
        client.append_block(name, first)?;
        let (tx, rx) = std::sync::mpsc::channel();
        let failed = Arc::new(Mutex::new(None));
        let (c, n, f) = (client.clone(), name.to_string(), failed.clone());
        let worker = std::thread::Builder::new()
            .name("blob-journal".into())
            .spawn(move || write_loop(&c, &n, &rx, &f))
            .map_err(|e| BlobError::Unreachable {
                endpoint: client.location(),
                message: format!("cannot start the journal writer: {e}"),
            })?;
        Ok(BlobJournal {
            tx: Some(tx),
            worker: Some(worker),
            failed,
            name: client.display(name),
            sealer,
        })
    }

    fn check(&self) -> Result<(), StateError> {
        match self.failed.lock().ok().and_then(|f| f.clone()) {
            Some(message) => Err(StateError::Remote {
                what: self.name.clone(),
                message,
            }),
            None => Ok(()),
        }
    }

    /// Queues one record; never waits for the network.
    pub fn append(&mut self, entry: &JournalEntry) -> Result<(), StateError> {
        self.check()?;
        let mut record = line(entry);
        if let Some(k) = &self.sealer {
            record = journal_line(k, &record, std::path::Path::new(&self.name))?;
        }
        if let Some(tx) = &self.tx {
            let _ = tx.send(Msg::Record(record));
        }
        Ok(())
    }

    /// Waits until every queued record is stored.
    pub fn sync(&mut self) -> Result<(), StateError> {
        let (done, wait) = std::sync::mpsc::channel();
        if let Some(tx) = &self.tx
            && tx.send(Msg::Flush(done)).is_ok()
        {
            let _ = wait.recv();
        }
        self.check()
    }
}

impl Drop for BlobJournal {
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

fn write_loop(client: &Client, name: &str, rx: &Receiver<Msg>, failed: &Mutex<Option<String>>) {
    let mut pending: Option<Msg> = None;
    loop {
        let first = match pending.take() {
            Some(m) => m,
            None => match rx.recv() {
                Ok(m) => m,
                Err(_) => return,
            },
        };
        let mut block = Vec::new();
        let mut waiters = Vec::new();
        let mut next = Some(first);
        while let Some(msg) = next.take() {
            match msg {
                Msg::Record(bytes)
                    if !block.is_empty() && block.len() + bytes.len() > MAX_BLOCK =>
                {
                    pending = Some(Msg::Record(bytes));
                    break;
                }
                Msg::Record(bytes) => block.extend_from_slice(&bytes),
                Msg::Flush(w) => waiters.push(w),
            }
            next = rx.try_recv().ok();
        }
        let already_failed = failed.lock().map(|f| f.is_some()).unwrap_or(true);
        if !block.is_empty()
            && !already_failed
            && let Err(e) = client.append_block(name, block)
            && let Ok(mut f) = failed.lock()
        {
            *f = Some(e.to_string());
        }
        for w in waiters {
            let _ = w.send(());
        }
    }
}
