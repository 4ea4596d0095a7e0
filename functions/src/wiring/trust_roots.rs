//! Which certificate authorities the functions' AWS clients trust.
//!
//! The SDK's default HTTPS client loads the platform's whole trust store (about 140 roots, read
//! and parsed from PEM files) while each client is built — most of a function's cold start
//! (docs/research/cold-start.md). AWS service endpoints present certificates issued by Amazon
//! Trust Services, so in Lambda the functions trust exactly its five roots, compiled in. An
//! endpoint override (dynoxide, moto, a proxy — possibly with its own CA) or a China region keeps
//! the platform's store; `STORNO_TLS_ROOTS=platform|amazon` decides explicitly, e.g. should
//! AWS ever serve a certificate from another authority.

use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use thiserror::Error;

/// Amazon Root CA 1–4 and Starfield Services Root CA G2 (which cross-signs them), as PEM.
pub const AMAZON_TRUST_SERVICES: &[u8] = include_bytes!("amazon-trust-services.pem");

/// The variable that chooses the trust roots explicitly.
pub const TRUST_ROOTS_VARIABLE: &str = "STORNO_TLS_ROOTS";

/// Variables that point the SDK somewhere other than AWS's own endpoints.
const ENDPOINT_OVERRIDES: [&str; 3] = [
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_ENDPOINT_URL_SQS",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustRoots {
    /// The five Amazon Trust Services roots every AWS service endpoint chains to.
    AmazonTrustServices,
    /// The platform's store, as the SDK loads it by default.
    Platform,
}

#[derive(Debug, Error)]
#[error("{TRUST_ROOTS_VARIABLE} must be `amazon` or `platform`, not {0:?}")]
pub struct UnknownTrustRoots(String);

impl TrustRoots {
    pub fn from_env() -> Result<Self, UnknownTrustRoots> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The choice for an environment read through `lookup` (empty values count as unset).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, UnknownTrustRoots> {
        let set = |name: &str| lookup(name).filter(|value| !value.is_empty());
        match set(TRUST_ROOTS_VARIABLE).as_deref() {
            Some("amazon") => Ok(TrustRoots::AmazonTrustServices),
            Some("platform") => Ok(TrustRoots::Platform),
            Some(other) => Err(UnknownTrustRoots(other.to_owned())),
            None => {
                let elsewhere = ENDPOINT_OVERRIDES.iter().any(|name| set(name).is_some());
                // The China partition's endpoints are not documented as Amazon Trust Services'.
                let china = set("AWS_REGION").is_some_and(|region| region.starts_with("cn-"));
                Ok(if elsewhere || china {
                    TrustRoots::Platform
                } else {
                    TrustRoots::AmazonTrustServices
                })
            }
        }
    }

    /// The HTTP client to give the SDK; `None` keeps the SDK's default.
    pub fn http_client(self) -> Option<SharedHttpClient> {
        match self {
            TrustRoots::AmazonTrustServices => Some(https_client_trusting(AMAZON_TRUST_SERVICES)),
            TrustRoots::Platform => None,
        }
    }
}

/// The SDK's own hyper + rustls (aws-lc) client, trusting only the roots in `pem`.
pub fn https_client_trusting(pem: &[u8]) -> SharedHttpClient {
    let trust_store = TrustStore::empty().with_pem_certificate(pem.to_vec());
    let context = TlsContext::builder()
        .with_trust_store(trust_store)
        .build()
        .expect("a trust store without extra server names is always a valid TLS context");
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(context)
        .build_https()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn choice(variables: &[(&str, &str)]) -> Result<TrustRoots, UnknownTrustRoots> {
        TrustRoots::from_lookup(|name| {
            variables
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        })
    }

    #[test]
    fn lambda_on_aws_trusts_amazon_trust_services() {
        let lambda = [("AWS_REGION", "eu-central-1"), ("AWS_ENDPOINT_URL", "")];
        assert_eq!(choice(&lambda).unwrap(), TrustRoots::AmazonTrustServices);
    }

    #[test]
    fn an_endpoint_override_or_a_china_region_keeps_the_platform_store() {
        for overridden in ENDPOINT_OVERRIDES {
            let local = [
                ("AWS_REGION", "eu-central-1"),
                (overridden, "https://127.0.0.1:8000"),
            ];
            assert_eq!(
                choice(&local).unwrap(),
                TrustRoots::Platform,
                "{overridden}"
            );
        }
        assert_eq!(
            choice(&[("AWS_REGION", "cn-north-1")]).unwrap(),
            TrustRoots::Platform
        );
    }

    #[test]
    fn the_variable_decides_explicitly_and_refuses_anything_else() {
        let pinned = [
            ("STORNO_TLS_ROOTS", "amazon"),
            ("AWS_ENDPOINT_URL", "https://vpce.example"),
        ];
        assert_eq!(choice(&pinned).unwrap(), TrustRoots::AmazonTrustServices);
        let platform = [("STORNO_TLS_ROOTS", "platform")];
        assert_eq!(choice(&platform).unwrap(), TrustRoots::Platform);
        let typo = choice(&[("STORNO_TLS_ROOTS", "Amazon")]).unwrap_err();
        assert_eq!(
            typo.to_string(),
            "STORNO_TLS_ROOTS must be `amazon` or `platform`, not \"Amazon\""
        );
    }

    /// The compiled-in file holds exactly the published roots (SHA-256 of the DER, as listed on
    /// https://www.amazontrust.com/repository/), so an edit to it cannot go unnoticed.
    #[test]
    fn the_compiled_in_roots_are_the_five_amazon_trust_services_roots() {
        use rustls_pki_types::CertificateDer;
        use rustls_pki_types::pem::PemObject;
        let fingerprints: Vec<String> = CertificateDer::pem_slice_iter(AMAZON_TRUST_SERVICES)
            .map(|der| {
                let digest = Sha256::digest(der.expect("valid PEM").as_ref());
                digest.iter().map(|byte| format!("{byte:02x}")).collect()
            })
            .collect();
        assert_eq!(
            fingerprints,
            [
                // Amazon Root CA 1
                "8ecde6884f3d87b1125ba31ac3fcb13d7016de7f57cc904fe1cb97c6ae98196e",
                // Amazon Root CA 2
                "1ba5b2aa8c65401a82960118f80bec4f62304d83cec4713a19c39c011ea46db4",
                // Amazon Root CA 3
                "18ce6cfe7bf14e60b2e347b8dfe868cb31d02ebb3ada271569f50343b46db3a4",
                // Amazon Root CA 4
                "e35d28419ed02025cfa69038cd623962458da5c695fbdea3c22b0bfb25897092",
                // Starfield Services Root Certificate Authority - G2
                "568d6905a2c88708a4b3025190edcfedb1974a606a13c6e5290fcb2ae63edab5",
            ]
        );
    }
}
