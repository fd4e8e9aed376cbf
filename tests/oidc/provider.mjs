// Test identity provider: node-oidc-provider on 127.0.0.1 with its development login screens.
// Any login is accepted; the login becomes the subject and the (verified, unless it contains
// "unverified") e-mail address; `POST /test/address?sub=S&email=E` gives subject S another address
// (the same person presenting a different e-mail). Clients come from
// OIDC_CLIENTS (a JSON list of {client_id, client_secret}) or OIDC_CLIENT_ID/OIDC_CLIENT_SECRET; each
// may return to any of OIDC_REDIRECT_URI (comma-separated). It exits when its parent closes stdin,
// or after MAX_SECONDS.
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const redirectUris = process.env.OIDC_REDIRECT_URI.split(',');
const clients = process.env.OIDC_CLIENTS ? JSON.parse(process.env.OIDC_CLIENTS)
  : [{ client_id: process.env.OIDC_CLIENT_ID, client_secret: process.env.OIDC_CLIENT_SECRET }];
const addresses = new Map();
const configuration = {
  clients: clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const email = addresses.get(id) || id;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email, email_verified: !email.includes('unverified'), name: email.split('@')[0] };
      },
    };
  },
};

const provider = new Provider(issuer, configuration);
provider.proxy = false;
provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && ctx.path === '/test/address') {
    addresses.set(ctx.query.sub, ctx.query.email);
    ctx.status = 204;
    return;
  }
  await next();
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));
const server = provider.listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));
const stop = () => { server.close(); process.exit(0); };
process.stdin.on('end', stop);
process.stdin.resume();
setTimeout(stop, Number(process.env.MAX_SECONDS || 600) * 1000).unref();
