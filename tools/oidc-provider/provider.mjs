// A certified OpenID provider (panva/oidc-provider) for Svitok's identity-provider tests.
//
//   node provider.mjs CONFIG.json
//
// CONFIG: { "port": 0, "issuer": "http://localhost:PORT", "clients": [...oidc-provider
// client metadata], "accounts": { "<sub>": { "email": ..., "email_verified": true,
// "groups": [...], "name": ... } }, "id_token_ttl": 3600 }
//
// The login page is the provider's own concern, so it is kept plain for a test to drive
// over HTTP like a browser: a form with `login` (the account's sub), `password` (any) and
// an optional `mfa` box; signing in also grants what the client asked for (no consent
// page). `amr` is ["pwd"], or ["pwd", "otp", "mfa"] with the box ticked. When it is
// listening it prints one line: `listening <issuer>`.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts ?? {};

const provider = new Provider(config.issuer, {
  clients: config.clients,
  pkce: { required: () => true },
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub', 'amr'],
    email: ['email', 'email_verified'],
    profile: ['name', 'family_name', 'given_name'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      // Ends the session without a confirmation page, as a test follows it.
      logoutSource: async (ctx, form) => {
        ctx.body = `<!doctype html><html><body>${form}<script>document.forms[0].submit()</script></body></html>`;
      },
    },
  },
  ttl: { IdToken: config.id_token_ttl ?? 3600 },
  cookies: { keys: ['svitok-test-provider'] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, sub) => {
    const account = accounts[sub];
    if (!account) return undefined;
    return {
      accountId: sub,
      claims: async () => ({ sub, ...account }),
    };
  },
});
// Loopback over plain HTTP: the provider must not insist on TLS-only cookies.
provider.proxy = true;

function escape(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

function loginPage(uid, error) {
  return `<!doctype html><html><head><title>Test provider</title></head><body>
<h1>Test provider: sign in</h1>${error ? `<p class="error">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<input name="login" required> <input name="password" type="password" required>
<label><input type="checkbox" name="mfa" value="1"> second factor</label>
<button type="submit">Sign in</button></form></body></html>`;
}

async function body(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return new URLSearchParams(raw);
}

const callback = provider.callback();

const server = createServer(async (req, res) => {
  const url = new URL(req.url, config.issuer);
  const m = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!m) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(loginPage(details.uid));
    }
    const form = await body(req);
    const sub = form.get('login');
    if (!accounts[sub]) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(loginPage(details.uid, 'unknown account'));
    }
    const grant = new provider.Grant({ accountId: sub, clientId: details.params.client_id });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    const grantId = await grant.save();
    const amr = form.get('mfa') ? ['pwd', 'otp', 'mfa'] : ['pwd'];
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: sub, amr }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  } catch (err) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(`interaction failed: ${err.message}`);
  }
});

server.listen(config.port, '127.0.0.1', () => {
  console.log(`listening ${config.issuer}`);
});
