//! The registry's Ed25519 signing key: a 32-byte seed kept as 64 hex digits in a file the server
//! creates at first start (mode 0600), and the public key as published.

use std::io::Write as _;
use std::path::Path;

use ed25519_dalek::{SigningKey, VerifyingKey};
use kcvs_registry::digest::{hex_decode, hex_encode};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or write the key file `{path}`: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the key file `{0}` does not hold 64 lowercase hex digits")]
    Format(String),
    #[error("no randomness for a new key: {0}")]
    Random(String),
}

/// Read the seed from `path`, or create it there with a fresh random seed. The flag says
/// whether it was created.
pub fn load_or_create(path: &Path) -> Result<(SigningKey, bool), KeyError> {
    let io = |source| KeyError::Io {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let seed = hex_decode(text.trim())
                .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
                .ok_or_else(|| KeyError::Format(path.display().to_string()))?;
            Ok((SigningKey::from_bytes(&seed), false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt as _;
                opts.mode(0o600);
            }
            let mut f = opts.open(path).map_err(io)?;
            f.write_all(format!("{}\n", hex_encode(&seed)).as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(io)?;
            Ok((SigningKey::from_bytes(&seed), true))
        }
        Err(e) => Err(io(e)),
    }
}

pub fn public_key_hex(key: &VerifyingKey) -> String {
    hex_encode(key.as_bytes())
}

/// A public key from 64 hex digits.
pub fn parse_public_key(text: &str) -> Option<VerifyingKey> {
    let bytes = hex_decode(text.trim())?;
    let arr = <[u8; 32]>::try_from(bytes.as_slice()).ok()?;
    VerifyingKey::from_bytes(&arr).ok()
}
