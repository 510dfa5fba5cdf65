//! TLS to the database, with rustls and the *ring* provider like the rest of the program, chosen by
//! libpq's own `sslmode` in the address:
//!
//! | `sslmode`     | encrypted | the server's certificate                                               |
//! |---------------|-----------|------------------------------------------------------------------------|
//! | `disable`     | no        | — (the default: the database's own machine or a trusted network)       |
//! | `require`     | yes       | not checked — unless `sslrootcert` is given, then as `verify-ca`       |
//! | `verify-ca`   | yes       | signed by the authority in `sslrootcert`                               |
//! | `verify-full` | yes       | signed by that authority *and* made out to the host in the address     |
//!
//! `prefer` and `allow` are refused: they fall back to plain text without a word. `sslrootcert` is a PEM
//! file of the authority's certificates (libpq's default `~/.postgresql/root.crt` when it is not given).
//!
//! SCRAM logins are bound to the TLS channel (`tls-server-end-point`, RFC 5929) when the server offers
//! SCRAM-SHA-256-PLUS, so a machine in the middle that holds a certificate `require` accepted still
//! cannot relay the login.

use std::future::Future;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How much of the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// `require` without an authority: encrypted, the certificate taken as it comes.
    Nothing,
    /// `verify-ca` (or `require` with `sslrootcert`): signed by the authority.
    Authority,
    /// `verify-full`: signed by the authority and made out to the host.
    Full,
}

/// The client side of TLS to PostgreSQL, for `postgres::Config::connect`.
#[derive(Clone)]
pub struct Rustls {
    config: Arc<rustls::ClientConfig>,
}

impl Rustls {
    /// TLS checking `verify` against the authority certificates in `roots` (a PEM file; needed unless
    /// `verify` is `Nothing`). Errors name the file.
    pub fn new(verify: Verify, roots: Option<&Path>) -> Result<Self, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?;
        let verifier: Arc<dyn ServerCertVerifier> = match (verify, roots) {
            (Verify::Nothing, _) => Arc::new(Unchecked(provider)),
            (_, None) => return Err("sslrootcert: the authority's certificate is needed to verify the server".into()),
            (verify, Some(file)) => {
                let mut store = rustls::RootCertStore::empty();
                let certs = CertificateDer::pem_file_iter(file)
                    .map_err(|e| format!("{}: {e}", file.display()))?
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| format!("{}: not a PEM certificate: {e}", file.display()))?;
                if certs.is_empty() {
                    return Err(format!("{}: no certificate in the file", file.display()));
                }
                for cert in certs {
                    store.add(cert).map_err(|e| format!("{}: {e}", file.display()))?;
                }
                let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
                    .build()
                    .map_err(|e| format!("{}: {e}", file.display()))?;
                match verify {
                    Verify::Full => webpki,
                    _ => Arc::new(AuthorityOnly(webpki)),
                }
            }
        };
        let config = builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth();
        Ok(Self { config: Arc::new(config) })
    }
}

/// `require`: the handshake's signatures are checked (the session is really encrypted to the holder of
/// the certificate's key), the certificate itself is not.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the whole chain is checked up to the authority; only the name is not (WebPKI checks the
/// name last, so a name error means everything else held).
#[derive(Debug)]
struct AuthorityOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AuthorityOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

impl<S> MakeTlsConnect<S> for Rustls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = Stream<S>;
    type TlsConnect = Connect;
    type Error = rustls::pki_types::InvalidDnsNameError;

    fn make_tls_connect(&mut self, domain: &str) -> Result<Connect, Self::Error> {
        Ok(Connect { config: self.config.clone(), name: ServerName::try_from(domain.to_owned())? })
    }
}

/// One connection's handshake.
pub struct Connect {
    config: Arc<rustls::ClientConfig>,
    name: ServerName<'static>,
}

impl<S> TlsConnect<S> for Connect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = Stream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Stream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move {
            let tls = tokio_rustls::TlsConnector::from(self.config).connect(self.name, stream).await?;
            Ok(Stream(tls))
        })
    }
}

/// An encrypted connection to the database.
pub struct Stream<S>(tokio_rustls::client::TlsStream<S>);

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Stream<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Stream<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for Stream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        let (_, session) = self.0.get_ref();
        match session.peer_certificates().and_then(|chain| chain.first()).and_then(|cert| end_point(cert)) {
            Some(hash) => ChannelBinding::tls_server_end_point(hash),
            None => ChannelBinding::none(),
        }
    }
}

/// RFC 5929's `tls-server-end-point`: the server certificate hashed with its signature's hash, SHA-256
/// for MD5 and SHA-1. `None` (no binding; SCRAM without `-PLUS`) for a signature whose hash is not one of
/// these — Ed25519, where PostgreSQL binds nothing either.
fn end_point(cert: &[u8]) -> Option<Vec<u8>> {
    let oid = signature_algorithm(cert)?;
    let algorithm =
        match oid {
            // sha384WithRSAEncryption, ecdsa-with-SHA384
            [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c]
            | [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03] => &ring::digest::SHA384,
            // sha512WithRSAEncryption, ecdsa-with-SHA512
            [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d]
            | [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04] => &ring::digest::SHA512,
            // md5/sha1/sha256/sha224 with RSA, ecdsa with SHA-1/224/256, RSASSA-PSS (SHA-256 in practice)
            [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04 | 0x05 | 0x0a | 0x0b | 0x0e]
            | [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01]
            | [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x01 | 0x02] => &ring::digest::SHA256,
            _ => return None,
        };
    Some(ring::digest::digest(algorithm, cert).as_ref().to_vec())
}

/// The OID of a DER certificate's `signatureAlgorithm`: Certificate ::= SEQUENCE { tbsCertificate,
/// signatureAlgorithm SEQUENCE { OID, … }, signature }.
fn signature_algorithm(cert: &[u8]) -> Option<&[u8]> {
    let (certificate, _) = der(cert, 0x30)?;
    let (_, _, tbs_end) = der_any(certificate)?;
    let (algorithm, _) = der(&certificate[tbs_end..], 0x30)?;
    let (oid, _) = der(algorithm, 0x06)?;
    Some(oid)
}

/// The contents of the DER element of `tag` at the start of `input`, and what follows it.
fn der(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (found, len, end) = der_any(input)?;
    (found == tag).then(|| (&input[end - len..end], &input[end..]))
}

/// The tag, content length and end offset of the DER element at the start of `input`.
fn der_any(input: &[u8]) -> Option<(u8, usize, usize)> {
    let tag = *input.first()?;
    let first = *input.get(1)? as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let bytes = first & 0x7f;
        if bytes == 0 || bytes > 4 {
            return None;
        }
        let len = input.get(2..2 + bytes)?.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize);
        (len, 2 + bytes)
    };
    let end = header.checked_add(len)?;
    (end <= input.len()).then_some((tag, len, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_point_hash_follows_the_certificates_signature() {
        // rcgen signs with ECDSA P-256 and SHA-256, or P-384 and SHA-384.
        for (alg, digest) in [
            (&rcgen::PKCS_ECDSA_P256_SHA256, &ring::digest::SHA256),
            (&rcgen::PKCS_ECDSA_P384_SHA384, &ring::digest::SHA384),
        ] {
            let key = rcgen::KeyPair::generate_for(alg).unwrap();
            let cert = rcgen::CertificateParams::new(vec!["db.hall".to_owned()]).unwrap().self_signed(&key).unwrap();
            let der = cert.der().to_vec();
            assert_eq!(end_point(&der).unwrap(), ring::digest::digest(digest, &der).as_ref());
        }
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["db.hall".to_owned()]).unwrap().self_signed(&key).unwrap();
        assert_eq!(end_point(cert.der()), None);
        // Not a certificate, or cut short: no binding, no panic.
        assert_eq!(end_point(b""), None);
        assert_eq!(end_point(&[0x30, 0x82, 0xff]), None);
        assert_eq!(end_point(&cert.der()[..40]), None);
    }

    #[test]
    fn verifying_needs_an_authority_file_that_holds_one() {
        assert!(Rustls::new(Verify::Nothing, None).is_ok());
        let e = Rustls::new(Verify::Full, None).err().unwrap();
        assert!(e.starts_with("sslrootcert"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("root.crt");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let e = Rustls::new(Verify::Authority, Some(&empty)).err().unwrap();
        assert!(e.contains("root.crt") && e.contains("no certificate"), "{e}");
        let e = Rustls::new(Verify::Full, Some(&dir.path().join("missing.crt"))).err().unwrap();
        assert!(e.contains("missing.crt"), "{e}");
    }
}
