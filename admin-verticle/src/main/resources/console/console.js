// The operator console (SPEC §9). Plain JavaScript, no build step. Tokens live in this page's memory only: never in
// storage, a URL or a log. The PKCE verifier and state wait in sessionStorage across the identity provider's redirect
// and are removed when the code comes back.
(function () {
  'use strict';

  const main = document.getElementById('main');
  const alertBox = document.getElementById('alert');
  const session = { settings: null, token: null, refreshToken: null, idToken: null, expiresAt: 0,
    name: null, refreshTimer: null, flash: null };
  let leaveView = null; // stops what the current view runs (streams, timers)

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
  const fmt = (n) => (n === null || n === undefined) ? '–' : Number(n).toLocaleString('en-US');
  const time = (iso) => iso ? new Date(iso).toISOString().replace('T', ' ').replace('Z', ' UTC') : '–';
  const ago = (ms) => ms === null || ms === undefined ? '–' : (Math.abs(ms) >= 10000 ? (ms / 1000).toFixed(0) + ' s'
    : (ms / 1000).toFixed(1) + ' s');

  function showError(message) {
    alertBox.className = 'alert';
    alertBox.textContent = message;
    alertBox.hidden = false;
  }
  function showInfo(message) {
    alertBox.className = 'alert info';
    alertBox.textContent = message;
    alertBox.hidden = false;
  }
  function clearAlert() { alertBox.hidden = true; alertBox.textContent = ''; }

  function render(title, ...nodes) {
    main.replaceChildren(el('h1', { text: title }), ...nodes.filter(n => n !== null && n !== undefined));
    document.title = title + ' · seckill console';
  }

  class ApiError extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }

  // ---- calls to the API -----------------------------------------------------------------------------------------
  async function api(method, path, body) {
    const headers = { 'Accept': 'application/json' };
    if (session.token) headers['Authorization'] = 'Bearer ' + session.token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError(0, 'network', 'The admin service did not answer (' + e.message + '). Is it running?');
    }
    if (response.status === 401) {
      sessionExpired();
      throw new ApiError(401, 'unauthorized', 'Your sign-in expired; sign in again.');
    }
    if (response.status === 204) return null;
    let json = null;
    try { json = await response.json(); } catch (e) { json = null; }
    if (!response.ok) {
      const message = json && json.message ? json.message : 'The service answered HTTP ' + response.status + '.';
      throw new ApiError(response.status, json && json.error ? json.error : 'http_' + response.status, message);
    }
    return json;
  }

  // ---- sign-in (the identity provider's, with PKCE: common/sign-in.js) -------------------------------------------
  const claims = SeckillSignIn.claims;
  const oidc = SeckillSignIn.create({ settings: () => session.settings, storageKey: 'seckill.pkce',
    pagePath: '/console/', defaultHash: '#/promotions', fail: (message, code) => new ApiError(0, code, message) });
  function roles(token) {
    let node = claims(token);
    for (const key of session.settings.rolesClaim.split('.')) node = node && typeof node === 'object' ? node[key] : undefined;
    return Array.isArray(node) ? node : [];
  }

  function accept(tokens) {
    session.token = tokens.access_token;
    session.refreshToken = tokens.refresh_token || null;
    session.idToken = tokens.id_token || session.idToken;
    session.expiresAt = Date.now() + (tokens.expires_in || 300) * 1000;
    const c = claims(session.token);
    session.name = c.preferred_username || c.name || c.sub;
    clearTimeout(session.refreshTimer);
    if (session.refreshToken) {
      const wait = Math.max(5000, (tokens.expires_in || 300) * 1000 - 30000);
      session.refreshTimer = setTimeout(refresh, wait);
    }
  }

  function signedInChrome() {
    document.getElementById('who').textContent = session.name ? 'Signed in as ' + session.name : '';
    document.getElementById('sign-out').hidden = !session.token;
  }

  function sessionExpired() {
    const wasSignedIn = !!session.token;
    session.token = null;
    session.refreshToken = null;
    clearTimeout(session.refreshTimer);
    stopView();
    document.getElementById('nav').hidden = true;
    signedInChrome();
    signInPage(wasSignedIn ? 'Your sign-in expired. Sign in again to go on.' : null);
  }

  async function refresh() {
    try {
      accept(await oidc.refresh(session.refreshToken));
    } catch (e) {
      sessionExpired();
    }
  }

  function signInPage(notice) {
    render('Sign in');
    main.querySelector('h1').remove();
    const box = el('section', { class: 'signin', 'aria-labelledby': 'signin-title' },
      el('h1', { id: 'signin-title', text: 'Sign in to the seckill console' }));
    if (notice) box.append(el('p', { class: 'muted', id: 'signin-notice', text: notice }));
    if (session.settings.signIn === 'development') {
      const input = el('input', { id: 'dev-name', name: 'name', autocomplete: 'username', required: true, maxlength: 64 });
      const form = el('form', { id: 'dev-sign-in', onsubmit: async (event) => {
        event.preventDefault();
        try {
          const answer = await api('POST', '/console/dev-sign-in', { name: input.value });
          accept({ access_token: answer.accessToken, expires_in: answer.expiresIn });
          clearAlert();
          signedIn();
        } catch (e) { showError(e.message); }
      } },
      el('p', { class: 'muted', text: 'Development sign-in: this system is its own identity issuer, so you get an '
        + 'operator token for the name you type (15 minutes). A system behind a real identity provider signs in there.' }),
      el('label', { for: 'dev-name' }, 'Your name', input),
      el('button', { type: 'submit', class: 'primary', id: 'dev-submit' }, 'Sign in'));
      box.append(form);
      main.append(box);
      input.focus();
    } else {
      box.append(el('p', { class: 'muted', text: 'You sign in at your identity provider (' + session.settings.issuer + ').' }),
        el('button', { type: 'button', class: 'primary', id: 'oidc-sign-in', onclick: () => oidc.start().catch(e => showError(e.message)) },
          'Sign in'));
      main.append(box);
      box.querySelector('button').focus();
    }
  }

  function notOperatorPage() {
    document.getElementById('nav').hidden = true;
    render('Not an operator',
      el('p', { id: 'not-operator', text: 'You are signed in as ' + session.name + ', but this console is for operators '
        + '(role ' + session.settings.adminRole + '). Ask an administrator for the role, or sign out and sign in as an operator.' }),
      el('button', { type: 'button', onclick: signOut }, 'Sign out'));
  }

  function signedIn() {
    signedInChrome();
    if (!roles(session.token).includes(session.settings.adminRole)) {
      notOperatorPage();
      return;
    }
    document.getElementById('nav').hidden = false;
    route();
  }

  function signOut() {
    const idToken = session.idToken;
    session.token = null;
    session.refreshToken = null;
    session.idToken = null;
    clearTimeout(session.refreshTimer);
    stopView();
    const leave = session.settings.signIn === 'oidc' ? oidc.signOutUrl(idToken) : null;
    if (leave) {
      location.assign(leave);
      return;
    }
    document.getElementById('nav').hidden = true;
    signedInChrome();
    signInPage('You signed out.');
  }

  // ---- views -----------------------------------------------------------------------------------------------------
  function stopView() {
    if (leaveView) { leaveView(); leaveView = null; }
  }

  function route() {
    stopView();
    clearAlert();
    if (session.flash) { showInfo(session.flash); session.flash = null; }
    if (!session.token) { signInPage(); return; }
    const hash = location.hash || '#/promotions';
    for (const a of document.querySelectorAll('#nav a')) {
      if (hash.startsWith(a.getAttribute('href'))) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    let m;
    if (hash === '#/promotions') promotionsView();
    else if (hash === '#/promotions/new') editView(null);
    else if ((m = hash.match(/^#\/promotions\/([0-9a-f-]{36})\/edit$/))) editView(m[1]);
    else if ((m = hash.match(/^#\/live\/([0-9a-f-]{36})$/))) liveView(m[1]);
    else if (hash === '#/cluster') clusterView();
    else if (hash === '#/read-model') readModelView();
    else render('Not found', el('p', { text: 'There is no such page. ' }, el('a', { href: '#/promotions' }, 'Promotions')));
    main.focus();
  }

  async function promotionsView() {
    render('Promotions', el('p', { text: 'Loading…' }));
    let list;
    try { list = await api('GET', '/admin/promotions'); } catch (e) { showError(e.message); return; }
    const rows = list.map(p => el('tr', { 'data-promotion': p.promotionId },
      el('td', {}, el('code', { title: p.promotionId, text: p.promotionId.slice(0, 8) })),
      el('td', {}, el('span', { class: 'status ' + p.status, text: p.status })),
      el('td', { class: 'num', text: fmt(p.numberOfCoupons) }),
      el('td', { class: 'num', text: p.discount }),
      el('td', { text: time(p.publishTime) }),
      el('td', { text: time(p.finishTime) }),
      el('td', {}, el('div', { class: 'actions' },
        el('a', { class: 'button', href: '#/live/' + p.promotionId }, p.status === 'active' ? 'Live view' : 'Figures'),
        p.status === 'scheduled' ? el('a', { class: 'button', href: '#/promotions/' + p.promotionId + '/edit' }, 'Edit') : null,
        p.status === 'scheduled' ? el('button', { type: 'button', onclick: () => removePromotion(p) }, 'Delete') : null,
        p.status === 'active' ? el('button', { type: 'button', class: 'danger', onclick: () => cancelPromotion(p.promotionId) }, 'Cancel sale') : null))));
    render('Promotions',
      el('div', { class: 'actions' }, el('a', { class: 'button primary', href: '#/promotions/new', id: 'new-promotion' }, 'New promotion')),
      list.length === 0 ? el('p', { class: 'muted', text: 'No promotions yet.' }) :
        el('div', { class: 'table-wrap' }, el('table', { id: 'promotions' },
          el('thead', {}, el('tr', {}, ['Id', 'Status', 'Coupons', 'Discount', 'Publish', 'Finish', ''].map((h, i) =>
            el('th', { scope: 'col', class: i === 2 || i === 3 ? 'num' : null, text: h })))),
          el('tbody', {}, rows))));
  }

  function confirmDialog(title, text, yes) {
    const dialog = document.getElementById('confirm');
    document.getElementById('confirm-title').textContent = title;
    document.getElementById('confirm-text').textContent = text;
    document.getElementById('confirm-yes').textContent = yes;
    dialog.returnValue = '';
    return new Promise(resolve => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), { once: true });
      dialog.showModal();
      document.getElementById('confirm-no').focus();
    });
  }

  async function removePromotion(p) {
    if (!await confirmDialog('Delete this promotion?', 'Promotion ' + p.promotionId + ' (' + p.numberOfCoupons
      + ' coupons) has not started; deleting it cannot be undone.', 'Delete')) return;
    try { await api('DELETE', '/admin/promotions/' + p.promotionId); showInfo('Promotion deleted.'); promotionsView(); }
    catch (e) { showError(e.message); }
  }

  async function cancelPromotion(id) {
    if (!await confirmDialog('Cancel this sale?', 'The sale stops now: a finish event is written and every later grab '
      + 'is refused. It cannot be undone.', 'Cancel the sale')) return;
    try {
      const answer = await api('POST', '/admin/promotions/' + id + '/cancel');
      if (answer === null) {
        session.flash = 'The promotion had not started: it was deleted.';
        if (location.hash === '#/promotions') route(); else location.hash = '#/promotions';
        return;
      }
      sessionStorage.setItem('seckill.cancelled', id);
      session.flash = 'Cancel requested; waiting for the finish event to be written…';
      if (location.hash === '#/live/' + id) route(); else location.hash = '#/live/' + id;
    } catch (e) { showError(e.message); }
  }

  const toLocalInput = (iso) => {
    const d = new Date(iso);
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
  };

  async function editView(id) {
    let current = null;
    if (id) {
      try { current = await api('GET', '/admin/promotions/' + id); } catch (e) { showError(e.message); return; }
      if (current.status !== 'scheduled') {
        render('Edit promotion', el('p', { text: 'This promotion has ' + (current.status === 'active' ? 'started' : 'finished')
          + '; it can no longer change.' }), el('a', { href: '#/promotions' }, 'Back to promotions'));
        return;
      }
    }
    const now = Date.now();
    const field = (name, label, attrs, value) => {
      const input = el('input', Object.assign({ id: 'f-' + name, name, required: true, 'aria-describedby': 'e-' + name }, attrs));
      input.value = value;
      return el('label', { for: 'f-' + name }, label, input, el('span', { class: 'field-error', id: 'e-' + name }));
    };
    const form = el('form', { class: 'edit', id: 'promotion-form', novalidate: true },
      field('numberOfCoupons', 'Coupons', { type: 'number', min: 1, step: 1, inputmode: 'numeric' }, current ? current.numberOfCoupons : 100),
      field('discount', 'Discount (0 to 1, e.g. 0.7 = 30% off)', { type: 'number', step: 'any', inputmode: 'decimal' }, current ? current.discount : 0.8),
      field('publishTime', 'Publish time (your local time)', { type: 'datetime-local', step: 1 },
        toLocalInput(current ? current.publishTime : new Date(now + 60000).toISOString())),
      field('finishTime', 'Finish time (your local time)', { type: 'datetime-local', step: 1 },
        toLocalInput(current ? current.finishTime : new Date(now + 3600000).toISOString())),
      el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', id: 'save' }, id ? 'Save' : 'Create'),
        el('a', { class: 'button', href: '#/promotions' }, 'Back')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
      for (const i of form.querySelectorAll('input')) i.removeAttribute('aria-invalid');
      const value = (name) => form.elements[name].value;
      const body = {
        numberOfCoupons: value('numberOfCoupons') === '' ? null : Number(value('numberOfCoupons')),
        discount: value('discount') === '' ? null : Number(value('discount')),
        publishTime: value('publishTime') ? new Date(value('publishTime')).toISOString() : null,
        finishTime: value('finishTime') ? new Date(value('finishTime')).toISOString() : null,
      };
      try {
        const saved = await api(id ? 'PUT' : 'POST', id ? '/admin/promotions/' + id : '/admin/promotions', body);
        session.flash = (id ? 'Saved' : 'Created') + ' promotion ' + saved.promotionId + '.';
        location.hash = '#/promotions';
      } catch (e) {
        const fields = ['numberOfCoupons', 'discount', 'publishTime', 'finishTime'];
        const named = fields.find(n => e.message.startsWith(n)) || fields.find(n => e.message.includes(n));
        if (named) {
          form.elements[named].setAttribute('aria-invalid', 'true');
          document.getElementById('e-' + named).textContent = e.message;
          form.elements[named].focus();
        }
        showError(e.message);
      }
    });
    render(id ? 'Edit promotion' : 'New promotion', form);
  }

  // The live view reads a stream of server-sent events with fetch (EventSource cannot send a token).
  async function readEvents(path, signal, onEvent) {
    const response = await fetch(path, { headers: { 'Authorization': 'Bearer ' + session.token, 'Accept': 'text/event-stream' }, signal });
    if (response.status === 401) { sessionExpired(); throw new ApiError(401, 'unauthorized', 'Your sign-in expired.'); }
    if (!response.ok) {
      let json = null;
      try { json = await response.json(); } catch (e) { json = null; }
      throw new ApiError(response.status, json && json.error, json && json.message ? json.message : 'HTTP ' + response.status);
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = 'message', data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) name = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (data) onEvent(name, JSON.parse(data));
      }
    }
  }

  function card(id, label) {
    return el('div', { class: 'card' }, el('div', { class: 'label', text: label }),
      el('div', { class: 'value', id, text: '–' }), el('div', { class: 'sub', id: id + '-sub' }));
  }

  function liveView(id) {
    const controller = new AbortController();
    let stopped = false;
    let retry = null;
    const series = { t: [], accepted: [], refused: [] };
    let chart = null;
    leaveView = () => { stopped = true; controller.abort(); clearTimeout(retry); if (chart) chart.destroy(); };
    const banner = el('div', { class: 'banner', id: 'live-banner', 'aria-live': 'polite', text: 'Connecting…' });
    const chartBox = el('div', { class: 'chart', id: 'live-chart', 'aria-label': 'accepted and refused grabs per second, last 5 minutes' });
    const auditBox = el('div', { id: 'live-audit' });
    render('Live view',
      el('p', { class: 'muted' }, 'Promotion ', el('code', { id: 'live-id', text: id }),
        '. Granted and left are what WriteDB holds (what the audit checks); the rates are what the command members answered.'),
      banner,
      el('div', { class: 'actions' }, el('button', { type: 'button', class: 'danger', id: 'live-cancel', hidden: true,
        onclick: () => cancelPromotion(id) }, 'Cancel sale'), el('a', { class: 'button', href: '#/promotions' }, 'Promotions')),
      el('div', { class: 'cards', 'aria-live': 'off' },
        card('live-left', 'Coupons left'), card('live-granted', 'Coupons granted (WriteDB)'),
        card('live-accepted', 'Accepted / s'), card('live-out-of-stock', 'Out of stock / s'),
        card('live-duplicate', 'Duplicate / s'), card('live-rate-limited', 'Rate limited / s'),
        card('live-not-active', 'Not active / s'), card('live-unavailable', 'Unavailable (503) / s'),
        card('live-refused', 'Connections refused / s'),
        card('live-p99', 'Grab latency p99'), card('live-readdb', 'ReadDB remaining'), card('live-lag', 'ReadDB lag'),
        card('live-members', 'Command members answering')),
      chartBox, auditBox);

    const set = (key, value, sub) => {
      const node = document.getElementById(key);
      if (!node) return;
      node.textContent = value;
      if (sub !== undefined) document.getElementById(key + '-sub').textContent = sub;
    };
    let auditing = false;
    const audit = async () => {
      if (auditing || stopped) return;
      auditing = true;
      try {
        const answer = await api('GET', '/console/api/audit/' + id);
        const p = answer.promotions[0];
        auditBox.replaceChildren(el('h2', { text: 'Audit (WriteDB against ReadDB)' }),
          el('p', { id: 'live-audit-verdict', 'data-verdict': p.verdict },
            'Verdict: ', el('strong', { class: p.verdict === 'consistent' ? 'good' : 'bad', text: p.verdict }),
            '. WriteDB: ' + fmt(p.writeDb.grabs) + ' grabs' + (p.writeDb.finished ? ', finished' : '')
            + '. ReadDB: ' + fmt(p.readDb.coupons) + ' coupons. Checked ' + time(answer.checkedAt) + '.'));
        if (p.verdict === 'lagging' && !stopped) retry = setTimeout(() => { auditing = false; audit(); }, 1000);
      } catch (e) {
        auditBox.replaceChildren(el('p', { class: 'bad', text: 'Audit: ' + e.message }));
      }
    };
    const onSample = (s) => {
      set('live-left', fmt(s.couponsLeft), 'of ' + fmt(s.numberOfCoupons));
      set('live-granted', fmt(s.granted), s.status);
      const ps = s.perSecond, total = s.answered;
      set('live-accepted', fmt(ps.accepted), fmt(total.accepted) + ' in all');
      set('live-out-of-stock', fmt(ps.out_of_stock), fmt(total.out_of_stock) + ' in all');
      set('live-duplicate', fmt(ps.duplicate_order), fmt(total.duplicate_order) + ' in all');
      set('live-rate-limited', fmt(ps.rate_limited), fmt(total.rate_limited) + ' in all (grabs with tickets)');
      set('live-not-active', fmt(ps.promotion_not_active), fmt(total.promotion_not_active) + ' in all');
      set('live-unavailable', fmt(ps.unavailable), fmt(total.unavailable) + ' in all');
      set('live-refused', fmt(ps.connections_refused), fmt(total.connections_refused)
        + ' in all, over a connection cap (any sale)');
      set('live-p99', s.p99Ms === null ? '–' : (s.p99Ms < 0 ? '> 5 s' : '≤ ' + s.p99Ms + ' ms'), 'answers of the last second');
      if (s.readDb) {
        set('live-readdb', fmt(s.readDb.remaining), fmt(s.readDb.lagEvents) + ' grabs behind');
        set('live-lag', ago(s.readDb.lagMs), 'age of the oldest grab ReadDB lacks');
      } else {
        set('live-readdb', '–', s.status === 'finished' ? 'not active any more: see the audit' : 'not active yet');
        set('live-lag', '–', '');
      }
      const answering = s.members.filter(m => m.answered).length;
      set('live-members', answering + ' of ' + s.members.length, s.members.filter(m => !m.answered).map(m => m.url).join(', ') || 'all answer');
      document.getElementById('live-cancel').hidden = s.status !== 'active' || !!s.finishedAt;
      if (s.finishedAt) {
        banner.className = 'banner finished';
        banner.textContent = 'Finished: the finish event (' + s.finishReason + ') was written at ' + time(s.finishedAt) + '.';
        if (sessionStorage.getItem('seckill.cancelled') === id) {
          sessionStorage.removeItem('seckill.cancelled');
          showInfo('The sale is cancelled: its finish event was written at ' + time(s.finishedAt) + '.');
        }
        audit();
      } else {
        banner.className = 'banner';
        banner.textContent = s.status === 'active' ? 'Running; updated ' + time(s.at) + '.' : 'Status: ' + s.status + '; updated ' + time(s.at) + '.';
      }
      const t = Date.parse(s.at) / 1000;
      series.t.push(t);
      series.accepted.push(ps.accepted);
      series.refused.push(ps.out_of_stock + ps.duplicate_order + ps.rate_limited + ps.promotion_not_active);
      while (series.t.length > 300) for (const k of Object.keys(series)) series[k].shift();
      drawChart();
    };
    const drawChart = () => {
      if (typeof uPlot === 'undefined') return;
      const width = Math.max(260, chartBox.clientWidth - 16);
      const data = [series.t, series.accepted, series.refused];
      if (!chart) {
        chart = new uPlot({ width, height: 220, series: [{}, { label: 'accepted/s', stroke: '#067647', width: 2 },
          { label: 'refused/s', stroke: '#b42318', width: 2 }], axes: [{}, { label: 'per second' }] }, data, chartBox);
      } else {
        if (Math.abs(chart.width - width) > 20) chart.setSize({ width, height: 220 });
        chart.setData(data);
      }
    };
    let streamTrouble = false;
    const connect = async () => {
      try {
        await readEvents('/console/api/live/' + id, controller.signal, (name, data) => {
          if (name === 'sample') {
            if (streamTrouble) { clearAlert(); streamTrouble = false; }
            onSample(data);
          } else if (name === 'failure') { streamTrouble = true; showError('The last sample failed: ' + data.message); }
        });
      } catch (e) {
        if (stopped || e.status === 401) return;
        if (e.status === 404) { banner.textContent = e.message; return; }
        streamTrouble = true;
        showError('The live view lost its stream: ' + e.message + '. Retrying…');
      }
      if (!stopped) retry = setTimeout(connect, 1000);
    };
    connect();
  }

  function clusterView() {
    let timer = null;
    let stopped = false;
    leaveView = () => { stopped = true; clearTimeout(timer); };
    render('Cluster', el('p', { text: 'Loading…' }));
    const load = async () => {
      try {
        const c = await api('GET', '/console/api/cluster');
        if (stopped) return;
        const holders = {};
        for (const p of c.partitions) if (p.holder && p.leaseLeftMs >= 0) holders[p.holder] = (holders[p.holder] || 0) + 1;
        const stale = c.partitions.filter(p => p.holder && p.leaseLeftMs < 0);
        const free = c.partitions.filter(p => !p.holder);
        render('Cluster',
          el('p', { class: 'muted', text: 'Leases by WriteDB\'s clock (' + time(c.databaseTime) + '), refreshed every 2 s. '
            + 'A lease past its time means its holder stopped renewing: the others stopped hearing it.' }),
          el('h2', { text: 'Members' }),
          el('div', { class: 'table-wrap' }, el('table', { id: 'members' },
            el('thead', {}, el('tr', {}, ['Member', 'Answers /health'].map(h => el('th', { scope: 'col', text: h })))),
            el('tbody', {}, c.members.map(m => el('tr', {},
              el('td', { text: m.url }),
              el('td', { class: m.healthy ? 'good' : 'bad', text: m.answered ? (m.healthy ? 'healthy' : 'unhealthy') : 'no answer' }))))),
          ),
          el('p', { id: 'holders' }, Object.keys(holders).length === 0 ? 'No partition is held.' :
            'Holders: ' + Object.entries(holders).map(([h, n]) => h + ' (' + n + ')').join(', ') + '.'),
          stale.length || free.length ? el('p', { class: 'bad', id: 'cluster-warning', text: stale.length + ' lease(s) expired, '
            + free.length + ' partition(s) never held: grabs of those partitions get 503 until a member claims them.' }) : null,
          el('h2', { text: 'Partitions' }),
          el('div', { class: 'table-wrap' }, el('table', { id: 'partitions' },
            el('thead', {}, el('tr', {}, ['Partition', 'Holder', 'Epoch', 'Held for', 'Lease left'].map((h, i) =>
              el('th', { scope: 'col', class: i === 0 || i === 2 ? 'num' : null, text: h })))),
            el('tbody', {}, c.partitions.map(p => el('tr', {},
              el('td', { class: 'num', text: p.partition }),
              el('td', { text: p.holder || '(none)' }),
              el('td', { class: 'num', text: p.epoch }),
              el('td', { text: ago(p.heldForMs) }),
              el('td', { class: p.leaseLeftMs !== null && p.leaseLeftMs < 0 ? 'bad' : null,
                text: p.leaseLeftMs === null ? '–' : (p.leaseLeftMs < 0 ? 'expired ' + ago(-p.leaseLeftMs) + ' ago' : ago(p.leaseLeftMs)) })))))));
      } catch (e) { showError(e.message); }
      if (!stopped) timer = setTimeout(load, 2000);
    };
    load();
  }

  function readModelView() {
    let timer = null;
    let stopped = false;
    leaveView = () => { stopped = true; clearTimeout(timer); };
    const auditBox = el('div', { id: 'audit' }, el('p', { class: 'muted', text: 'No audit run yet.' }));
    const rebuildBox = el('div', { id: 'rebuild' });
    const runAudit = async () => {
      auditBox.replaceChildren(el('p', { text: 'Auditing…' }));
      try {
        const a = await api('GET', '/console/api/audit');
        auditBox.replaceChildren(el('p', { id: 'audit-verdict', 'data-verdict': a.verdict }, 'Verdict: ',
          el('strong', { class: a.verdict === 'consistent' ? 'good' : 'bad', text: a.verdict }), ' (' + time(a.checkedAt) + ')'),
          el('div', { class: 'table-wrap' }, el('table', { id: 'audit-promotions' },
            el('thead', {}, el('tr', {}, ['Promotion', 'Verdict', 'WriteDB grabs', 'ReadDB coupons', 'Missing in ReadDB', 'Extra in ReadDB']
              .map((h, i) => el('th', { scope: 'col', class: i >= 2 ? 'num' : null, text: h })))),
            el('tbody', {}, a.promotions.map(p => el('tr', {},
              el('td', {}, el('code', { title: p.promotionId, text: p.promotionId.slice(0, 8) })),
              el('td', { class: p.verdict === 'consistent' ? 'good' : 'bad', text: p.verdict }),
              el('td', { class: 'num', text: fmt(p.writeDb.grabs) }),
              el('td', { class: 'num', text: fmt(p.readDb.coupons) }),
              el('td', { class: 'num', text: fmt((p.missingInReadDb || []).length) }),
              el('td', { class: 'num', text: fmt((p.extraInReadDb || []).length) })))))));
      } catch (e) { auditBox.replaceChildren(); showError(e.message); }
    };
    const watch = async (rebuildId) => {
      try {
        const r = await api('GET', '/console/api/rebuilds/' + rebuildId);
        const share = r.eventsTotal > 0 ? Math.min(1, r.eventsApplied / r.eventsTotal) : (r.state === 'swapped' ? 1 : 0);
        rebuildBox.replaceChildren(
          el('p', { id: 'rebuild-state', 'data-state': r.state }, 'Rebuild ', el('code', { text: rebuildId.slice(0, 8) }), ': ',
            el('strong', { class: r.state === 'failed' ? 'bad' : (r.state === 'swapped' ? 'good' : null), text: r.state }),
            ' · ' + fmt(r.eventsApplied) + ' of ' + fmt(r.eventsTotal) + ' events · ' + fmt(Math.round(r.eventsPerSecond || 0)) + ' events/s'
            + (r.error ? ' · ' + r.error : '')),
          el('progress', { id: 'rebuild-progress', max: 1, value: share, 'aria-label': 'rebuild progress' }));
        if ((r.state === 'running' || r.state === 'catching_up') && !stopped) timer = setTimeout(() => watch(rebuildId), 500);
      } catch (e) { showError(e.message); }
    };
    const rebuild = async () => {
      if (!await confirmDialog('Rebuild the read model?', 'ReadDB\'s tables are built again from WriteDB\'s events beside '
        + 'the live ones, then swapped in. Queries keep being served from the old tables until then.', 'Rebuild')) return;
      try {
        const r = await api('POST', '/console/api/rebuilds', {});
        watch(r.rebuildId);
      } catch (e) { showError(e.message); }
    };
    render('Read model',
      el('p', { class: 'muted', text: 'ReadDB checked against the events in WriteDB, and built again from them.' }),
      el('div', { class: 'actions' }, el('button', { type: 'button', class: 'primary', id: 'run-audit', onclick: runAudit }, 'Run the audit'),
        el('button', { type: 'button', id: 'start-rebuild', onclick: rebuild }, 'Rebuild ReadDB')),
      el('h2', { text: 'Audit' }), auditBox, el('h2', { text: 'Rebuild' }), rebuildBox);
  }

  // ---- start -----------------------------------------------------------------------------------------------------
  async function boot() {
    document.getElementById('sign-out').addEventListener('click', signOut);
    window.addEventListener('hashchange', () => { if (session.token) route(); });
    try {
      const response = await fetch('/console/config.json');
      session.settings = await response.json();
    } catch (e) {
      showError('The admin service did not answer; reload the page when it is back.');
      return;
    }
    const params = new URLSearchParams(location.search);
    if (session.settings.signIn === 'oidc' && (params.has('code') || params.has('error'))) {
      try { accept(await oidc.finish(params)); signedIn(); return; } catch (e) { signInPage(); showError(e.message); return; }
    }
    signInPage();
  }
  boot();
})();
