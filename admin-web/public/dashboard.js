// Live door state on the dashboard and doors pages: one SSE stream, elements found by data-door-id.
'use strict';
(function () {
  const LOCK_TEXT = { locked: 'Locked', unlocked: 'Unlocked', unknown: 'Unknown' };
  const indicator = document.getElementById('live-indicator');
  function fmt(ms) {
    return ms ? window.facegate.siteTime(ms) : '—';
  }
  // Forced/held-open alerts (views/door-alarms.ts renders the same markup on page load).
  const ALARM_TEXT = { forced_open: 'forced open', held_open: 'held open' };
  const alarms = document.getElementById('door-alarms');
  function field(name) {
    const span = document.createElement('span');
    span.setAttribute('data-field', name);
    return span;
  }
  function hiddenInput(name, value) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    return input;
  }
  function buildAlert(door) {
    const alert = document.createElement('div');
    alert.className = 'alert alert-alarm';
    alert.setAttribute('role', 'alert');
    alert.setAttribute('data-alarm-door', door.doorId);
    const text = document.createElement('span');
    const name = document.createElement('strong');
    name.textContent = door.name;
    text.append(name, ': door ', field('alarm-text'), ' since ', field('alarm-since'));
    const form = document.createElement('form');
    form.method = 'post';
    form.action = '/doors/' + encodeURIComponent(door.doorId) + '/alarm/acknowledge';
    form.className = 'inline';
    const csrf = document.querySelector('meta[name="csrf-token"]');
    form.append(
      hiddenInput('_csrf', csrf ? csrf.getAttribute('content') : ''),
      hiddenInput('back', alarms.getAttribute('data-back') || 'dashboard'),
    );
    const button = document.createElement('button');
    button.type = 'submit';
    button.textContent = 'Acknowledge';
    form.append(button);
    alert.append(text, form);
    return alert;
  }
  function applyAlarm(door) {
    if (!alarms) return;
    const existing = alarms.querySelector('[data-alarm-door="' + CSS.escape(door.doorId) + '"]');
    if (!door.alarm) {
      if (existing) existing.remove();
      return;
    }
    const alert = existing || buildAlert(door);
    alert.querySelector('[data-field="alarm-text"]').textContent = ALARM_TEXT[door.alarm] || door.alarm;
    alert.querySelector('[data-field="alarm-since"]').textContent = fmt(door.alarmSince);
    if (!existing) alarms.append(alert);
  }
  function apply(door) {
    applyAlarm(door);
    document.querySelectorAll('[data-door-id="' + CSS.escape(door.doorId) + '"]').forEach(function (el) {
      const online = el.querySelector('[data-field="online"]');
      if (online) {
        online.textContent = door.online ? 'Online' : 'Offline';
        online.className = 'badge ' + (door.online ? 'ok' : 'off');
      }
      const lock = el.querySelector('[data-field="lock"]');
      if (lock) {
        lock.textContent = LOCK_TEXT[door.lock] || 'Unknown';
        lock.className = 'lock lock-' + door.lock;
      }
      const seen = el.querySelector('[data-field="lastSeenAt"]');
      if (seen) seen.textContent = fmt(door.lastSeenAt);
    });
    const cards = document.querySelectorAll('[data-door-id] [data-field="online"]');
    const stat = document.getElementById('stat-online');
    if (stat && cards.length) {
      const ids = new Set();
      let on = 0;
      cards.forEach(function (c) {
        const id = c.closest('[data-door-id]').getAttribute('data-door-id');
        if (ids.has(id)) return;
        ids.add(id);
        if (c.textContent === 'Online') on++;
      });
      stat.textContent = on + '/' + ids.size;
    }
  }
  // Today's counters (dashboard only): refreshed every 15 s and shortly after any door changes.
  const entries = document.getElementById('stat-entries');
  const denials = document.getElementById('stat-denials');
  let pending = null;
  function refreshCounts() {
    if (!entries || !denials) return;
    fetch('/api/dashboard/today', { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (counts) {
        if (!counts) return;
        entries.textContent = String(counts.entries);
        denials.textContent = String(counts.denials);
      })
      .catch(function () {});
  }
  function refreshSoon() {
    if (pending) clearTimeout(pending);
    pending = setTimeout(refreshCounts, 500); // the decision is logged just after the door moves
  }
  if (entries) setInterval(refreshCounts, 15000);

  const source = new EventSource('/stream/doors');
  source.addEventListener('door', function (e) {
    apply(JSON.parse(e.data));
    refreshSoon();
  });
  source.addEventListener('open', function () {
    if (indicator) indicator.classList.remove('stale');
  });
  source.addEventListener('error', function () {
    if (indicator) indicator.classList.add('stale');
  });
})();
