// The shop front: a customer's page for flash sales, and the reference client of the API (docs/SPEC.md §2). Plain
// JavaScript, no build step. Tokens and grab tickets live in this page's memory only: never in storage, a URL or a
// log. The PKCE verifier and state wait in sessionStorage across the identity provider's redirect and are removed
// when the code comes back.
//
// What a client of a flash sale should do, as this page does it:
// - count down by the server's clock (config.json's serverTime), not the browser's;
// - fetch the grab ticket ahead of the sale, solving the proof-of-work challenge in a Web Worker when asked;
// - one press is one grab: 429 and 503 are retried only after their Retry-After, with jitter, and said as such;
// - show the coupon the grab answer returned at once, marked until the read model (the query API) has it.
(function () {
  'use strict';

  const main = document.getElementById('main');
  const alertBox = document.getElementById('alert');
  const session = { settings: null, token: null, refreshToken: null, idToken: null, customerId: null,
    name: null, refreshTimer: null, offset: 0 };
  const sales = new Map(); // promotionId -> sale (what the page knows and shows of it)
  const followed = new Set(); // sales opened by link (#/sale/<id>), shown before the read model lists them
  const pending = new Map(); // promotionId -> coupon from a 200 the query API has not shown yet
  let leaveView = null;

  // ---- small helpers -------------------------------------------------------------------------------------------
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else if (k === 'text') node.textContent = v;
      else node.setAttribute(k, v === true ? '' : v);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  };
  const serverNow = () => Date.now() + session.offset;
  const percentOff = (discount) => Math.round((1 - discount) * 100) + '% off';
  const clock = (ms) => {
    const s = Math.max(0, Math.ceil(ms / 1000));
    const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = s % 60;
    return (h ? h + ':' + String(m).padStart(2, '0') : String(m)) + ':' + String(sec).padStart(2, '0');
  };
  const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms));
  /** Retry-After seconds, plus up to half again at random, so a crowd told to wait does not come back in one burst. */
  const backoff = (response) => {
    const seconds = Math.max(1, parseInt(response.headers.get('Retry-After') || '1', 10) || 1);
    return Math.round(seconds * 1000 * (1 + Math.random() * 0.5));
  };

  function showError(message) { alertBox.textContent = message; alertBox.hidden = false; }
  function clearAlert() { alertBox.hidden = true; alertBox.textContent = ''; }
  function render(title, ...nodes) {
    main.replaceChildren(el('h1', { text: title }), ...nodes.filter(n => n !== null && n !== undefined));
    document.title = title + ' · seckill shop';
  }

  class ApiError extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }

  /** A call to this origin (the query service) or the command service; the answer's JSON, or an ApiError. */
  async function call(method, url, { body, token, headers } = {}) {
    const all = Object.assign({ 'Accept': 'application/json' }, headers || {});
    if (token) all['Authorization'] = 'Bearer ' + token;
    if (body !== undefined) all['Content-Type'] = 'application/json';
    const response = await fetch(url, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body) });
    let json = null;
    try { json = await response.json(); } catch (e) { json = null; }
    return { response, json };
  }
  const command = (path) => session.settings.commandUrl + path;

  // ---- sign-in (the console's way: development sign-in, or the identity provider with PKCE: common/sign-in.js) -----
  const claims = SeckillSignIn.claims;
  const oidc = SeckillSignIn.create({ settings: () => session.settings, storageKey: 'seckill.shop.pkce',
    pagePath: '/shop/', defaultHash: '#/', fail: message => new Error(message) });

  function accept(tokens) {
    session.token = tokens.access_token;
    session.refreshToken = tokens.refresh_token || null;
    session.idToken = tokens.id_token || session.idToken;
    const c = claims(session.token);
    session.customerId = c.sub;
    session.name = c.preferred_username || c.name || c.sub;
    clearTimeout(session.refreshTimer);
    if (session.refreshToken) {
      session.refreshTimer = setTimeout(refresh, Math.max(5000, (tokens.expires_in || 300) * 1000 - 30000));
    }
  }

  async function refresh() {
    try {
      accept(await oidc.refresh(session.refreshToken));
    } catch (e) {
      signedOut('Your sign-in expired. Sign in again to go on.');
    }
  }

  function signInPage(notice) {
    stopView();
    render('Sign in');
    main.querySelector('h1').remove();
    const box = el('section', { class: 'signin', 'aria-labelledby': 'signin-title' },
      el('h1', { id: 'signin-title', text: 'Sign in to the shop' }));
    if (notice) box.append(el('p', { class: 'muted', id: 'signin-notice', text: notice }));
    if (session.settings.signIn === 'development') {
      const input = el('input', { id: 'dev-name', name: 'name', autocomplete: 'username', required: true, maxlength: 64 });
      box.append(el('form', { id: 'dev-sign-in', onsubmit: async (event) => {
        event.preventDefault();
        const { response, json } = await call('POST', '/shop/dev-sign-in', { body: { name: input.value } })
          .catch(() => ({ response: { status: 0 }, json: null }));
        if (response.status !== 201) {
          showError(json && json.message ? json.message : 'The shop did not answer; try again.');
          return;
        }
        accept({ access_token: json.accessToken, expires_in: json.expiresIn });
        clearAlert();
        signedIn();
      } },
      el('p', { class: 'muted', text: 'Development sign-in: this system is its own identity issuer, so you get a '
        + 'customer token for the name you type (15 minutes).' }),
      el('label', { for: 'dev-name' }, 'Your name', input),
      el('button', { type: 'submit', class: 'primary', id: 'dev-submit' }, 'Sign in')));
      main.append(box);
      input.focus();
    } else if (session.settings.signIn === 'none') {
      box.append(el('p', { id: 'no-sign-in', text: 'Customers cannot sign in here: this system has no identity '
        + 'provider the page can reach (its operator sets SECKILL_SHOP_ISSUER_URL, or runs it with Keycloak).' }));
      main.append(box);
    } else {
      box.append(el('p', { class: 'muted', text: 'You sign in at ' + session.settings.issuer + '.' }),
        el('button', { type: 'button', class: 'primary', id: 'oidc-sign-in',
          onclick: () => oidc.start().catch(e => showError(e.message)) }, 'Sign in'));
      main.append(box);
      box.querySelector('button').focus();
    }
  }

  function signedIn() {
    document.getElementById('who').textContent = session.name;
    document.getElementById('sign-out').hidden = false;
    document.getElementById('nav').hidden = false;
    route();
  }

  function signedOut(notice) {
    session.token = null;
    session.refreshToken = null;
    clearTimeout(session.refreshTimer);
    sales.clear();
    pending.clear();
    document.getElementById('who').textContent = '';
    document.getElementById('sign-out').hidden = true;
    document.getElementById('nav').hidden = true;
    signInPage(notice);
  }

  function signOut() {
    const idToken = session.idToken;
    session.idToken = null;
    const leave = session.settings.signIn === 'oidc' ? oidc.signOutUrl(idToken) : null;
    if (leave) {
      location.assign(leave);
      return;
    }
    signedOut('You signed out.');
  }

  // ---- tickets: fetched ahead of the sale, the challenge solved in a worker ----------------------------------------
  function solve(challenge) {
    return new Promise((resolve, reject) => {
      const worker = new Worker('/shop/pow-worker.js');
      worker.onmessage = (event) => {
        worker.terminate();
        if (event.data.error) reject(new Error(event.data.error));
        else resolve(btoa(JSON.stringify(event.data.solution)));
      };
      worker.onerror = (event) => { worker.terminate(); reject(new Error(event.message || 'the worker failed')); };
      worker.postMessage(challenge);
    });
  }

  /** A ticket for the sale, or null (too early, or refused: the sale's line says why). Never throws. */
  async function fetchTicket(sale) {
    if (sale.ticketing) return;
    sale.ticketing = true;
    try {
      const headers = {};
      const asked = await call('GET', command('/command/challenge'), { token: session.token });
      if (asked.response.status === 200) {
        say(sale, 'wait', 'Getting ready for the sale…', 'preparing');
        headers['X-Altcha'] = await solve(asked.json);
        sale.challenge = 'solved';
      }
      const { response, json } = await call('POST', command('/command/tickets'),
        { token: session.token, headers, body: { promotionId: sale.promotionId } });
      if (response.status === 201) {
        sale.ticket = json.ticket;
        sale.ticketExpiresAt = Date.parse(json.expiresAt);
        if (json.publishTime) sale.publishTime = Date.parse(json.publishTime);
        if (json.finishTime) sale.finishTime = Date.parse(json.finishTime);
        if (sale.outcome === 'preparing') say(sale, '', '', null);
      } else if (response.status === 401) {
        signedOut('Your sign-in expired. Sign in again to go on.');
      } else if (response.status === 400 && json && json.error === 'promotion_not_active') {
        sale.ticketAfter = Date.now() + 30000; // too early (or over): ask again later
      } else {
        sale.ticketAfter = Date.now() + (response.status === 429 || response.status === 503 ? backoff(response) : 30000);
      }
    } catch (e) {
      sale.ticketAfter = Date.now() + 5000; // the command service did not answer: a grab still works with the token
    } finally {
      sale.ticketing = false;
      paint(sale);
    }
  }

  // ---- the grab: one press, retried only as Retry-After says --------------------------------------------------------
  const WORDS = {
    duplicate_order: 'You already have a coupon from this sale.',
    out_of_stock: 'Sold out. Every coupon of this sale has been taken.',
    promotion_not_active: 'This sale is not open.',
  };

  async function grab(sale) {
    if (sale.busy || sale.done) return;
    sale.busy = true;
    paint(sale);
    let freshTicket = false;
    try {
      for (let attempt = 1; ; attempt++) {
        let answer;
        try {
          answer = await call('POST', command('/command/coupons'),
            { token: sale.ticket || session.token, body: { promotionId: sale.promotionId } });
        } catch (e) {
          // no answer: the grab may or may not have been taken; asking again is safe (one coupon per customer)
          if (attempt >= 30) { say(sale, 'bad', 'The shop does not answer. Try again in a moment.', 'no_answer'); return; }
          const wait = Math.round(1000 * (1 + Math.random() * 0.5));
          say(sale, 'wait', 'No answer from the shop; trying again in ' + Math.ceil(wait / 1000) + ' s…', 'retrying');
          await sleep(wait);
          continue;
        }
        const { response, json } = answer;
        const code = json && json.error;
        if (response.status === 200) {
          sale.done = true;
          pending.set(sale.promotionId, json);
          say(sale, 'good', 'You got it! Coupon #' + json.sequence + ', ' + percentOff(json.discount)
            + '. It is in My coupons.', 'granted');
          return;
        }
        if (response.status === 429 && code === 'rate_limited' || response.status === 503) {
          if (attempt >= 30) { say(sale, 'bad', json && json.message ? json.message : 'The shop is busy.', code); return; }
          const wait = backoff(response);
          say(sale, 'wait', (response.status === 503 ? 'The shop is busy' : 'Too many tries')
            + '; trying again in ' + Math.ceil(wait / 1000) + ' s…', 'retrying');
          await sleep(wait);
          continue;
        }
        if (response.status === 401 && sale.ticket && !freshTicket) {
          sale.ticket = null; // expired or from a rotated key: one new ticket, then once more
          freshTicket = true;
          await fetchTicket(sale);
          continue;
        }
        if (response.status === 401) { signedOut('Your sign-in expired. Sign in again to go on.'); return; }
        if (response.status === 400 && code === 'promotion_not_active' && serverNow() < sale.publishTime + 2000
            && attempt < 5) {
          say(sale, 'wait', 'Opening…', 'retrying'); // the start is written within a second of the publish time
          await sleep(500);
          continue;
        }
        sale.done = code === 'duplicate_order' || code === 'out_of_stock' || code === 'promotion_not_active';
        say(sale, 'bad', WORDS[code] || (json && json.message) || 'The shop answered HTTP ' + response.status + '.',
          code || 'http_' + response.status);
        return;
      }
    } finally {
      sale.busy = false;
      paint(sale);
    }
  }

  // ---- views ---------------------------------------------------------------------------------------------------
  function stopView() { if (leaveView) { leaveView(); leaveView = null; } }

  function route() {
    stopView();
    clearAlert();
    const hash = location.hash || '#/';
    document.querySelectorAll('#nav a').forEach(a => a.toggleAttribute('aria-current', a.getAttribute('href') === hash));
    const linked = hash.match(/^#\/sale\/([0-9a-fA-F-]{36})$/);
    if (linked) followed.add(linked[1].toLowerCase());
    if (hash === '#/coupons') couponsView();
    else salesView();
  }

  function say(sale, kind, text, outcome) {
    sale.kind = kind;
    sale.text = text;
    sale.outcome = outcome;
    paint(sale);
  }

  /** The sale's card, made once and then updated in place (so focus and a pressed button stay where they are). */
  function card(sale) {
    if (sale.node) return sale.node;
    const id = sale.promotionId;
    sale.node = el('li', { class: 'sale', id: 'sale-' + id, 'data-promotion': id },
      el('h2', { class: 'offer' }),
      el('p', { class: 'left muted' }),
      el('p', { class: 'countdown', 'aria-live': 'off' }),
      el('button', { type: 'button', class: 'primary grab', onclick: () => grab(sale) }, 'Grab a coupon'),
      el('p', { class: 'answer', role: 'status', 'aria-live': 'polite' }));
    return sale.node;
  }

  function paint(sale) {
    const node = sale.node;
    if (!node) return;
    const now = serverNow();
    node.dataset.ticket = sale.ticket ? 'yes' : 'no';
    if (sale.challenge) node.dataset.challenge = sale.challenge;
    const opens = sale.publishTime, closes = sale.finishTime;
    const over = sale.over || sale.outcome === 'out_of_stock' || (closes !== undefined && now >= closes);
    const open = !over && opens !== undefined && now >= opens;
    node.querySelector('.offer').textContent = sale.discount ? percentOff(sale.discount) : 'Flash sale';
    node.querySelector('.left').textContent = sale.remainingCoupons !== undefined
      ? sale.remainingCoupons.toLocaleString('en-US') + ' of ' + sale.numberOfCoupons.toLocaleString('en-US') + ' left'
      : over ? '' : open ? 'Open now' : 'Opens soon';
    const countdown = node.querySelector('.countdown');
    countdown.textContent = over ? (sale.outcome === 'out_of_stock' || sale.soldOut ? 'Sold out' : 'This sale is over')
      : opens === undefined ? 'Waiting for the sale…' : now < opens ? 'Opens in ' + clock(opens - now)
      : 'Ends in ' + clock(closes - now);
    countdown.dataset.state = over ? 'over' : open ? 'open' : 'before';
    const button = node.querySelector('.grab');
    button.disabled = !open || sale.busy || sale.done;
    button.textContent = sale.busy ? 'Grabbing…' : 'Grab a coupon';
    const answer = node.querySelector('.answer');
    answer.className = 'answer' + (sale.kind ? ' ' + sale.kind : '');
    answer.textContent = sale.text || '';
    if (sale.outcome) answer.dataset.outcome = sale.outcome; else delete answer.dataset.outcome;
  }

  function saleOf(id) {
    let sale = sales.get(id);
    if (!sale) { sale = { promotionId: id }; sales.set(id, sale); }
    return sale;
  }

  function salesView() {
    render('Flash sales');
    const list = el('ul', { class: 'sales', id: 'sales' });
    const empty = el('p', { class: 'muted', id: 'no-sales', text: 'No sale is open right now.' });
    main.append(list, empty);
    let stopped = false;
    const load = async () => {
      try {
        const { response, json } = await call('GET', '/query/promotions');
        if (!response.ok) throw new Error('HTTP ' + response.status);
        const listed = new Set(json.map(p => p.promotionId));
        for (const sale of sales.values()) {
          // listed before and not any more: finished (sold out, cancelled or past its time)
          if (sale.remainingCoupons !== undefined && !listed.has(sale.promotionId)) {
            sale.over = true;
            sale.soldOut = sale.remainingCoupons === 0;
          }
        }
        for (const p of json) {
          const sale = saleOf(p.promotionId);
          Object.assign(sale, { discount: p.discount, numberOfCoupons: p.numberOfCoupons,
            remainingCoupons: p.remainingCoupons, publishTime: Date.parse(p.publishTime), finishTime: Date.parse(p.finishTime) });
        }
        clearAlert();
      } catch (e) {
        showError('The sales could not be loaded (' + e.message + '); trying again.');
      }
      for (const id of followed) saleOf(id);
      const shown = [...sales.values()].filter(s => followed.has(s.promotionId) || s.remainingCoupons !== undefined);
      for (const sale of shown) {
        if (!sale.node || !sale.node.isConnected) list.append(card(sale));
        if (!sale.ticket && !sale.ticketing && !(sale.ticketAfter > Date.now())) fetchTicket(sale);
        paint(sale);
      }
      empty.hidden = shown.length > 0;
    };
    load();
    const poll = setInterval(() => { if (!stopped) load(); }, 3000);
    const tick = setInterval(() => { for (const sale of sales.values()) paint(sale); }, 250);
    leaveView = () => { stopped = true; clearInterval(poll); clearInterval(tick); for (const s of sales.values()) s.node = null; };
  }

  function couponsView() {
    render('My coupons');
    const list = el('ul', { class: 'coupons', id: 'coupons' });
    const empty = el('p', { class: 'muted', id: 'no-coupons', text: 'No coupon yet.' });
    main.append(list, empty);
    let timer = null;
    const show = (coupons) => {
      const items = coupons.map(c => el('li', { class: 'coupon', 'data-promotion': c.promotionId,
        'data-state': c.pending ? 'confirming' : 'confirmed' },
        el('strong', { text: percentOff(c.discount) }), ' coupon #' + c.sequence,
        c.pending ? el('span', { class: 'tag', text: 'confirming…' }) : null,
        el('div', { class: 'muted', text: 'Sale ' + c.promotionId + ' · ' + new Date(c.time || c.grabbedAt).toLocaleString() })));
      list.replaceChildren(...items);
      empty.hidden = items.length > 0;
    };
    const load = async () => {
      let confirmed = [];
      try {
        const { response, json } = await call('GET', '/query/coupons/' + encodeURIComponent(session.customerId),
          { token: session.token });
        if (response.status === 401) { signedOut('Your sign-in expired. Sign in again to go on.'); return; }
        if (!response.ok) throw new Error(json && json.message ? json.message : 'HTTP ' + response.status);
        confirmed = json;
        clearAlert();
      } catch (e) {
        showError('Your coupons could not be loaded (' + e.message + '); trying again.');
      }
      for (const c of confirmed) pending.delete(c.promotionId);
      show(confirmed.concat([...pending.values()].map(c => Object.assign({ pending: true }, c))));
      timer = setTimeout(load, pending.size > 0 ? 1000 : 5000);
    };
    load();
    leaveView = () => clearTimeout(timer);
  }

  async function boot() {
    document.getElementById('sign-out').addEventListener('click', signOut);
    window.addEventListener('hashchange', () => { if (session.token) route(); });
    try {
      const sent = Date.now();
      const { response, json } = await call('GET', '/shop/config.json');
      if (!response.ok) throw new Error('HTTP ' + response.status);
      session.settings = json;
      session.offset = json.serverTime - Math.round((sent + Date.now()) / 2);
    } catch (e) {
      main.replaceChildren(el('p', { text: 'The shop could not start (' + e.message + '). Reload to try again.' }));
      return;
    }
    const params = new URLSearchParams(location.search);
    if (params.has('code') || params.has('error')) {
      try {
        accept(await oidc.finish(params));
        signedIn();
        return;
      } catch (e) {
        showError(e.message);
      }
    }
    signInPage(null);
  }

  boot();
})();
