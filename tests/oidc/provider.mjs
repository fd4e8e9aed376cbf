// Test identity provider: node-oidc-provider on 127.0.0.1 with its development login screens.
// Any login is accepted; the login becomes the subject and the (verified, unless it contains
// "unverified") e-mail address. It exits when its parent closes stdin, or after MAX_SECONDS.
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const configuration = {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: [process.env.OIDC_REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: !id.includes('unverified'), name: id.split('@')[0] };
      },
    };
  },
};

const provider = new Provider(issuer, configuration);
provider.proxy = false;
const server = provider.listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));
const stop = () => { server.close(); process.exit(0); };
process.stdin.on('end', stop);
process.stdin.resume();
setTimeout(stop, Number(process.env.MAX_SECONDS || 600) * 1000).unref();
