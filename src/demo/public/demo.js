// @ts-check
/* The demo page: one session watched with the SDK's browser bundle (window.SyncKairos). */
(() => {
  'use strict';
  const { SyncKairosClient } = /** @type {any} */ (window).SyncKairos;
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

  /** A demo session of each mode: what each is for shows in its participants. */
  const DEMOS = {
    per_participant: {
      increment_ms: 2000,
      total_time_ms: 600000,
      participants: [
        { participant_id: 'white', total_time_ms: 300000 },
        { participant_id: 'black', total_time_ms: 300000 },
      ],
    },
    per_cycle: {
      total_time_ms: 3600000,
      time_per_cycle_ms: 15000,
      participants: [
        { participant_id: 'alice' },
        { participant_id: 'bob' },
        { participant_id: 'carol' },
      ],
    },
    per_group: {
      total_time_ms: 360000,
      increment_ms: 1000,
      participants: [
        { participant_id: 'ann', group_id: 'red', total_time_ms: 180000 },
        { participant_id: 'bo', group_id: 'blue', total_time_ms: 180000 },
        { participant_id: 'al', group_id: 'red', total_time_ms: 180000 },
        { participant_id: 'bea', group_id: 'blue', total_time_ms: 180000 },
      ],
    },
    global: {
      total_time_ms: 120000,
      participants: [{ participant_id: 'q1' }, { participant_id: 'q2' }, { participant_id: 'q3' }],
    },
    count_up: {
      total_time_ms: 3600000,
      max_time_ms: 600000,
      participants: [{ participant_id: 'lap-a' }, { participant_id: 'lap-b' }],
    },
  };

  let client = newClient();
  /** @type {any} */ let watch = null;
  /** @type {string} */ let shownKey = '';

  function newClient() {
    const token = /** @type {HTMLInputElement} */ ($('token')).value.trim();
    return new SyncKairosClient({ url: location.origin, ...(token && { token }) });
  }

  /** 4:59, 0:09.9 (tenths under 10 s), 1:02:03. */
  function format(/** @type {number} */ ms) {
    const v = Math.max(0, ms);
    if (v < 10000) return `0:0${Math.floor(v / 1000)}.${Math.floor((v % 1000) / 100)}`;
    const s = Math.floor(v / 1000);
    const h = Math.floor(s / 3600);
    const mm = String(Math.floor((s % 3600) / 60));
    const ss = String(s % 60).padStart(2, '0');
    return h > 0 ? `${h}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
  }

  function log(/** @type {string} */ text) {
    const li = document.createElement('li');
    li.textContent = `${new Date(client.now()).toISOString().slice(11, 23)} ${text}`;
    $('log').prepend(li);
    while ($('log').childElementCount > 30) $('log').lastElementChild?.remove();
  }

  function showError(/** @type {unknown} */ err) {
    const e = /** @type {{ code?: string, message?: string }} */ (err);
    $('error').textContent = e && e.code ? `${e.code}: ${e.message}` : String(err);
  }

  function open(/** @type {string} */ id) {
    watch?.close();
    $('error').textContent = '';
    $('log').replaceChildren();
    $('clocks').replaceChildren();
    shownKey = '';
    $('session').hidden = false;
    $('session-id').textContent = id;
    history.replaceState(null, '', `/demo?session=${encodeURIComponent(id)}`);
    watch = client.watch(id, {
      onState: (/** @type {any} */ s) =>
        log(
          `v${s.version} ${s.status}${s.active_participant_id ? `, ${s.active_participant_id} to play` : ''}`,
        ),
      onTimeout: (/** @type {any} */ t) =>
        log(`${t.kind} ${t.participant_id ?? t.group_id ?? ''} ran out`),
      onDeleted: () => log('deleted'),
      onError: showError,
    });
  }

  async function create() {
    const mode = /** @type {HTMLSelectElement} */ ($('mode')).value;
    const id = `demo-${mode.replace('_', '-')}-${crypto.randomUUID().slice(0, 8)}`;
    try {
      await client.create({ session_id: id, sync_mode: mode, .../** @type {any} */ (DEMOS)[mode] });
      open(id);
    } catch (err) {
      showError(err);
    }
  }

  async function command(/** @type {string} */ name) {
    const live = watch?.live();
    if (!live) return;
    const id = live.session_id;
    const active = live.participants.find((/** @type {any} */ p) => p.is_active);
    $('error').textContent = '';
    try {
      if (name === 'switch')
        await client.switch(id, active ? { current_participant_id: active.participant_id } : {});
      else if (name === 'add-time') await client.addTime(id, addTimeTarget(live, active));
      else if (name === 'delete') await client.delete(id);
      else await client[name](id);
    } catch (err) {
      showError(err);
    }
  }

  /** +10 s to whoever's clock runs: the bank, the group, the turn, or the session's own clock. */
  function addTimeTarget(/** @type {any} */ live, /** @type {any} */ active) {
    const target = active ?? live.participants[0];
    if (live.sync_mode === 'per_group') return { ms: 10000, group_id: target.group_id };
    if (live.sync_mode === 'per_participant' || (live.sync_mode === 'per_cycle' && active)) {
      return { ms: 10000, participant_id: target.participant_id };
    }
    return { ms: 10000 };
  }

  /** One card per participant, built when the session (or its participants) change. */
  function buildCards(/** @type {any} */ live) {
    const key = `${live.session_id}:${live.participants.map((/** @type {any} */ p) => p.participant_id).join(',')}`;
    if (key === shownKey) return;
    shownKey = key;
    $('clocks').replaceChildren(
      ...live.participants.map((/** @type {any} */ p) => {
        const card = document.createElement('div');
        card.className = 'clock';
        card.dataset.participant = p.participant_id;
        card.innerHTML =
          '<div class="name"></div><div class="digits"></div><div class="detail"></div>';
        /** @type {HTMLElement} */ (card.querySelector('.name')).textContent = p.group_id
          ? `${p.participant_id} (${p.group_id})`
          : p.participant_id;
        return card;
      }),
    );
  }

  /** What a participant's card shows: time left, or in a stopwatch the time used. */
  function shownMs(/** @type {any} */ live, /** @type {any} */ p) {
    if (live.sync_mode === 'count_up' || p.time_remaining_ms === null) return p.time_used_ms;
    if (live.sync_mode === 'global') return p.time_used_ms;
    return p.time_remaining_ms;
  }

  function setDigits(
    /** @type {HTMLElement} */ el,
    /** @type {number} */ ms,
    /** @type {number} */ at,
  ) {
    const text = format(ms);
    if (el.textContent !== text) el.textContent = text;
    el.dataset.ms = String(ms);
    el.dataset.at = String(Math.floor(at));
  }

  function render() {
    const o = client.offset;
    $('sync').textContent = Number.isFinite(o.error_ms)
      ? `offset ${o.offset_ms >= 0 ? '+' : ''}${o.offset_ms.toFixed(1)} ms ± ${o.error_ms.toFixed(1)} ms · rtt ${o.rtt_ms.toFixed(1)} ms · ${o.samples} samples`
      : 'not synced yet';
    $('sync').dataset.offset = String(o.offset_ms);
    $('sync').dataset.error = String(o.error_ms);
    $('link').textContent = client.connected ? 'live' : 'reconnecting…';
    $('link').classList.toggle('up', client.connected);
    const live = watch?.live();
    if (live) paint(live);
    requestAnimationFrame(render);
  }

  function paint(/** @type {any} */ live) {
    const at = client.now();
    buildCards(live);
    $('status').textContent = live.status;
    $('version').textContent = `version ${live.version}`;
    const main = $('main-clock');
    main.hidden = live.sync_mode !== 'global' && live.sync_mode !== 'count_up';
    if (!main.hidden) {
      const ms = live.sync_mode === 'global' ? live.time_remaining_ms : live.time_elapsed_ms;
      main.classList.add('digits');
      setDigits(main, ms, at);
    }
    for (const p of live.participants) {
      const card = /** @type {HTMLElement | null} */ (
        document.querySelector(`[data-participant="${CSS.escape(p.participant_id)}"]`)
      );
      if (!card) continue;
      card.classList.toggle('active', p.is_active);
      card.classList.toggle('expired', p.has_expired);
      setDigits(/** @type {HTMLElement} */ (card.querySelector('.digits')), shownMs(live, p), at);
      /** @type {HTMLElement} */ (card.querySelector('.detail')).textContent =
        `${p.cycle_count} turns${p.has_expired ? ' · out of time' : ''}`;
    }
  }

  $('create').addEventListener('click', () => void create());
  $('open').addEventListener('click', () => {
    const id = /** @type {HTMLInputElement} */ ($('open-id')).value.trim();
    if (id) open(id);
  });
  $('token').addEventListener('change', () => {
    client.close();
    client = newClient();
    const id = watch?.sessionId;
    watch = null;
    if (id) open(id);
  });
  for (const b of document.querySelectorAll('[data-command]')) {
    b.addEventListener(
      'click',
      () => void command(/** @type {HTMLElement} */ (b).dataset.command ?? ''),
    );
  }
  const fromUrl = new URLSearchParams(location.search).get('session');
  if (fromUrl) open(fromUrl);
  client.sync().catch(showError);
  requestAnimationFrame(render);
})();
