import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A PEM certificate with its PEM private key. */
export interface KeyPair {
  certificatePem: string;
  privateKeyPem: string;
}

/** What a leaf certificate is for and whom it names. */
export interface CertificateRequest {
  commonName: string;
  /** Kubernetes reads a client certificate's organizations as the user's groups. */
  organizations?: string[];
  usage: 'server' | 'client';
  ipAddresses?: string[];
  dnsNames?: string[];
}

const VALIDITY_MS = 24 * 60 * 60 * 1000;

// Keys come from node:crypto (native, milliseconds) rather than node-forge's pure-JS RSA, which
// takes seconds per key; forge only assembles and signs the certificates.
function generateRsaKey(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

function newCertificate(publicKeyPem: string): forge.pki.Certificate {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  // A positive serial: the high bit cleared so DER does not read it as negative.
  certificate.serialNumber = '01' + randomBytes(15).toString('hex');
  // Backdated a minute so a freshly started server never sees it as not yet valid.
  certificate.validity.notBefore = new Date(Date.now() - 60_000);
  certificate.validity.notAfter = new Date(Date.now() + VALIDITY_MS);
  return certificate;
}

function sign(certificate: forge.pki.Certificate, signerKeyPem: string): string {
  certificate.sign(forge.pki.privateKeyFromPem(signerKeyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(certificate);
}

/** A self-signed certificate authority valid for one day. */
export function createCertificateAuthority(commonName: string): KeyPair {
  const key = generateRsaKey();
  const certificate = newCertificate(key.publicKeyPem);
  const subject = [{ name: 'commonName', value: commonName }];
  certificate.setSubject(subject);
  certificate.setIssuer(subject);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  return { certificatePem: sign(certificate, key.privateKeyPem), privateKeyPem: key.privateKeyPem };
}

function subjectAltNames(request: CertificateRequest): object[] {
  const ips = (request.ipAddresses ?? []).map((ip) => ({ type: 7, ip }));
  const dns = (request.dnsNames ?? []).map((value) => ({ type: 2, value }));
  return [...dns, ...ips];
}

/** A leaf certificate signed by `authority`, for a TLS server or a TLS client. */
export function issueCertificate(authority: KeyPair, request: CertificateRequest): KeyPair {
  const key = generateRsaKey();
  const certificate = newCertificate(key.publicKeyPem);
  const organizations = (request.organizations ?? []).map((value) => ({ name: 'organizationName', value }));
  certificate.setSubject([{ name: 'commonName', value: request.commonName }, ...organizations]);
  certificate.setIssuer(forge.pki.certificateFromPem(authority.certificatePem).subject.attributes);
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: request.usage === 'server', clientAuth: request.usage === 'client' },
  ];
  const altNames = subjectAltNames(request);
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  certificate.setExtensions(extensions);
  return { certificatePem: sign(certificate, authority.privateKeyPem), privateKeyPem: key.privateKeyPem };
}

/** An RSA key pair in PEM, e.g. for signing and verifying service-account tokens. */
export function createSigningKey(): { privateKeyPem: string; publicKeyPem: string } {
  return generateRsaKey();
}
