// One-shot job of docker-compose.yml: makes sure the auth service has an Ed25519 signing key
// (PKCS#8 PEM) in its key directory. An existing key is kept, so tokens survive restarts.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2] || '/keys';
// The uid/gid of the `node` user that runs the service images.
const owner = { uid: 1000, gid: 1000 };

fs.mkdirSync(dir, { recursive: true });
const existing = fs.readdirSync(dir).filter((name) => name.endsWith('.pem'));
if (existing.length > 0) {
  console.log(`jwt-keys: keeping ${existing.join(', ')}`);
  process.exit(0);
}

const { privateKey } = crypto.generateKeyPairSync('ed25519');
const file = path.join(dir, `${new Date().toISOString().slice(0, 10)}.pem`);
fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o400 });
fs.chownSync(file, owner.uid, owner.gid);
console.log(`jwt-keys: wrote ${path.basename(file)}`);
