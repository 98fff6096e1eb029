import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A self-signed certificate made at test time (nothing is committed). */
export interface TestCertificate {
  key: Buffer;
  cert: Buffer;
}

/** Makes a throwaway self-signed certificate for `commonName` with the given SANs. */
export function makeCertificate(
  commonName = 'localhost',
  altNames = 'DNS:localhost,IP:127.0.0.1',
): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'corio-tls-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${commonName}/O=corio tests`,
        '-addext',
        `subjectAltName=${altNames}`,
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(keyFile), cert: readFileSync(certFile) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
