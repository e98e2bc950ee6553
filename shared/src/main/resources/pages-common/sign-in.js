// The OpenID Connect sign-in (authorization code with PKCE) of the pages served from the jar, the console and the
// shop front: one copy, which each service serves under its page's own path (/console/common/, /shop/common/) so that
// the page's Content-Security-Policy ('self') takes it. Tokens stay in the page's memory; the PKCE verifier and state
// wait in sessionStorage across the identity provider's redirect and are removed when the code comes back.
window.SeckillSignIn = (function () {
  'use strict';

  function base64url(bytes) {
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function randomText(length) {
    const buffer = new Uint8Array(length);
    crypto.getRandomValues(buffer);
    return base64url(buffer);
  }
  async function challengeOf(verifier) {
    return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  }

  /** A token's claims, read (not checked: the services check every token they are sent). */
  function claims(token) {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const text = decodeURIComponent(Array.from(atob(part), c => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''));
    return JSON.parse(text);
  }

  /**
   * One page's sign-in: {@code settings()} gives its issuer and client id; {@code storageKey} keeps its PKCE state
   * across the redirect; {@code pagePath} is where the provider sends the browser back, to {@code defaultHash} unless
   * the sign-in began elsewhere; {@code fail(message, code)} makes the page's error.
   */
  function create({ settings, storageKey, pagePath, defaultHash, fail }) {
    let idp = null;
    const redirectUri = () => location.origin + pagePath;

    async function discover() {
      if (idp) return idp;
      let response;
      try {
        response = await fetch(settings().issuer.replace(/\/$/, '') + '/.well-known/openid-configuration');
      } catch (e) {
        throw fail('The identity provider at ' + settings().issuer + ' did not answer.', 'idp');
      }
      if (!response.ok) throw fail('The identity provider answered HTTP ' + response.status + '.', 'idp');
      idp = await response.json();
      return idp;
    }

    async function tokens(form) {
      const response = await fetch((await discover()).token_endpoint, { method: 'POST', body: form });
      if (!response.ok) throw fail('The identity provider did not give a token (HTTP ' + response.status + ').', 'idp');
      return response.json();
    }

    return {
      redirectUri,
      /** Leaves for the provider's login page. */
      async start() {
        const provider = await discover();
        const verifier = randomText(48);
        const state = randomText(24);
        sessionStorage.setItem(storageKey, JSON.stringify({ verifier, state, hash: location.hash || defaultHash }));
        const query = new URLSearchParams({ response_type: 'code', client_id: settings().clientId,
          redirect_uri: redirectUri(), scope: 'openid', state, code_challenge: await challengeOf(verifier),
          code_challenge_method: 'S256' });
        location.assign(provider.authorization_endpoint + '?' + query);
      },
      /** Back from the provider with ?code=&state=: the code taken out of the URL, and swapped for tokens. */
      async finish(params) {
        const saved = JSON.parse(sessionStorage.getItem(storageKey) || 'null');
        sessionStorage.removeItem(storageKey);
        history.replaceState(null, '', pagePath + (saved ? saved.hash : defaultHash));
        if (params.get('error')) throw fail('The identity provider refused the sign-in: '
          + (params.get('error_description') || params.get('error')), 'idp');
        if (!saved || saved.state !== params.get('state')) throw fail('This sign-in did not start here; sign in again.', 'state');
        return tokens(new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code'),
          redirect_uri: redirectUri(), client_id: settings().clientId, code_verifier: saved.verifier }));
      },
      /** New tokens for a refresh token; fails when the provider refuses it. */
      refresh(refreshToken) {
        return tokens(new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken,
          client_id: settings().clientId }));
      },
      /** Where signing out of the provider goes (null when it has no such endpoint or was never asked). */
      signOutUrl(idToken) {
        if (!idp || !idp.end_session_endpoint) return null;
        const query = new URLSearchParams({ client_id: settings().clientId, post_logout_redirect_uri: redirectUri() });
        if (idToken) query.set('id_token_hint', idToken);
        return idp.end_session_endpoint + '?' + query;
      }
    };
  }

  return { claims, create };
})();
